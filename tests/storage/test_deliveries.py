"""The outbox in the database: one delivery per chat and story, a fair claim, and the chat-level records
(deactivation, migration to a supergroup id) that Telegram's answers lead to."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from model import ChatMode, DeliveryKind, DeliveryStatus
from storage import channels as channel_store
from storage import deliveries as outbox
from storage import digests as digest_store
from storage.engine import Database
from storage.tables import chats, digest_texts, keyword_alerts, subscriptions
from tests.support.builders import add_story
from tests.support.chats import add_chat

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


async def story(database: Database, title: str = "OFAC sanciona a funcionarios") -> int:
    return await add_story(database, title=title, published_at=NOW - timedelta(hours=1),
                           topics={"sanctions": ("ofac",)})


@pytest.mark.parametrize(
    ("topics", "phrases", "kind", "reason"),
    [
        pytest.param(("sanctions", "cne"), (), DeliveryKind.TOPIC, "sanctions,cne", id="topics only: ids by commas"),
        pytest.param((), ("maduro",), DeliveryKind.KEYWORD, "maduro", id="a keyword delivery's reason is the phrase"),
        pytest.param(("cne",), ('"edmundo gonzalez"', "cne -chile"), DeliveryKind.TOPIC,
                     'cne\n"edmundo gonzalez"\ncne -chile', id="both: topics first, then a phrase per line"),
    ],
)
def test_reason_round_trip(topics: tuple[str, ...], phrases: tuple[str, ...], kind: DeliveryKind, reason: str) -> None:
    assert outbox.encode_reason(topics, phrases) == (kind, reason)
    assert outbox.decode_reason(kind.value, reason) == (topics, phrases)


async def test_enqueue_inserts_once_per_chat_and_story_and_counts_only_new_rows(database: Database) -> None:
    story_id = await story(database)
    await add_chat(database, 1)
    await add_chat(database, 2)
    async with database.transaction() as session:
        first = await outbox.enqueue(session, [outbox.NewDelivery(1, story_id, ("sanctions",)),
                                               outbox.NewDelivery(2, story_id, (), ("ofac",))], now=NOW)
        again = await outbox.enqueue(session, [outbox.NewDelivery(1, story_id, ("sanctions",)),
                                               outbox.NewDelivery(1, story_id, (), ("ofac",)),
                                               outbox.NewDelivery(2, story_id, ("sanctions",))], now=NOW)
        found = await outbox.records(session)
    assert (first, again) == (2, 0)
    assert [(row.chat_id, row.kind, row.status) for row in found] == [
        (1, DeliveryKind.TOPIC, DeliveryStatus.PENDING), (2, DeliveryKind.KEYWORD, DeliveryStatus.PENDING)]


async def test_the_database_refuses_a_second_delivery_of_a_story_to_a_chat_whatever_its_kind(database: Database) -> None:
    story_id = await story(database)
    await add_chat(database, 1)
    async with database.transaction() as session:
        await outbox.enqueue(session, [outbox.NewDelivery(1, story_id, ("sanctions",))], now=NOW)
    with pytest.raises(Exception, match="(?i)unique"):
        async with database.transaction() as session:
            await session.execute(outbox.deliveries.insert().values(
                chat_id=1, story_id=story_id, kind="keyword", reason="x", status="pending", attempts=0,
                not_before=NOW, created_at=NOW))


async def test_claim_is_fair_across_chats_and_caps_each_chat(database: Database) -> None:
    stories = [await story(database, f"Historia {n}") for n in range(12)]
    for chat_id in (1, 2, 3):
        await add_chat(database, chat_id)
    async with database.transaction() as session:
        # chat 1 has queued a lot, and first; chats 2 and 3 one each, later; chat 3's is not due yet.
        await outbox.enqueue(session, [outbox.NewDelivery(1, s, ("sanctions",)) for s in stories], now=NOW)
        await outbox.enqueue(session, [outbox.NewDelivery(2, stories[0], ("sanctions",))], now=NOW + timedelta(seconds=1))
        await outbox.enqueue(session, [outbox.NewDelivery(3, stories[0], ("sanctions",))], now=NOW + timedelta(hours=1))
        work = await outbox.claim(session, now=NOW + timedelta(seconds=5), max_chats=10, per_chat=5)
        only_one_chat = await outbox.claim(session, now=NOW + timedelta(seconds=5), max_chats=1, per_chat=5)
    assert [(item.chat.id, len(item.deliveries)) for item in work] == [(1, 5), (2, 1)]
    assert [d.story_id for d in work[0].deliveries] == stories[:5]  # oldest first
    assert [item.chat.id for item in only_one_chat] == [1]


async def test_claim_skips_inactive_chats_whose_pending_deliveries_get_cancelled(database: Database) -> None:
    story_id = await story(database)
    await add_chat(database, 1, active=False)
    async with database.transaction() as session:
        await outbox.enqueue(session, [outbox.NewDelivery(1, story_id, ("sanctions",))], now=NOW)
        assert await outbox.claim(session, now=NOW, max_chats=10, per_chat=10) == []
        assert await outbox.cancel_for_inactive_chats(session) == 1
        assert await outbox.counts(session) == {"cancelled": 1}


async def test_failures_and_reschedules_are_recorded(database: Database) -> None:
    first, second = await story(database, "Uno"), await story(database, "Dos")
    await add_chat(database, 1)
    async with database.transaction() as session:
        await outbox.enqueue(session, [outbox.NewDelivery(1, first, ("sanctions",)),
                                       outbox.NewDelivery(1, second, ("sanctions",))], now=NOW)
        one, two = (row.id for row in await outbox.records(session))
        await outbox.reschedule(session, [one], not_before=NOW + timedelta(minutes=1), reason="timed out",
                                count_attempt=True)
        await outbox.mark_failed(session, [two], reason="bad request: message is too long")
        rows = await outbox.records(session)
    assert (rows[0].status, rows[0].attempts, rows[0].not_before, rows[0].last_error) == (
        DeliveryStatus.PENDING, 1, NOW + timedelta(minutes=1), "timed out")
    assert (rows[1].status, rows[1].attempts) == (DeliveryStatus.FAILED, 1)


async def test_deactivating_a_chat_cancels_its_pending_deliveries_and_digest(database: Database) -> None:
    story_id = await story(database)
    await add_chat(database, 7, topics=["sanctions"])
    async with database.transaction() as session:
        await outbox.enqueue(session, [outbox.NewDelivery(7, story_id, ("sanctions",))], now=NOW)
        await digest_store.open_digest(session, chat_id=7, local_date="2026-11-23", due_at=NOW, since=NOW,
                                       until=NOW, parts=["<b>x</b>"], now=NOW)
        assert await outbox.deactivate_chat(session, 7, now=NOW, reason="Forbidden: bot was blocked by the user") == 1
        active = (await session.execute(select(chats.c.active).where(chats.c.id == 7))).scalar_one()
        rows = await outbox.records(session, chat_id=7)
        digest = (await digest_store.digest_records(session, 7))[0]
    assert active is False
    assert [(row.status, row.last_error) for row in rows] == [
        (DeliveryStatus.CANCELLED, "Forbidden: bot was blocked by the user")]
    assert digest.status == "cancelled"


async def test_migrating_a_group_moves_its_settings_subscriptions_alerts_and_deliveries(database: Database) -> None:
    story_id = await story(database)
    await add_chat(database, -42, topics=["sanctions", "cne"], alerts=["maduro"], language="en",
                   timezone="Europe/Madrid")
    async with database.transaction() as session:
        await outbox.enqueue(session, [outbox.NewDelivery(-42, story_id, ("sanctions",))], now=NOW)
        assert await outbox.migrate_chat(session, -42, -1001234567890, now=NOW)
        assert not await outbox.migrate_chat(session, -42, -1001234567890, now=NOW)  # already moved
        moved = (await session.execute(select(chats).where(chats.c.id == -1001234567890))).one()
        old = (await session.execute(select(chats).where(chats.c.id == -42))).first()
        topics = set((await session.execute(
            select(subscriptions.c.topic).where(subscriptions.c.chat_id == -1001234567890))).scalars())
        phrases = list((await session.execute(
            select(keyword_alerts.c.phrase).where(keyword_alerts.c.chat_id == -1001234567890))).scalars())
        rows = await outbox.records(session)
    assert old is None
    assert (moved.type, moved.language, moved.timezone) == ("supergroup", "en", "Europe/Madrid")
    assert topics == {"sanctions", "cne"} and phrases == ["maduro"]
    assert [(row.chat_id, row.status) for row in rows] == [(-1001234567890, DeliveryStatus.PENDING)]


async def test_migrating_into_a_chat_already_stored_merges_without_duplicates(database: Database) -> None:
    shared, only_old = await story(database, "Compartida"), await story(database, "Solo vieja")
    await add_chat(database, -42, topics=["sanctions", "cne"], alerts=["maduro", "cabello"])
    await add_chat(database, -100777, topics=["cne"], alerts=["maduro"], language="en")
    async with database.transaction() as session:
        await outbox.enqueue(session, [outbox.NewDelivery(-42, shared, ("sanctions",)),
                                       outbox.NewDelivery(-42, only_old, ("sanctions",)),
                                       outbox.NewDelivery(-100777, shared, ("cne",))], now=NOW)
        assert await outbox.migrate_chat(session, -42, -100777, now=NOW)
        topics = sorted((await session.execute(
            select(subscriptions.c.topic).where(subscriptions.c.chat_id == -100777))).scalars())
        phrases = sorted((await session.execute(
            select(keyword_alerts.c.phrase).where(keyword_alerts.c.chat_id == -100777))).scalars())
        rows = await outbox.records(session)
        language = (await session.execute(select(chats.c.language).where(chats.c.id == -100777))).scalar_one()
    assert topics == ["cne", "sanctions"] and phrases == ["cabello", "maduro"]
    assert sorted((row.chat_id, row.story_id) for row in rows) == [(-100777, shared), (-100777, only_old)]
    assert language == "en"  # the new chat's own settings win


async def test_subscriber_lookup_is_active_instant_chats_only(database: Database) -> None:
    await add_chat(database, 1, topics=["sanctions"], alerts=["ofac"])
    await add_chat(database, 2, topics=["sanctions"], alerts=["ofac"], mode="digest")
    await add_chat(database, 3, topics=["sanctions", "cne"], alerts=["ofac"], active=False)
    await add_chat(database, 4, topics=["cne"])
    async with database.transaction() as session:
        assert await outbox.instant_subscribers(session, {"sanctions", "cne", "protests"}) == {
            "cne": (4,), "sanctions": (1,)}
        assert [alert.chat_id for alert in await outbox.instant_keyword_alerts(session)] == [1]


async def test_a_digest_day_is_claimed_once_and_moves_last_digest_at(database: Database) -> None:
    await add_chat(database, 5)
    until = NOW + timedelta(minutes=1)
    async with database.transaction() as session:
        assert await digest_store.open_digest(session, chat_id=5, local_date="2026-11-23", due_at=NOW, since=NOW,
                                              until=until, parts=["a", "b"], now=NOW)
        assert not await digest_store.open_digest(session, chat_id=5, local_date="2026-11-23", due_at=NOW,
                                                  since=NOW, until=NOW + timedelta(hours=2), parts=["c"], now=NOW)
        pending = await digest_store.due_digests(session, now=NOW, limit=10)
        chat = await digest_store.digest_chat(session, 5)
    assert [(digest.parts, digest.parts_sent) for digest in pending] == [(("a", "b"), 0)]
    assert chat is not None and chat.last_digest_at == until


async def test_configured_channels_are_upserted_with_exactly_their_topics_and_retired_when_gone(
        database: Database) -> None:
    spec = channel_store.ConfiguredChannel(chat_id=-1009, title="@centinela_ve", type="channel",
                                           topics=("sanctions", "cne"), mode=ChatMode.DIGEST, language="es",
                                           timezone="America/Caracas", digest_time=time(8, 0))
    async with database.transaction() as session:
        await channel_store.upsert_channel(session, spec, now=NOW)
        await channel_store.upsert_channel(session, channel_store.ConfiguredChannel(
            **{**{field: getattr(spec, field) for field in spec.__slots__}, "topics": ("cne", "protests")}), now=NOW)
        topics = sorted((await session.execute(
            select(subscriptions.c.topic).where(subscriptions.c.chat_id == -1009))).scalars())
        row = (await session.execute(select(chats).where(chats.c.id == -1009))).one()
        assert await channel_store.retire_channels(session, [-1009], now=NOW) == []
        assert await channel_store.retire_channels(session, [], now=NOW) == [-1009]
    assert topics == ["cne", "protests"]
    assert (row.origin, row.mode, row.digest_time, row.active) == ("config", "digest", "08:00", True)


async def test_a_digest_many_chats_share_is_stored_once_and_dropped_when_all_are_sent(database: Database) -> None:
    for chat_id in (1, 2, 3):
        await add_chat(database, chat_id)
    same, other = ("<b>uno</b>", "<b>dos</b>"), ("<b>otro</b>",)
    async with database.transaction() as session:
        opened = await digest_store.open_digests(session, [
            digest_store.NewDigest(1, "2026-11-23", NOW, NOW, NOW, same),
            digest_store.NewDigest(2, "2026-11-23", NOW, NOW, NOW, same),
            digest_store.NewDigest(3, "2026-11-23", NOW, NOW, NOW, other)], now=NOW)
        texts = (await session.execute(select(func.count()).select_from(digest_texts))).scalar_one()
        pending = {digest.chat_id: digest for digest in await digest_store.due_digests(session, now=NOW, limit=10)}
    assert opened == {1, 2, 3} and texts == 2
    assert pending[2].parts == same and pending[3].parts == other
    async with database.transaction() as session:
        for digest in pending.values():
            await digest_store.part_sent(session, digest.id, parts_sent=len(digest.parts), total=len(digest.parts),
                                         at=NOW)
        assert await digest_store.prune_texts(session) == 2
        assert [d.status for d in await digest_store.digest_records(session)] == ["sent"] * 3
