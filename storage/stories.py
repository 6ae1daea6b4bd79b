"""Items, the stories they belong to and the topics they were classified into.

Write side: `add_item` stores a normalised item, starting a story or joining one. Read side: stories
with their sources, for alerts, digests and /latest. Newness is decided by the database: an item
whose feed+guid is already stored is not stored again.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select, union_all, update
from sqlalchemy.ext.asyncio import AsyncSession

from model import Item, Source, Story
from storage.tables import feeds, item_topics, items, stories


@dataclass(frozen=True, slots=True)
class StoryKey:
    """What clustering compares a new item against: a recent story and its normalised title."""

    story_id: int
    title_key: str
    link: str


async def stored_guids(session: AsyncSession, feed_id: int, guids: Collection[str]) -> set[str]:
    """Which of `guids` this feed already has."""
    if not guids:
        return set()
    result = await session.execute(
        select(items.c.guid).where(items.c.feed_id == feed_id, items.c.guid.in_(list(guids))))
    return set(result.scalars())


async def recent_story_keys(session: AsyncSession, since: datetime) -> list[StoryKey]:
    """Stories first seen at or after `since`, newest first: the candidates a new item may join."""
    result = await session.execute(
        select(stories.c.id, stories.c.title_key, stories.c.link)
        .where(stories.c.first_seen_at >= since)
        .order_by(stories.c.first_seen_at.desc(), stories.c.id.desc()))
    return [StoryKey(row.id, row.title_key, row.link) for row in result]


async def add_item(
    session: AsyncSession,
    *,
    feed_id: int,
    item: Item,
    title_key: str,
    story_id: int | None,
    topics: Mapping[str, Sequence[str]],
) -> tuple[int, int]:
    """Store `item`, in story `story_id` or in a new story; returns (item id, story id).

    `topics` maps each topic the item was classified into to the terms that fired.
    """
    if story_id is None:
        story_id = (await session.execute(
            insert(stories).values(title=item.title, title_key=title_key, link=item.link,
                                   published_at=item.published_at, first_seen_at=item.fetched_at,
                                   source_count=1).returning(stories.c.id))).scalar_one()
    else:
        await session.execute(
            update(stories).where(stories.c.id == story_id).values(source_count=stories.c.source_count + 1))
    item_id = (await session.execute(
        insert(items).values(feed_id=feed_id, guid=item.guid, story_id=story_id, link=item.link,
                             title=item.title, summary=item.summary, language=item.language,
                             published_at=item.published_at, fetched_at=item.fetched_at,
                             content_hash=item.content_hash).returning(items.c.id))).scalar_one()
    if topics:
        await session.execute(insert(item_topics), [
            {"item_id": item_id, "topic": topic, "story_id": story_id, "published_at": item.published_at,
             "terms": "|".join(terms)} for topic, terms in topics.items()])
    return item_id, story_id


async def stories_by_id(session: AsyncSession, story_ids: Iterable[int]) -> dict[int, Story]:
    """Stories with their sources (first report first) and their topics with the terms that fired."""
    ids = sorted(set(story_ids))
    if not ids:
        return {}
    story_rows = (await session.execute(select(stories).where(stories.c.id.in_(ids)))).all()
    item_rows = (await session.execute(
        select(items.c.story_id, items.c.id, items.c.link, items.c.title, items.c.summary, items.c.language,
               feeds.c.name.label("feed_name"))
        .join(feeds, feeds.c.id == items.c.feed_id)
        .where(items.c.story_id.in_(ids))
        .order_by(items.c.story_id, items.c.fetched_at, items.c.id))).all()
    topic_rows = (await session.execute(
        select(item_topics.c.story_id, item_topics.c.topic, item_topics.c.terms)
        .where(item_topics.c.story_id.in_(ids))
        .order_by(item_topics.c.story_id, item_topics.c.topic, item_topics.c.item_id))).all()

    sources: dict[int, list[Source]] = {}
    first_item: dict[int, tuple[str, str | None]] = {}
    for row in item_rows:
        sources.setdefault(row.story_id, []).append(Source(row.feed_name, row.link, row.title))
        first_item.setdefault(row.story_id, (row.summary, row.language))
    terms: dict[int, dict[str, list[str]]] = {}
    for row in topic_rows:
        fired = terms.setdefault(row.story_id, {}).setdefault(row.topic, [])
        fired.extend(term for term in row.terms.split("|") if term and term not in fired)

    result = {}
    for row in story_rows:
        summary, language = first_item.get(row.id, ("", None))
        topic_terms = terms.get(row.id, {})
        result[row.id] = Story(
            id=row.id, title=row.title, link=row.link, published_at=row.published_at, summary=summary,
            language=language,  # type: ignore[arg-type]
            sources=tuple(sources.get(row.id, ())),
            topics=tuple(sorted(topic_terms)),
            matched_terms=tuple((topic, tuple(fired)) for topic, fired in sorted(topic_terms.items())),
        )
    return result


def _latest_rows(topics: Collection[str], fetch: int, since: datetime | None):  # type: ignore[no-untyped-def]
    """The `fetch` newest (story, published_at) rows of `topics`, newest first.

    One index range scan per topic, each stopping after `fetch` rows (the (topic, published_at, story_id)
    index gives them in order, so nothing is sorted but the few rows kept), merged and cut to `fetch`.
    A story reported several times appears several times; the caller keeps its first (newest) row.
    """
    def one(topic: str):  # type: ignore[no-untyped-def]
        query = select(item_topics.c.story_id, item_topics.c.published_at).where(item_topics.c.topic == topic)
        if since is not None:
            query = query.where(item_topics.c.published_at >= since)
        return query.order_by(item_topics.c.published_at.desc(), item_topics.c.story_id.desc()).limit(fetch)

    per_topic = [one(topic) for topic in sorted(set(topics))]
    if len(per_topic) == 1:
        return per_topic[0]
    merged = union_all(*(select(query.subquery()) for query in per_topic)).subquery()
    return (select(merged.c.story_id, merged.c.published_at)
            .order_by(merged.c.published_at.desc(), merged.c.story_id.desc()).limit(fetch))


async def latest_stories(
    session: AsyncSession, topics: Collection[str], limit: int, *, since: datetime | None = None
) -> list[Story]:
    """The `limit` most recently published stories in any of `topics`, newest first.

    A story's time here is that of its newest item in those topics. Rows are read newest first until
    `limit` distinct stories are found; a story has few items, so four rows per story are asked for
    first and the window doubles in the rare case that is not enough.
    """
    if not topics or limit <= 0:
        return []
    fetch = limit * 4
    while True:
        rows = (await session.execute(_latest_rows(topics, fetch, since))).all()
        ids = list(dict.fromkeys(row.story_id for row in rows))[:limit]
        if len(ids) == limit or len(rows) < fetch:
            break
        fetch *= 2
    found = await stories_by_id(session, ids)
    return [found[story_id] for story_id in ids if story_id in found]


async def explain_latest(session: AsyncSession, topics: Collection[str], limit: int) -> list[str]:
    """SQLite's query plan for the query that ranks `latest_stories`, one line per step, indented."""
    sql = str(_latest_rows(topics, limit * 4, None).compile(dialect=session.bind.dialect,
                                                         compile_kwargs={"literal_binds": True}))
    connection = await session.connection()
    rows = (await connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql)).all()
    depth: dict[int, int] = {0: -1}
    lines = []
    for node, parent, _, detail in rows:
        depth[node] = depth.get(parent, -1) + 1
        lines.append("  " * depth[node] + detail)
    return lines


async def row_counts(session: AsyncSession) -> dict[str, int]:
    """How many stories, items and item topics are stored (for benchmarks and reports)."""
    counts = {}
    for table in (stories, items, item_topics):
        counts[table.name] = (await session.execute(select(func.count()).select_from(table))).scalar_one()
    return counts
