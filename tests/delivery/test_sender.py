"""The sender, end to end through the Bot API stand-in: fan-out writes the outbox, the sender drains it
with a real PTB Bot, and Telegram's refusals are handled by class. Time is a FakeClock that the sender's
waits move forward; no test sleeps."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from telegram import Bot
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from delivery.fanout import FanOut
from delivery.outcome import Deactivate, Move, ResendPlain, Retry, Wait, backoff
from delivery.sender import outcome_for
from model import DeliveryStatus
from settings import Settings
from storage import deliveries as outbox
from storage import forum
from storage.engine import Database
from storage.tables import chats
from tests.support.botapi import (
    BotApiStandIn,
    bad_markup,
    blocked,
    chat_not_found,
    kicked,
    migrated,
    parse_html,
    retry_after,
    server_error,
)
from tests.support.builders import add_story
from tests.support.chats import add_chat, new_story_events
from tests.support.clock import FakeClock
from tests.support.delivery import CrashingBot, RecordingBot, make_sender
from tests.support.disks import fill, small_tmpfs

PUBLISHED = datetime(2026, 11, 23, 11, 30, tzinfo=UTC)  # 07:30 in Caracas

# ---------------------------------------------------------------------------------------------------
# outcome_for: one table


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        pytest.param(RetryAfter(timedelta(seconds=7)), Wait(7.0), id="429 waits the time Telegram gives"),
        pytest.param(RetryAfter(3), Wait(3.0), id="429 with the older integer form"),
        pytest.param(Forbidden("Forbidden: bot was blocked by the user"),
                     Deactivate("Forbidden: bot was blocked by the user"), id="403 blocked deactivates"),
        pytest.param(Forbidden("Forbidden: bot was kicked from the group chat"),
                     Deactivate("Forbidden: bot was kicked from the group chat"), id="403 kicked deactivates"),
        pytest.param(BadRequest("Bad Request: chat not found"), Deactivate("bad request: Chat not found"),
                     id="chat not found deactivates too"),
        pytest.param(BadRequest("Bad Request: message thread not found"),
                     Deactivate("bad request: Message thread not found", topic_only=True),
                     id="a deleted forum topic deactivates that topic only"),
        pytest.param(BadRequest("Bad Request: TOPIC_CLOSED"), Deactivate("bad request: Topic_closed", topic_only=True),
                     id="a closed forum topic deactivates that topic only"),
        pytest.param(ChatMigrated(-1001234567890), Move(-1001234567890), id="migration moves to the new id"),
        pytest.param(BadRequest("Bad Request: can't parse entities: Unsupported start tag"),
                     ResendPlain("bad request: Can't parse entities: unsupported start tag"),
                     id="bad markup is resent as plain text"),
        pytest.param(TimedOut(), Retry("timed out", maybe_delivered=True),
                     id="a timeout is retried, fewer times: it may have arrived (TimedOut before NetworkError)"),
        pytest.param(NetworkError("Bad Gateway"), Retry("network error: Bad Gateway"),
                     id="5xx and network errors are retried"),
        pytest.param(TelegramError("something new"), Retry("TelegramError: something new"),
                     id="an unknown refusal is retried, then given up"),
    ],
)
def test_outcome_for_maps_each_error_class(error: TelegramError, expected: object) -> None:
    assert outcome_for(error) == expected


@pytest.mark.parametrize(
    ("attempt", "seconds"),
    [pytest.param(1, 30, id="first retry waits the base"), pytest.param(2, 60, id="then doubles"),
     pytest.param(4, 240, id="and doubles again"), pytest.param(12, 3600, id="up to the cap")],
)
def test_backoff_doubles_up_to_a_cap(attempt: int, seconds: int) -> None:
    assert backoff(attempt, base=timedelta(seconds=30), cap=timedelta(hours=1)) == timedelta(seconds=seconds)


# ---------------------------------------------------------------------------------------------------
# Through the stand-in


async def fan_out(database: Database, story_ids: list[int], clock: FakeClock) -> int:
    events = await new_story_events(database, story_ids)
    async with database.transaction() as session:
        return await FanOut(now=clock())(session, events)


async def sanctions_story(database: Database, title: str = "OFAC sanciona a cinco funcionarios venezolanos",
                          **kwargs: object) -> int:
    return await add_story(database, title=title, published_at=PUBLISHED, topics={"sanctions": ("ofac",)},
                           **kwargs)  # type: ignore[arg-type]


async def statuses(database: Database, chat_id: int) -> list[tuple[DeliveryStatus, int, str | None]]:
    async with database.transaction() as session:
        return [(row.status, row.attempts, row.last_error) for row in await outbox.records(session, chat_id=chat_id)]


async def test_a_matching_story_reaches_a_subscribed_chat_and_not_an_unsubscribed_one(
        api: BotApiStandIn, telegram_bot: Bot, database: Database, settings: Settings, clock: FakeClock) -> None:
    await add_chat(database, 101, topics=["sanctions"])
    await add_chat(database, 102, topics=["protests"])
    await add_chat(database, 103, topics=["sanctions"], mode="digest")
    story_id = await sanctions_story(database)
    assert await fan_out(database, [story_id], clock) == 1

    report = await make_sender(telegram_bot, database, clock, settings.topics).drain()

    assert (report.messages, report.delivered) == (1, 1)
    [message] = api.messages_for(101)
    assert api.messages_for(102) == [] and api.messages_for(103) == []
    assert message.parse_mode == "HTML" and message.disable_preview
    assert "OFAC sanciona a cinco funcionarios venezolanos" in message.plain_text
    assert await statuses(database, 101) == [(DeliveryStatus.SENT, 0, None)]


async def test_the_alert_shows_topic_title_every_source_local_time_and_link(
        api: BotApiStandIn, telegram_bot: Bot, database: Database, settings: Settings, clock: FakeClock) -> None:
    await add_chat(database, 101, topics=["sanctions"], language="en", timezone="Europe/Madrid")
    story_id = await sanctions_story(database, feed="El Pitazo", link="https://elpitazo.net/ofac")
    await sanctions_story(database, title="EE. UU. sanciona a funcionarios", feed="Efecto Cocuyo",
                          story_id=story_id)
    await sanctions_story(database, title="Nuevas sanciones de la OFAC", feed="Tal Cual", story_id=story_id)
    await fan_out(database, [story_id], clock)

    await make_sender(telegram_bot, database, clock, settings.topics).drain()

    [message] = api.messages_for(101)
    lines = message.plain_text.split("\n")
    assert lines == ["🔔 Sanctions", "OFAC sanciona a cinco funcionarios venezolanos",
                     "El Pitazo, Efecto Cocuyo, Tal Cual · 23 Nov 12:30"]  # 11:30 UTC is 12:30 in Madrid
    links = [entity.argument for entity in message.entities if entity.kind == "text_link"]
    assert links == ["https://elpitazo.net/ofac"]


async def test_two_outlets_versions_of_one_story_give_one_alert(
        api: BotApiStandIn, telegram_bot: Bot, database: Database, settings: Settings, clock: FakeClock) -> None:
    await add_chat(database, 101, topics=["sanctions"])
    story_id = await sanctions_story(database, feed="El Pitazo")
    await fan_out(database, [story_id], clock)
    sender = make_sender(telegram_bot, database, clock, settings.topics)
    await sender.drain()
    # A second outlet reports it (ingestion joins the story), and the first outlet's item is fetched again.
    await sanctions_story(database, title="EE. UU. sanciona a cinco funcionarios", feed="Efecto Cocuyo",
                          story_id=story_id)
    events = await new_story_events(database, [story_id], is_new=False)
    async with database.transaction() as session:
        assert await FanOut(now=clock())(session, events) == 0
        assert await FanOut(now=clock())(session, events) == 0
    clock.advance(minutes=15)
    await sender.drain()

    assert len(api.messages_for(101)) == 1


async def test_a_topic_and_a_keyword_match_of_one_chat_make_one_alert_naming_both(
        api: BotApiStandIn, telegram_bot: Bot, database: Database, settings: Settings, clock: FakeClock) -> None:
    await add_chat(database, 101, topics=["sanctions"], alerts=["ofac funcionarios"])
    await add_chat(database, 102, alerts=["ofac"], language="en")
    story_id = await sanctions_story(database)
    assert await fan_out(database, [story_id], clock) == 2

    await make_sender(telegram_bot, database, clock, settings.topics).drain()

    [both] = api.messages_for(101)
    assert both.plain_text.startswith("🔔 Sanciones\n")
    assert both.plain_text.endswith("Alerta: «ofac funcionarios»")
    [keyword] = api.messages_for(102)
    assert keyword.plain_text.startswith("🔔 Keyword alert\n") and keyword.plain_text.endswith("Alert: “ofac”")


async def test_429_with_retry_after_delays_but_loses_nothing(
        api: BotApiStandIn, telegram_bot: Bot, database: Database, settings: Settings, clock: FakeClock) -> None:
    for chat_id in (101, 102, 103):
        await add_chat(database, chat_id, topics=["sanctions"])
    await fan_out(database, [await sanctions_story(database)], clock)
    api.fail_next(error=retry_after(30), chat_id=102)
    start = clock()
    recording = RecordingBot(telegram_bot, clock)
    sender = make_sender(recording, database, clock, settings.topics)

    await sender.drain()
    assert [len(api.messages_for(chat_id)) for chat_id in (101, 102, 103)] == [1, 0, 1]
    assert await statuses(database, 102) == [(DeliveryStatus.PENDING, 0, "flood control: retry after 30s")]
    clock.advance(seconds=29)
    await sender.drain()
    assert api.messages_for(102) == []  # not before the time Telegram gave
    clock.advance(seconds=1)
    await sender.drain()

    assert [len(api.messages_for(chat_id)) for chat_id in (101, 102, 103)] == [1, 1, 1]
    assert [moment for chat_id, moment in recording.sent_at if chat_id == 102] == [start + timedelta(seconds=30)]
    assert await statuses(database, 102) == [(DeliveryStatus.SENT, 0, None)]  # a 429 is not an attempt
    assert len(api.calls_to("sendMessage")) == 4


@pytest.mark.parametrize("refusal", [pytest.param(blocked, id="blocked"), pytest.param(kicked, id="kicked"),
                                     pytest.param(chat_not_found, id="chat not found")])
async def test_403_deactivates(refusal, api: BotApiStandIn, telegram_bot: Bot, database: Database,  # type: ignore[no-untyped-def]
                               settings: Settings, clock: FakeClock) -> None:
    await add_chat(database, -201, topics=["sanctions"])
    await add_chat(database, 202, topics=["sanctions"])
    stories = [await sanctions_story(database, f"Sanción número {n} de la OFAC") for n in range(3)]
    await fan_out(database, stories, clock)
    api.fail_next(error=refusal(), chat_id=-201)
    sender = make_sender(telegram_bot, database, clock, settings.topics)

    report = await sender.drain()

    assert report.dropped_chats == 1
    assert api.messages_for(-201) == [] and len(api.messages_for(202)) == 3
    assert [status for status, _, _ in await statuses(database, -201)] == [DeliveryStatus.CANCELLED] * 3
    async with database.transaction() as session:
        assert (await session.execute(chats.select().where(chats.c.id == -201))).one().active is False
    # Nothing more is ever sent there, even for new stories.
    await fan_out(database, [await sanctions_story(database, "Otra sanción de la OFAC")], clock)
    clock.advance(minutes=5)
    await sender.drain()
    assert len(api.calls_to("sendMessage")) == 1 + 4


async def test_chat_migration_moves_the_chat_and_resends_to_the_new_id(
        api: BotApiStandIn, telegram_bot: Bot, database: Database, settings: Settings, clock: FakeClock) -> None:
    old, new = -301, -1001234567890
    await add_chat(database, old, topics=["sanctions"], alerts=["maduro"], language="en")
    await fan_out(database, [await sanctions_story(database)], clock)
    api.fail_next(error=migrated(new), chat_id=old)

    await make_sender(telegram_bot, database, clock, settings.topics).drain()

    assert api.messages_for(old) == []
    [message] = api.messages_for(new)
    assert message.plain_text.startswith("🔔 Sanctions")  # the chat's settings came along
    assert await statuses(database, new) == [(DeliveryStatus.SENT, 0, None)]
    async with database.transaction() as session:
        assert (await session.execute(chats.select().where(chats.c.id == old))).first() is None


async def test_bad_markup_is_resent_as_plain_text(
        api: BotApiStandIn, telegram_bot: Bot, database: Database, settings: Settings, clock: FakeClock) -> None:
    await add_chat(database, 101, topics=["sanctions"])
    await fan_out(database, [await sanctions_story(database, link="https://x.org/?a=1&b=2")], clock)
    api.fail_next(error=bad_markup(), chat_id=101)

    await make_sender(telegram_bot, database, clock, settings.topics).drain()

    [message] = api.messages_for(101)
    assert message.parse_mode is None
    assert "<b>" not in message.text
    assert "OFAC sanciona a cinco funcionarios venezolanos (https://x.org/?a=1&b=2)" in message.text
    assert await statuses(database, 101) == [(DeliveryStatus.SENT, 0, None)]


async def test_network_errors_retry_with_backoff_then_fail_with_the_reason(
        api: BotApiStandIn, telegram_bot: Bot, database: Database, settings: Settings, clock: FakeClock) -> None:
    await add_chat(database, 101, topics=["sanctions"])
    await add_chat(database, 102, topics=["sanctions"])
    await fan_out(database, [await sanctions_story(database)], clock)
    api.fail_next(error=server_error(502), chat_id=101, times=10)
    sender = make_sender(telegram_bot, database, clock, settings.topics, max_attempts=3)

    await sender.drain()
    assert await statuses(database, 101) == [(DeliveryStatus.PENDING, 1, "network error: Bad Gateway")]
    clock.advance(seconds=29)
    await sender.drain()  # not due yet: the first backoff is 30 s
    assert len(api.calls_to("sendMessage")) == 2
    clock.advance(seconds=1)
    await sender.drain()
    clock.advance(seconds=60)
    await sender.drain()

    assert await statuses(database, 101) == [
        (DeliveryStatus.FAILED, 3, "network error: Bad Gateway (gave up after 3 attempts)")]
    assert len(api.messages_for(102)) == 1 and api.messages_for(101) == []


async def test_more_than_five_pending_alerts_for_a_chat_go_as_one_bundle(
        api: BotApiStandIn, telegram_bot: Bot, database: Database, settings: Settings, clock: FakeClock) -> None:
    await add_chat(database, 101, topics=["sanctions"])
    await add_chat(database, 102, topics=["sanctions"])
    stories = [await sanctions_story(database, f"Sanción número {n} de la OFAC") for n in range(7)]
    async with database.transaction() as session:
        await outbox.enqueue(session, [outbox.NewDelivery(101, s, ("sanctions",)) for s in stories[:5]], now=clock())
        await outbox.enqueue(session, [outbox.NewDelivery(102, s, ("sanctions",)) for s in stories], now=clock())

    await make_sender(telegram_bot, database, clock, settings.topics).drain()

    assert len(api.messages_for(101)) == 5  # five pending: five alerts
    [bundle] = api.messages_for(102)  # seven pending: one message
    assert bundle.plain_text.startswith("🔔 7 alertas nuevas")
    assert all(f"Sanción número {n} de la OFAC" in bundle.plain_text for n in range(7))
    assert await statuses(database, 102) == [(DeliveryStatus.SENT, 0, None)] * 7


@pytest.mark.parametrize(("lang", "sanctions", "cne", "keyword"), [
    pytest.param("es", "▸ Sanciones", "▸ CNE y elecciones", "▸ Alerta por palabra clave", id="es"),
    pytest.param("en", "▸ Sanctions", "▸ CNE and elections", "▸ Keyword alert", id="en"),
])
async def test_a_bundle_names_each_topic_once_above_its_stories(
        api: BotApiStandIn, telegram_bot: Bot, database: Database, settings: Settings, clock: FakeClock,
        lang: str, sanctions: str, cne: str, keyword: str) -> None:
    await add_chat(database, 101, topics=["sanctions", "cne"], language=lang)
    sanction = [await sanctions_story(database, f"Sanción número {n} de la OFAC") for n in range(4)]
    election = [await add_story(database, title=f"El CNE anuncia el cronograma {n}", published_at=PUBLISHED,
                                topics={"cne": ("cne",)}) for n in range(2)]
    # pending in this order: sanctions, cne, sanctions, a keyword alert only, cne, sanctions
    wanted = [outbox.NewDelivery(101, sanction[0], ("sanctions",)), outbox.NewDelivery(101, election[0], ("cne",)),
              outbox.NewDelivery(101, sanction[2], ("sanctions",)), outbox.NewDelivery(101, sanction[1], (), ("petare",)),
              outbox.NewDelivery(101, election[1], ("cne",)), outbox.NewDelivery(101, sanction[3], ("sanctions",))]
    async with database.transaction() as session:
        await outbox.enqueue(session, wanted, now=clock())

    await make_sender(telegram_bot, database, clock, settings.topics).drain()

    [bundle] = api.messages_for(101)
    lines = bundle.plain_text.split("\n")
    assert [line for line in lines if line.startswith("▸")] == [sanctions, cne, keyword]
    sanctions_at, cne_at, keyword_at = (lines.index(label) for label in (sanctions, cne, keyword))
    assert [n for n in range(4) if any(f"número {n} " in line for line in lines[sanctions_at:cne_at])] == [0, 2, 3]
    assert sum("El CNE anuncia" in line for line in lines[cne_at:keyword_at]) == 2
    assert "Sanción número 1 de la OFAC" in lines[keyword_at + 1]
    assert await statuses(database, 101) == [(DeliveryStatus.SENT, 0, None)] * 6


async def test_a_chat_gets_at_most_one_message_a_second(
        api: BotApiStandIn, telegram_bot: Bot, database: Database, settings: Settings, clock: FakeClock) -> None:
    await add_chat(database, 101, topics=["sanctions"])
    await add_chat(database, -102, topics=["sanctions"])
    await fan_out(database, [await sanctions_story(database, f"Sanción {n} de la OFAC") for n in range(4)], clock)
    recording = RecordingBot(telegram_bot, clock)

    await make_sender(recording, database, clock, settings.topics).drain()

    for chat_id, gap in ((101, timedelta(seconds=1)), (-102, timedelta(seconds=3.2))):
        times = [moment for sent_to, moment in recording.sent_at if sent_to == chat_id]
        assert len(times) == 4
        assert all(later - earlier >= gap for earlier, later in zip(times, times[1:], strict=False))


async def test_the_topics_of_a_forum_share_the_groups_pace_and_each_gets_its_own_thread(
        api: BotApiStandIn, telegram_bot: Bot, database: Database, settings: Settings, clock: FakeClock) -> None:
    group = -1003000000001
    threads = [api.open_forum_topic(group), api.open_forum_topic(group)]
    await add_chat(database, group, type="supergroup")
    for thread in threads:
        async with database.transaction() as session:
            key = await forum.topic_chat_key(session, group, thread, now=clock())
        await add_chat(database, key, topics=["sanctions"], type="supergroup")
    await fan_out(database, [await sanctions_story(database, f"Sanción {n} de la OFAC") for n in range(2)], clock)
    start, waits = clock(), []

    await make_sender(telegram_bot, database, clock, settings.topics, waits=waits).drain()

    assert sorted((m.thread_id, m.plain_text.splitlines()[1]) for m in api.messages_for(group)) == sorted(
        (thread, f"Sanción {n} de la OFAC") for thread in threads for n in range(2))
    # Telegram's 20 a minute is the group's, whichever topic a message goes to: four turns 3.2 s apart
    assert sorted(waits) == [start + timedelta(seconds=3.2) * n for n in (1, 2, 3)]


@pytest.mark.parametrize(
    "title",
    [pytest.param("<b>OFAC</b> sanciona", id="a tag"), pytest.param("Sanciones & licencias &amp; más", id="ampersands"),
     pytest.param("</a><a href='javascript:x'>OFAC sanciona", id="a closing anchor"),
     pytest.param("OFAC sanciona " + "palabra " * 700, id="a 5000-character title")],
)
async def test_hostile_titles_reach_the_chat_as_valid_html(
        title: str, api: BotApiStandIn, telegram_bot: Bot, database: Database, settings: Settings, clock: FakeClock) -> None:
    await add_chat(database, 101, topics=["sanctions"])
    await fan_out(database, [await sanctions_story(database, title)], clock)

    await make_sender(telegram_bot, database, clock, settings.topics).drain()

    assert api.failures == []
    [message] = api.messages_for(101)
    assert message.parse_mode == "HTML"
    parse_html(message.text)
    assert title[:60] in message.plain_text


@pytest.mark.parametrize("in_flight", [pytest.param(False, id="crash before the send"),
                                       pytest.param(True, id="crash with one message in flight")])
async def test_restart_with_pending_deliveries_sends_the_rest_once(
        in_flight: bool, api: BotApiStandIn, telegram_bot: Bot, database_url: str, settings: Settings,
        clock: FakeClock) -> None:
    database = Database(database_url)
    await database.create_schema()
    chat_ids = list(range(1001, 1021))
    for chat_id in chat_ids:
        await add_chat(database, chat_id, topics=["sanctions"])
    await fan_out(database, [await sanctions_story(database)], clock)
    crashing = CrashingBot(telegram_bot, survive=7, after_send=in_flight)
    sender = make_sender(crashing, database, clock, settings.topics, concurrency=1)
    drain = asyncio.create_task(sender.drain())
    await asyncio.wait_for(crashing.hanging.wait(), timeout=10)
    drain.cancel()  # the process dies here
    with pytest.raises(asyncio.CancelledError):
        await drain
    await database.close()
    before = len(api.sent)

    restarted = Database(database_url)  # a new process: nothing in memory survives
    await make_sender(telegram_bot, restarted, clock, settings.topics).drain()

    counts = [len(api.messages_for(chat_id)) for chat_id in chat_ids]
    assert before == 7 + in_flight
    assert sorted(counts) == [1] * (20 - in_flight) + [2] * in_flight  # at most the in-flight one twice
    async with restarted.transaction() as session:
        assert await outbox.counts(session) == {"sent": 20}
    await restarted.close()


# ---------------------------------------------------------------------------------------------------
# Never twice, whatever the database does: a real SQLite file on a small tmpfs that fills up


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    with small_tmpfs(tmp_path / "small-disk", "2m") as mount:
        yield mount


async def test_a_full_disk_never_sends_a_story_twice_and_what_waited_goes_out_once_it_has_room(
        api: BotApiStandIn, telegram_bot: Bot, settings: Settings, clock: FakeClock, small_disk: Path) -> None:
    database = Database(f"sqlite+aiosqlite:///{small_disk / 'bot.sqlite3'}")
    try:
        await database.upgrade()
        chat_ids = list(range(101, 121))
        for chat_id in chat_ids:
            await add_chat(database, chat_id, topics=["sanctions"])
        stories = [await sanctions_story(database, title=f"OFAC sanciona a {n} funcionarios venezolanos",
                                         link=f"https://elpitazo.net/ofac-{n}") for n in (2, 3, 4)]
        await fan_out(database, stories, clock)
        sender = make_sender(telegram_bot, database, clock, settings.topics, alerts_per_chat=1)
        filler = fill(small_disk)
        for _ in range(5):  # every drain while the disk is full: nothing is sent twice, nothing more is sent
            await sender.drain()
            clock.advance(seconds=30)
        copies = {chat_id: len(api.messages_for(chat_id)) for chat_id in chat_ids}
        assert max(copies.values()) <= 1, copies
        filler.unlink()  # room again: the next drains record what was sent and send the rest
        for _ in range(10):
            await sender.drain()
            clock.advance(seconds=30)
        for chat_id in chat_ids:
            texts = [message.plain_text for message in api.messages_for(chat_id)]
            assert sorted(texts) == sorted(set(texts)) and len(texts) == 3, (chat_id, texts)
        async with database.transaction() as session:
            assert {record.status for record in await outbox.records(session)} == {DeliveryStatus.SENT}
    finally:
        await database.close()


# ---------------------------------------------------------------------------------------------------
# A slow Telegram: a slow success is not a failure, and a send with no answer in time is tried once more


def bot_waiting(api: BotApiStandIn, seconds: float) -> Bot:
    from telegram.request import HTTPXRequest

    from tests.support.botapi import TOKEN

    return Bot(TOKEN, base_url=api.base_url, request=HTTPXRequest(read_timeout=seconds))


def test_the_bot_waits_longer_for_an_answer_than_ptbs_default() -> None:
    from handlers.app import READ_TIMEOUT_SECONDS

    assert 5.0 < READ_TIMEOUT_SECONDS < 10.0  # slower than PTB's 5 s is not a failure; under SIGTERM's 10 s


async def test_an_answer_slower_than_usual_but_within_the_wait_is_one_message(
        api: BotApiStandIn, database: Database, settings: Settings, clock: FakeClock) -> None:
    for chat_id in (101, 102):
        await add_chat(database, chat_id, topics=["sanctions"])
    await fan_out(database, [await sanctions_story(database)], clock)
    api.answer_delay = 0.6  # the bot below waits 1 s: scaled down from Telegram's 5 s against the bot's 8 s
    async with bot_waiting(api, 1.0) as bot:
        await make_sender(bot, database, clock, settings.topics).drain()
    assert [len(api.messages_for(chat_id)) for chat_id in (101, 102)] == [1, 1]
    assert await statuses(database, 101) == [(DeliveryStatus.SENT, 0, None)]


async def test_a_send_without_an_answer_in_time_is_tried_once_more_then_given_up(
        api: BotApiStandIn, database: Database, settings: Settings, clock: FakeClock) -> None:
    await add_chat(database, 101, topics=["sanctions"])
    await fan_out(database, [await sanctions_story(database)], clock)
    api.answer_delay = 0.8  # longer than the bot waits: each try may have arrived (here, each does)
    async with bot_waiting(api, 0.3) as bot:
        sender = make_sender(bot, database, clock, settings.topics)
        for _ in range(6):
            await sender.drain()
            clock.advance(hours=2)
    assert len(api.messages_for(101)) == 2  # the first try and one retry, never the five of other failures
    [(status, attempts, reason)] = await statuses(database, 101)
    assert status is DeliveryStatus.FAILED and attempts == 2 and "timed out" in (reason or "")


async def test_a_handled_429_is_one_warning_line_not_an_error(
        api: BotApiStandIn, database: Database, settings: Settings, clock: FakeClock,
        caplog: pytest.LogCaptureFixture) -> None:
    from telegram.ext import ExtBot

    from handlers.app import rate_limiter
    from tests.support.botapi import TOKEN

    for chat_id in (101, 102):
        await add_chat(database, chat_id, topics=["sanctions"])
    await fan_out(database, [await sanctions_story(database)], clock)
    api.fail_next(error=retry_after(30), chat_id=102)
    caplog.set_level("WARNING")
    async with ExtBot(TOKEN, base_url=api.base_url, rate_limiter=rate_limiter(1000)) as bot:  # as the bot runs
        await make_sender(bot, database, clock, settings.topics).drain()
    assert [len(api.messages_for(chat_id)) for chat_id in (101, 102)] == [1, 0]
    assert [(record.levelname, record.getMessage()) for record in caplog.records] == [
        ("WARNING", "flood control: Telegram asked to wait 30s (chat 102)")]


class OverlapBot:
    """Wraps a real Bot and notes which sends overlap: each send lets the event loop run a few times
    before it reaches the stand-in, as a round trip to Telegram would."""

    def __init__(self, bot: Bot) -> None:
        self._bot = bot
        self.in_flight: list[int] = []
        self.most_at_once = 0
        self.most_to_one_chat = 0

    async def send_message(self, **kwargs: object) -> object:
        chat_id = kwargs["chat_id"]
        assert isinstance(chat_id, int)
        self.in_flight.append(chat_id)
        self.most_at_once = max(self.most_at_once, len(self.in_flight))
        self.most_to_one_chat = max(self.most_to_one_chat, self.in_flight.count(chat_id))
        try:
            for _ in range(20):
                await asyncio.sleep(0)
            return await self._bot.send_message(**kwargs)  # type: ignore[arg-type]
        finally:
            self.in_flight.remove(chat_id)


async def test_several_sends_are_in_flight_at_once_but_never_two_to_one_chat(
        api: BotApiStandIn, telegram_bot: Bot, database: Database, settings: Settings, clock: FakeClock) -> None:
    for chat_id in range(101, 111):
        await add_chat(database, chat_id, topics=["sanctions"])
    await fan_out(database, [await sanctions_story(database, f"Sanción {n} de la OFAC") for n in range(2)], clock)
    overlapping = OverlapBot(telegram_bot)
    sender = make_sender(overlapping, database, clock, settings.topics, concurrency=4)

    # The drain and two other messages to a chat it is serving (a digest, /digest now) all at once.
    await asyncio.gather(sender.drain(), sender.transmit(101, "resumen 1"), sender.transmit(101, "resumen 2"))

    assert overlapping.most_at_once == 4  # every slot used: a round trip no longer caps the rate
    assert overlapping.most_to_one_chat == 1  # a crash can repeat at most one message per chat
    assert all(len(api.messages_for(chat_id)) == 2 for chat_id in range(102, 111))
    assert len(api.messages_for(101)) == 4
