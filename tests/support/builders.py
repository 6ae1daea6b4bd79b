"""Builders that put stories into a test database through the real storage functions."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from model import FeedSpec, Item, Scope
from storage import feeds as feed_store
from storage import stories as story_store
from storage.engine import Database


async def add_story(
    database: Database,
    *,
    title: str,
    published_at: datetime,
    topics: Mapping[str, Sequence[str]],
    feed: str = "El Pitazo",
    link: str | None = None,
    summary: str = "",
    language: str | None = "es",
    story_id: int | None = None,
    fetched_at: datetime | None = None,
) -> int:
    """Store one item from `feed` (created if needed), as a new story or joining `story_id`."""
    link = link or f"https://{feed.lower().replace(' ', '')}.example/{hashlib.sha1(title.encode()).hexdigest()[:10]}"
    item = Item(guid=link, link=link, title=title, summary=summary, language=language,  # type: ignore[arg-type]
                published_at=published_at, fetched_at=fetched_at or published_at + timedelta(minutes=5),
                content_hash=hashlib.sha256(f"{title}\n{summary}".encode()).hexdigest())
    async with database.transaction() as session:
        feed_id = await feed_store.ensure_feed(
            session, FeedSpec(url=f"https://{feed.lower().replace(' ', '')}.example/feed", name=feed,
                              scope=Scope.VENEZUELA), now=item.fetched_at)
        _, stored_story = await story_store.add_item(session, feed_id=feed_id, item=item, title_key=title.lower(),
                                                     story_id=story_id, topics=topics)
    return stored_story
