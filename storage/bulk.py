"""Loads many stored stories at once, for benchmarks and one-off imports; not used by the running bot.

The running bot stores items one at a time through `storage.stories.add_item`, which decides newness and
clustering. This module skips those decisions: the caller gives finished stories with their items and
topics, and they are inserted with executemany in large batches, ids included.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import islice

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from model import FeedSpec, Item
from storage.tables import feeds, item_topics, items, stories


@dataclass(frozen=True, slots=True)
class BulkItem:
    feed_id: int
    item: Item
    topics: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class BulkStory:
    """A story and every item reporting it, the first item first; `id` must be unused."""

    id: int
    title_key: str
    items: tuple[BulkItem, ...]


async def add_feeds(session: AsyncSession, specs: Sequence[FeedSpec], *, now: datetime) -> list[int]:
    """Insert feeds with ids 1..len(specs) (into an empty table) and return the ids."""
    await session.execute(insert(feeds), [
        {"id": index, "url": spec.url, "name": spec.name, "scope": spec.scope.value, "language": spec.language,
         "origin": "config", "active": True, "consecutive_failures": 0, "created_at": now}
        for index, spec in enumerate(specs, start=1)])
    return list(range(1, len(specs) + 1))


async def add_stories(session: AsyncSession, batch: Iterable[BulkStory], *, first_item_id: int,
                      chunk: int = 20_000) -> int:
    """Insert the stories with their items and item topics; returns the next free item id."""
    item_id = first_item_id
    source = iter(batch)
    while True:
        group = list(islice(source, chunk))
        if not group:
            return item_id
        story_rows: list[dict[str, object]] = []
        item_rows: list[dict[str, object]] = []
        topic_rows: list[dict[str, object]] = []
        for story in group:
            first = story.items[0].item
            story_rows.append({"id": story.id, "title": first.title, "title_key": story.title_key,
                               "link": first.link, "published_at": first.published_at,
                               "first_seen_at": first.fetched_at, "source_count": len(story.items)})
            for bulk in story.items:
                item = bulk.item
                item_rows.append({"id": item_id, "feed_id": bulk.feed_id, "guid": item.guid, "story_id": story.id,
                                  "link": item.link, "title": item.title, "summary": item.summary,
                                  "language": item.language, "published_at": item.published_at,
                                  "fetched_at": item.fetched_at, "content_hash": item.content_hash})
                topic_rows.extend({"item_id": item_id, "topic": topic, "story_id": story.id,
                                   "published_at": item.published_at, "terms": topic} for topic in bulk.topics)
                item_id += 1
        await session.execute(insert(stories), story_rows)
        await session.execute(insert(items), item_rows)
        if topic_rows:
            await session.execute(insert(item_topics), topic_rows)
