"""Items, the stories they belong to and the topics they were classified into.

Write side: `add_items` stores a feed's normalised items in a few statements, each starting a story or
joining one. Read side: stories with their sources, for alerts, digests and /latest. Newness is decided
by the database: an item whose feed+guid is already stored is not stored again (insert-or-ignore on
the unique key), and only what was really inserted is returned.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, delete, func, insert, select, union_all, update
from sqlalchemy.ext.asyncio import AsyncSession

from model import Item, NewItem, Source, StoredItem, Story, StoryKey
from storage.engine import upsert_into
from storage.tables import feeds, item_topics, items, stories

__all__ = ["NewItem", "StoredItem", "StoryKey", "add_item", "add_items", "explain_latest", "latest_stories",
           "recent_story_keys", "row_counts", "stored_guid_pairs", "stored_guids", "stories_by_id"]


async def stored_guids(session: AsyncSession, feed_id: int, guids: Collection[str]) -> set[str]:
    """Which of `guids` this feed already has."""
    return {guid for _, guid in await stored_guid_pairs(session, {feed_id: guids})}


async def stored_guid_pairs(session: AsyncSession, wanted: Mapping[int, Collection[str]]) -> set[tuple[int, str]]:
    """Which (feed id, guid) pairs of `wanted` (feed id -> guids) are stored, in one query."""
    feed_ids = [feed_id for feed_id, guids in wanted.items() if guids]
    if not feed_ids:
        return set()
    guids = list({guid for feed_id in feed_ids for guid in wanted[feed_id]})
    result = await session.execute(
        select(items.c.feed_id, items.c.guid).where(items.c.feed_id.in_(feed_ids), items.c.guid.in_(guids)))
    return {(row.feed_id, row.guid) for row in result if row.guid in wanted[row.feed_id]}


async def recent_story_keys(session: AsyncSession, since: datetime) -> list[StoryKey]:
    """Stories first seen at or after `since`, newest first: the candidates a new item may join."""
    result = await session.execute(
        select(stories.c.id, stories.c.title_key, stories.c.link, stories.c.published_at)
        .where(stories.c.first_seen_at >= since)
        .order_by(stories.c.first_seen_at.desc(), stories.c.id.desc()))
    return [StoryKey(row.id, row.title_key, row.link, row.published_at) for row in result]


async def add_items(session: AsyncSession, batch: Sequence[NewItem]) -> list[StoredItem]:
    """Store new items (of one feed or several) with their stories and topics, in a few statements;
    returns the items really inserted, in batch order. An item whose guid its feed already has is skipped,
    and a story started only by skipped items is removed again, so a re-fetch never leaves a trace."""
    if not batch:
        return []
    for index, new in enumerate(batch):
        if new.joins is not None and not (0 <= new.joins < index and batch[new.joins].starts_story):
            raise ValueError(f"batch[{index}] joins batch[{new.joins}], which does not start an earlier story")
    starters = [index for index, new in enumerate(batch) if new.starts_story]
    started: dict[int, int] = {}
    if starters:
        # RETURNING rows come back in no promised order (and asking SQLAlchemy for the order makes it insert
        # one row at a time on SQLite), so each new story is recognised by its values. Two starters with
        # identical values make identical stories, so which of the two ids each one gets does not matter.
        members = Counter(index if new.joins is None else new.joins for index, new in enumerate(batch)
                          if new.story_id is None)
        rows = [{"title": batch[i].item.title, "title_key": batch[i].title_key, "link": batch[i].item.link,
                 "published_at": batch[i].item.published_at, "first_seen_at": batch[i].item.fetched_at,
                 "source_count": members[i]} for i in starters]
        result = await session.execute(
            insert(stories).returning(stories.c.id, stories.c.title, stories.c.title_key, stories.c.link,
                                      stories.c.published_at), rows)
        ids: dict[tuple[object, ...], list[int]] = {}
        for row in result:
            ids.setdefault((row.title, row.title_key, row.link, row.published_at), []).append(row.id)
        for index, values in zip(starters, rows, strict=True):
            started[index] = ids[(values["title"], values["title_key"], values["link"], values["published_at"])].pop()

    def story_of(index: int) -> int:
        new = batch[index]
        if new.story_id is not None:
            return new.story_id
        return started[index if new.joins is None else new.joins]

    inserted = await session.execute(
        upsert_into(session, items).on_conflict_do_nothing(index_elements=[items.c.feed_id, items.c.guid])
        .returning(items.c.id, items.c.feed_id, items.c.guid),
        [{"feed_id": new.feed_id, "guid": new.item.guid, "story_id": story_of(index), "link": new.item.link,
          "title": new.item.title, "summary": new.item.summary, "language": new.item.language, "outlet": new.item.outlet,
          "published_at": new.item.published_at, "fetched_at": new.item.fetched_at,
          "content_hash": new.item.content_hash} for index, new in enumerate(batch)])
    item_ids = {(row.feed_id, row.guid): row.id for row in inserted}

    stored: list[tuple[NewItem, StoredItem]] = []
    for index, new in enumerate(batch):
        item_id = item_ids.pop((new.feed_id, new.item.guid), None)  # pop: a guid twice in a feed is stored once
        if item_id is not None:
            stored.append((new, StoredItem(new.feed_id, item_id, story_of(index), new.item.guid,
                                           started_story=new.starts_story)))

    # New stories were inserted with their batch members counted; stored stories gain their joiners. When
    # the database skipped an item, every count is made again from the items, and a story that no item
    # ended up in is removed.
    complete = len(stored) == len(batch)
    touched = ({new.story_id for new in batch if new.story_id is not None} if complete
               else {story_of(index) for index in range(len(batch))})
    if touched:
        item_count = (select(func.count()).select_from(items).where(items.c.story_id == stories.c.id)
                      .scalar_subquery())
        await session.execute(update(stories).where(stories.c.id.in_(touched)).values(source_count=item_count)
                              .execution_options(synchronize_session=False))
    if not complete and started:
        await session.execute(delete(stories).where(stories.c.id.in_(list(started.values())),
                                                    stories.c.source_count == 0)
                              .execution_options(synchronize_session=False))
    topic_rows = [
        {"item_id": done.item_id, "topic": topic, "story_id": done.story_id, "published_at": new.item.published_at,
         "terms": "|".join(terms)}
        for new, done in stored for topic, terms in new.topics]
    if topic_rows:
        await session.execute(insert(item_topics), topic_rows)
    return [done for _, done in stored]


async def add_item(
    session: AsyncSession,
    *,
    feed_id: int,
    item: Item,
    title_key: str,
    story_id: int | None,
    topics: Mapping[str, Sequence[str]],
) -> tuple[int, int]:
    """Store one item, in story `story_id` or in a new story; returns (item id, story id).

    `topics` maps each topic the item was classified into to the terms that fired. If the feed already
    has the item's guid, nothing changes and the stored item's ids are returned.
    """
    new = NewItem(feed_id=feed_id, item=item, title_key=title_key, story_id=story_id,
                  topics=tuple((topic, tuple(terms)) for topic, terms in topics.items()))
    stored = await add_items(session, [new])
    if stored:
        return stored[0].item_id, stored[0].story_id
    row = (await session.execute(select(items.c.id, items.c.story_id)
                                 .where(items.c.feed_id == feed_id, items.c.guid == item.guid))).one()
    return row.id, row.story_id


async def stories_by_id(session: AsyncSession, story_ids: Iterable[int]) -> dict[int, Story]:
    """Stories with their sources (first report first) and their topics with the terms that fired."""
    ids = sorted(set(story_ids))
    if not ids:
        return {}
    # The stories with their items in one statement (a story's columns on each of its items' rows), the topics
    # in another: each statement is several round trips to the driver, which wait for a busy event loop.
    rows = (await session.execute(
        select(stories.c.id, stories.c.title, stories.c.link, stories.c.published_at,
               items.c.id.label("item_id"), items.c.link.label("item_link"), items.c.title.label("item_title"),
               items.c.summary, items.c.language, items.c.outlet, feeds.c.name.label("feed_name"))
        .select_from(stories.outerjoin(items, items.c.story_id == stories.c.id)
                     .outerjoin(feeds, feeds.c.id == items.c.feed_id))
        .where(stories.c.id.in_(ids))
        .order_by(stories.c.id, items.c.fetched_at, items.c.id))).all()
    topic_rows = (await session.execute(
        select(item_topics.c.story_id, item_topics.c.topic, item_topics.c.terms)
        .where(item_topics.c.story_id.in_(ids))
        .order_by(item_topics.c.story_id, item_topics.c.topic, item_topics.c.item_id))).all()

    story_rows: dict[int, Row[Any]] = {}
    sources: dict[int, list[Source]] = {}
    first_item: dict[int, tuple[str, str | None]] = {}
    for row in rows:
        story_rows.setdefault(row.id, row)
        if row.item_id is None:  # a story without items (the outer join's row)
            continue
        # an aggregator's item is reported by the outlet it credits, not by the aggregator
        sources.setdefault(row.id, []).append(Source(row.outlet or row.feed_name, row.item_link, row.item_title,
                                                     row.language))
        first_item.setdefault(row.id, (row.summary, row.language))
    terms: dict[int, dict[str, list[str]]] = {}
    for row in topic_rows:
        fired = terms.setdefault(row.story_id, {}).setdefault(row.topic, [])
        fired.extend(term for term in row.terms.split("|") if term and term not in fired)

    result = {}
    for row in story_rows.values():
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


async def recent_titles(session: AsyncSession, limit: int) -> list[tuple[int, str]]:
    """(id, title) of the `limit` most recently published stories, newest first: what words are matched
    against (one range of the published_at index)."""
    rows = await session.execute(select(stories.c.id, stories.c.title)
                                 .order_by(stories.c.published_at.desc(), stories.c.id.desc()).limit(limit))
    return [(row.id, row.title) for row in rows]


async def explain_latest(session: AsyncSession, topics: Collection[str], limit: int) -> list[str]:
    """SQLite's query plan for the query that ranks `latest_stories`, one line per step, indented."""
    sql = str(_latest_rows(topics, limit * 4, None).compile(dialect=session.get_bind().dialect,
                                                         compile_kwargs={"literal_binds": True}))
    connection = await session.connection()
    rows = (await connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql)).all()
    depth: dict[int, int] = {0: -1}
    lines = []
    for node, parent, _, detail in (tuple(row) for row in rows):
        depth[node] = depth.get(parent, -1) + 1
        lines.append("  " * depth[node] + detail)
    return lines


async def row_counts(session: AsyncSession) -> dict[str, int]:
    """How many stories, items and item topics are stored (for benchmarks and reports)."""
    counts = {}
    for table in (stories, items, item_topics):
        counts[table.name] = (await session.execute(select(func.count()).select_from(table))).scalar_one()
    return counts
