"""Forum topics in storage: a topic's key is stable and never a Telegram id, its destination is the group's
thread, deactivating a group takes its topics along but a topic alone leaves the group, and a group that
moves to a new id (a migration) keeps its topics."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from model import Destination
from storage import deliveries as outbox
from storage import forum, stats
from storage.engine import Database
from storage.tables import chats
from tests.support.chats import add_chat

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
GROUP = -1003000000001


async def topic(database: Database, group: int, thread: int) -> int:
    async with database.transaction() as session:
        key = await forum.topic_chat_key(session, group, thread, now=NOW)
    await add_chat(database, key, topics=["sanctions"], type="supergroup")
    return key


async def active(database: Database, *keys: int) -> dict[int, bool]:
    async with database.transaction() as session:
        return dict((await session.execute(select(chats.c.id, chats.c.active).where(chats.c.id.in_(keys)))).all())


async def test_a_topic_has_one_key_below_every_telegram_id_and_goes_to_its_thread(database: Database) -> None:
    await add_chat(database, GROUP, type="supergroup")
    first, second = await topic(database, GROUP, 7), await topic(database, GROUP, 9)
    async with database.transaction() as session:
        assert await forum.topic_chat_key(session, GROUP, 7, now=NOW) == first  # asked again: the same key
        assert await forum.find_topic_key(session, GROUP, 8) is None
        assert (await forum.destination(session, first)).thread_id == 7
        assert await forum.destination(session, second) == Destination(GROUP, 9)
        assert await forum.destination(session, GROUP) == Destination(GROUP)
        assert sorted(await forum.topic_keys_of(session, GROUP)) == sorted([first, second])
    assert first != second and max(first, second) < -(2**52) * 2  # Telegram ids have at most 52 bits


async def test_a_gone_topic_stops_alone_and_a_gone_group_takes_its_topics_along(database: Database) -> None:
    await add_chat(database, GROUP, type="supergroup")
    first, second = await topic(database, GROUP, 7), await topic(database, GROUP, 9)
    async with database.transaction() as session:
        await outbox.deactivate_chat(session, first, now=NOW, reason="bad request: message thread not found")
    assert await active(database, GROUP, first, second) == {GROUP: True, first: False, second: True}
    async with database.transaction() as session:
        await outbox.deactivate_chat(session, GROUP, now=NOW, reason="Forbidden: bot was kicked")
    assert await active(database, GROUP, first, second) == {GROUP: False, first: False, second: False}


async def test_a_group_that_moves_to_a_new_id_keeps_its_topics(database: Database) -> None:
    old, new = -301, -1003000000002
    await add_chat(database, old)
    key = await topic(database, old, 7)
    async with database.transaction() as session:
        await outbox.migrate_chat(session, old, new, now=NOW)
        assert await forum.destination(session, key) == Destination(new, 7)


async def test_stats_count_forum_topics_apart_from_chats(database: Database) -> None:
    await add_chat(database, GROUP, type="supergroup")
    await add_chat(database, 42, topics=["cne"])
    await topic(database, GROUP, 7)
    await topic(database, GROUP, 9)
    async with database.transaction() as session:
        counts = await stats.snapshot(session, NOW)
    assert (counts.chats_active, counts.forum_topics_active) == (2, 2)
    assert dict(counts.subscriptions) == {"cne": 1, "sanctions": 2}
