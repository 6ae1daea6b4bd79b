"""Feeds that admins add and remove at run time (/feed add, /feed remove); config.toml owns the others.

Service: a URL is fetched once through the ingestion's own fetcher (so the address guard of
`feeds.fetch` applies, on every redirect too) and read once in its parse pool, and only a document that
reads as a feed is stored, as an admin feed that the next cycle fetches like any other. Removing one
switches it off and keeps its items; a config feed cannot be removed here, since config.toml would
bring it back at the next start. The URL's syntax was checked before (`handlers.args`).
"""

from __future__ import annotations

import logging
from datetime import datetime
from urllib.parse import urlsplit

from errors import FetchError
from feeds.ingest import IngestDeps
from feeds.worker import ReadFailure, ReadJob
from model import (
    AddOutcome,
    FeedAdded,
    FeedForFetch,
    FeedKnown,
    FeedOrigin,
    FeedRefused,
    FeedSpec,
    Removal,
    RemoveOutcome,
    Scope,
)
from storage import feeds as feed_store
from storage.engine import Database
from text import shorten

log = logging.getLogger(__name__)

MAX_NAME = 80
"""A feed's name is its own title cut to this many characters (or its host when it has no title)."""



def feed_name(title: str, url: str) -> str:
    """What an added feed is called: its title as plain text, cut to MAX_NAME, else its host."""
    return shorten(title, MAX_NAME) or (urlsplit(url).hostname or url)[:MAX_NAME]


async def add_feed(deps: IngestDeps, url: str, scope: Scope, *, now: datetime) -> AddOutcome:
    """Fetch and read `url` once, as the admin feed it would be, and store it if it is a feed."""
    async with deps.database.transaction() as session:
        known = await feed_store.feed_by_url(session, url)
    if known is not None and known.active:
        return FeedKnown(known)
    candidate = FeedForFetch(id=0, url=url, name="", scope=scope, language=None, origin=FeedOrigin.ADMIN)
    try:
        result = await deps.fetcher.fetch(candidate)
    except FetchError as exc:
        return FeedRefused(exc.kind, exc.detail)
    if result.not_modified:
        return FeedRefused("empty", "304 Not Modified to a request without validators")
    content = await deps.pool.read(ReadJob(body=result.body, url=result.url, fetched_at=now,
                                           content_type=result.content_type,
                                           content_language=result.content_language,
                                           max_entries=deps.limits.max_entries))
    if isinstance(content, ReadFailure):
        return FeedRefused(content.kind, content.detail)
    spec = FeedSpec(url=url, name=feed_name(content.title, url), scope=scope)
    async with deps.database.transaction() as session:
        stored, added = await feed_store.add_admin_feed(session, spec, now=now)
    if not added:
        return FeedKnown(stored)  # another admin was quicker
    log.info("admin feed #%d added: %s (%s, %s)", stored.id, stored.name, stored.url, scope.value)
    return FeedAdded(stored, entries=content.entries)


async def remove_feed(database: Database, feed_id: int) -> RemoveOutcome:
    """Switch off the admin feed `feed_id`; config feeds are refused, unknown or inactive ones not found."""
    async with database.transaction() as session:
        feed = await feed_store.get_feed(session, feed_id)
        if feed is None or not feed.active:
            return RemoveOutcome(Removal.NOT_FOUND, None)
        if feed.origin is FeedOrigin.CONFIG:
            return RemoveOutcome(Removal.CONFIG, feed)
        await feed_store.deactivate_admin_feed(session, feed_id)
    log.info("admin feed #%d removed: %s (%s)", feed.id, feed.name, feed.url)
    return RemoveOutcome(Removal.REMOVED, feed)
