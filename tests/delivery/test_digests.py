"""Daily digests: the pure 'when' (time zones, daylight saving, missed digests) and 'what' (grouping,
ranking, caps), then the service through the Bot API stand-in with a FakeClock."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time, timedelta

import pytest
from telegram import Bot

from delivery.digests import (
    DigestService,
    Occurrence,
    digest_window,
    latest_occurrence,
    next_digest_due,
    occurrence_on,
    select_digest,
)
from delivery.render import MAX_MESSAGE, visible_length
from delivery.sender import Sender
from model import Chat, ChatMode, Source, Story
from settings import Settings
from storage import digests as digest_store
from storage.engine import Database
from tests.support.botapi import BotApiStandIn, parse_html
from tests.support.builders import add_story
from tests.support.chats import add_chat
from tests.support.clock import FakeClock
from tests.support.delivery import CrashingBot, make_sender


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def chat(timezone: str = "America/Caracas", at: time | None = time(8, 0)) -> Chat:
    return Chat(id=1, type="private", language="es", timezone=timezone, digest_time=at, mode=ChatMode.INSTANT,
                active=True)


# ---------------------------------------------------------------------------------------------------
# When


@pytest.mark.parametrize(
    ("subject", "last", "now", "expected"),
    [
        pytest.param(chat(), None, utc(2026, 11, 23, 12, 0, 30), Occurrence(date(2026, 11, 23), utc(2026, 11, 23, 12)),
                     id="08:00 in Caracas is 12:00 UTC all year (no daylight saving)"),
        pytest.param(chat(), None, utc(2026, 6, 23, 12, 0, 30), Occurrence(date(2026, 6, 23), utc(2026, 6, 23, 12)),
                     id="the same in June"),
        pytest.param(chat(), None, utc(2026, 11, 23, 11, 59), None, id="not before its time"),
        pytest.param(chat(), None, utc(2026, 11, 23, 17, 59), Occurrence(date(2026, 11, 23), utc(2026, 11, 23, 12)),
                     id="missed while the bot was down: still goes out within 6 hours"),
        pytest.param(chat(), None, utc(2026, 11, 23, 18, 1), None, id="more than 6 hours late: skipped"),
        pytest.param(chat(), utc(2026, 11, 23, 12, 0, 5), utc(2026, 11, 23, 12, 1), None,
                     id="already made since its time"),
        pytest.param(chat(), utc(2026, 11, 22, 12, 0, 5), utc(2026, 11, 23, 12, 1),
                     Occurrence(date(2026, 11, 23), utc(2026, 11, 23, 12)), id="yesterday's does not count"),
        pytest.param(chat(at=None), None, utc(2026, 11, 23, 12, 1), None, id="digest off"),
        pytest.param(chat("Europe/Madrid"), None, utc(2026, 3, 28, 7, 0, 30),
                     Occurrence(date(2026, 3, 28), utc(2026, 3, 28, 7)), id="Madrid in winter time: 07:00 UTC"),
        pytest.param(chat("Europe/Madrid"), None, utc(2026, 3, 29, 6, 0, 30),
                     Occurrence(date(2026, 3, 29), utc(2026, 3, 29, 6)),
                     id="Madrid the morning the clocks went forward: 06:00 UTC"),
        pytest.param(chat("Europe/Madrid"), None, utc(2026, 10, 25, 7, 0, 30),
                     Occurrence(date(2026, 10, 25), utc(2026, 10, 25, 7)),
                     id="Madrid the morning the clocks went back: 07:00 UTC"),
        pytest.param(chat("America/New_York", time(2, 30)), None, utc(2026, 3, 8, 7, 31),
                     Occurrence(date(2026, 3, 8), utc(2026, 3, 8, 7, 30)),
                     id="a time skipped by the spring jump (02:30) goes out just after it (03:30 EDT)"),
        pytest.param(chat("America/New_York", time(1, 30)), utc(2026, 11, 1, 5, 30, 10), utc(2026, 11, 1, 6, 45),
                     None, id="a time repeated in autumn (01:30) goes out once, the first time"),
    ],
)
def test_next_digest_due(subject: Chat, last: datetime | None, now: datetime, expected: Occurrence | None) -> None:
    assert next_digest_due(subject, last, now) == expected


def test_the_autumn_repeated_time_is_its_first_occurrence() -> None:
    assert occurrence_on(date(2026, 11, 1), time(1, 30), "America/New_York") == utc(2026, 11, 1, 5, 30)
    assert latest_occurrence(time(1, 30), "America/New_York", utc(2026, 11, 1, 6, 45)) == Occurrence(
        date(2026, 11, 1), utc(2026, 11, 1, 5, 30))


@pytest.mark.parametrize(
    ("last", "expected_since"),
    [pytest.param(None, utc(2026, 11, 22, 12), id="first digest: the last 24 hours"),
     pytest.param(utc(2026, 11, 23, 3), utc(2026, 11, 23, 3), id="since the previous digest"),
     pytest.param(utc(2026, 11, 20, 12), utc(2026, 11, 22, 12), id="never more than 24 hours back")],
)
def test_digest_window(last: datetime | None, expected_since: datetime) -> None:
    assert digest_window(last, utc(2026, 11, 23, 12)) == (expected_since, utc(2026, 11, 23, 12))


# ---------------------------------------------------------------------------------------------------
# What


def story(story_id: int, topics: tuple[str, ...], sources: int = 1, hour: int = 9) -> Story:
    return Story(id=story_id, title=f"Historia {story_id}", link=f"https://x.org/{story_id}",
                 published_at=utc(2026, 11, 23, hour), topics=topics,
                 sources=tuple(Source(f"Medio {n}", "https://x.org", "t") for n in range(sources)))


def test_select_digest_groups_by_topic_most_reported_first_each_story_once_at_most_ten() -> None:
    stories = [story(1, ("cne",), sources=1), story(2, ("cne", "sanctions"), sources=4),
               story(3, ("sanctions",), sources=2), story(4, ("protests",)), story(5, ()),
               *(story(100 + n, ("dialogue",), hour=n) for n in range(12))]
    sections = select_digest(
        stories, topic_order=["protests", "sanctions", "cne", "dialogue"], chat_topics={"cne", "sanctions", "dialogue"},
        topic_names={"sanctions": "Sanciones", "cne": "CNE", "dialogue": "Diálogo"}, keyword_hits={5: ["maduro"], 1: ["x"]})
    assert [(s.topic_name, s.phrase, [x.id for x in s.stories], s.more) for s in sections] == [
        ("Sanciones", None, [2, 3], 0),  # configured order; most-reported first; 2 is not repeated under CNE
        ("CNE", None, [1], 0),
        ("Diálogo", None, [111, 110, 109, 108, 107, 106, 105, 104, 103, 102], 2),  # at most 10, newest first on ties
        (None, "maduro", [5], 0),  # a keyword alert's stories that no followed topic has
    ]


# ---------------------------------------------------------------------------------------------------
# The service, through the stand-in


def digests(telegram_bot: object, database: Database, clock: FakeClock, settings: Settings, **policy: object) -> DigestService:
    return DigestService(make_sender(telegram_bot, database, clock, settings.topics, **policy), database, clock,
                         settings.topics)


async def seen(database: Database, title: str, at: datetime, topics: dict[str, tuple[str, ...]],
               **kwargs: object) -> int:
    """A story first seen at `at` (published a little before)."""
    return await add_story(database, title=title, published_at=at - timedelta(minutes=10), fetched_at=at,
                           topics=topics, **kwargs)  # type: ignore[arg-type]


async def test_digest_time_in_two_time_zones(api: BotApiStandIn, telegram_bot: Bot, database: Database, settings: Settings,
                                             clock: FakeClock) -> None:
    await add_chat(database, 1, topics=["sanctions"], timezone="America/Caracas")  # 08:00 = 12:00 UTC
    await add_chat(database, 2, topics=["sanctions"], timezone="Europe/Madrid", language="en")  # 08:00 = 07:00 UTC
    await seen(database, "OFAC sanciona a funcionarios", utc(2026, 11, 23, 5), {"sanctions": ("ofac",)})
    service = digests(telegram_bot, database, clock, settings)

    clock.set(utc(2026, 11, 23, 6, 59))
    await service.tick()
    assert api.sent == []
    clock.set(utc(2026, 11, 23, 7, 0, 20))
    await service.tick()
    assert [m.chat_id for m in api.sent] == [2]
    assert api.sent[0].plain_text.startswith("📰 Daily digest · 23 Nov 2026\n\n▸ Sanctions\nOFAC sanciona")
    clock.set(utc(2026, 11, 23, 12, 0, 20))
    await service.tick()
    assert [m.chat_id for m in api.sent] == [2, 1]
    assert api.sent[1].plain_text.startswith("📰 Resumen diario · 23/11/2026\n\n▸ Sanciones\nOFAC sanciona")
    clock.set(utc(2026, 11, 23, 13))
    await service.tick()
    assert len(api.sent) == 2


async def test_a_digest_goes_out_once_per_day_across_restarts(api: BotApiStandIn, telegram_bot: Bot, database_url: str,
                                                               settings: Settings, clock: FakeClock) -> None:
    first = Database(database_url)
    await first.create_schema()
    await add_chat(first, 1, topics=["cne"])
    await seen(first, "El CNE fija la fecha", utc(2026, 11, 23, 10), {"cne": ("cne",)})
    clock.set(utc(2026, 11, 23, 12, 0, 30))
    await digests(telegram_bot, first, clock, settings).tick()
    await first.close()

    clock.advance(minutes=1)
    second = Database(database_url)  # the bot restarted
    await seen(second, "El CNE publica el cronograma", utc(2026, 11, 23, 12, 1), {"cne": ("cne",)})
    await digests(telegram_bot, second, clock, settings).tick()
    clock.set(utc(2026, 11, 24, 12, 0, 30))
    await digests(telegram_bot, second, clock, settings).tick()

    assert [m.plain_text.count("El CNE") for m in api.messages_for(1)] == [1, 1]  # today's, then tomorrow's
    async with second.transaction() as session:
        assert [(d.local_date, d.status) for d in await digest_store.digest_records(session, 1)] == [
            ("2026-11-23", "sent"), ("2026-11-24", "sent")]
    await second.close()


async def test_a_missed_digest_goes_out_within_6_hours_and_an_older_one_is_skipped(
        api: BotApiStandIn, telegram_bot: Bot, database: Database, settings: Settings, clock: FakeClock) -> None:
    await add_chat(database, 1, topics=["cne"], timezone="America/Caracas")  # due 12:00 UTC
    await add_chat(database, 2, topics=["cne"], timezone="Europe/Madrid")  # due 07:00 UTC
    await seen(database, "El CNE fija la fecha", utc(2026, 11, 23, 4), {"cne": ("cne",)})
    clock.set(utc(2026, 11, 23, 13, 30))  # the bot comes back after being down since before 07:00 UTC

    await digests(telegram_bot, database, clock, settings).tick()

    assert len(api.messages_for(1)) == 1  # 1.5 hours late: sent
    assert api.messages_for(2) == []  # 6.5 hours late: skipped


async def test_an_empty_digest_is_not_sent(api: BotApiStandIn, telegram_bot: Bot, database: Database, settings: Settings,
                                           clock: FakeClock) -> None:
    await add_chat(database, 1, topics=["protests"])
    await seen(database, "El CNE fija la fecha", utc(2026, 11, 23, 10), {"cne": ("cne",)})
    clock.set(utc(2026, 11, 23, 12, 0, 30))

    report = await digests(telegram_bot, database, clock, settings).tick()

    assert api.sent == [] and report.empty == 1
    async with database.transaction() as session:
        assert [d.status for d in await digest_store.digest_records(session, 1)] == ["empty"]


async def test_the_digest_covers_the_stories_since_the_previous_one(
        api: BotApiStandIn, telegram_bot: Bot, database: Database, settings: Settings, clock: FakeClock) -> None:
    await add_chat(database, 1, topics=["cne"], last_digest_at=utc(2026, 11, 23, 6))
    await seen(database, "Antes del último resumen", utc(2026, 11, 23, 5), {"cne": ("cne",)})
    await seen(database, "Después del último resumen", utc(2026, 11, 23, 7), {"cne": ("cne",)})
    clock.set(utc(2026, 11, 23, 12, 0, 30))

    await digests(telegram_bot, database, clock, settings).tick()

    [message] = api.messages_for(1)
    assert "Después del último resumen" in message.plain_text and "Antes" not in message.plain_text


async def test_an_old_backlog_first_seen_today_stays_out_of_the_digest(
        api: BotApiStandIn, telegram_bot: Bot, database: Database, settings: Settings, clock: FakeClock) -> None:
    await add_chat(database, 1, topics=["cne"], last_digest_at=utc(2026, 11, 22, 12))
    await add_story(database, title="Archivo: el CNE de 2024", published_at=utc(2026, 11, 10),
                    fetched_at=utc(2026, 11, 23, 9), topics={"cne": ("cne",)})  # a new feed's old piece
    await add_story(database, title="Llegó tarde pero es de ayer", published_at=utc(2026, 11, 22, 2),
                    fetched_at=utc(2026, 11, 23, 9), topics={"cne": ("cne",)})  # a slow feed
    clock.set(utc(2026, 11, 23, 12, 0, 30))

    await digests(telegram_bot, database, clock, settings).tick()

    [message] = api.messages_for(1)
    assert "Llegó tarde pero es de ayer" in message.plain_text and "Archivo" not in message.plain_text


async def test_digest_mode_chats_get_their_topics_and_keyword_alerts(
        api: BotApiStandIn, telegram_bot: Bot, database: Database, settings: Settings, clock: FakeClock) -> None:
    await add_chat(database, 1, topics=["sanctions"], alerts=["machado"], mode="digest")
    await seen(database, "OFAC sanciona a funcionarios", utc(2026, 11, 23, 9), {"sanctions": ("ofac",)})
    await seen(database, "María Corina Machado reaparece en Caracas", utc(2026, 11, 23, 10), {})
    await seen(database, "Béisbol: Leones ganan", utc(2026, 11, 23, 11), {})
    clock.set(utc(2026, 11, 23, 12, 0, 30))

    await digests(telegram_bot, database, clock, settings).tick()

    [message] = api.messages_for(1)
    headings = [line for line in message.plain_text.split("\n") if line.startswith("▸")]
    assert headings == ["▸ Sanciones", "▸ Alerta: «machado»"]
    assert "Béisbol" not in message.plain_text


async def test_a_long_digest_is_split_on_story_boundaries(
        api: BotApiStandIn, telegram_bot: Bot, database: Database, settings: Settings, clock: FakeClock) -> None:
    topics = ["protests", "sanctions", "cne", "dialogue"]
    await add_chat(database, 1, topics=topics)
    long_words = "con un título larguísimo que ocupa casi toda la línea " * 5
    for topic in topics:
        for n in range(12):
            await seen(database, f"{topic} {n} {long_words}", utc(2026, 11, 23, 8) + timedelta(minutes=n),
                       {topic: (topic,)}, feed=f"Medio {n}")
    clock.set(utc(2026, 11, 23, 12, 0, 30))

    await digests(telegram_bot, database, clock, settings).tick()

    messages = api.messages_for(1)
    assert len(messages) > 1
    assert api.failures == []
    shown = []
    for message in messages:
        assert visible_length(message.text) <= MAX_MESSAGE
        parse_html(message.text)
        assert message.plain_text.startswith("📰 Resumen diario · 23/11/2026")
        shown += [line for line in message.plain_text.split("\n") if line.split(" ")[0] in topics]
    # every story whole and exactly once, 10 per topic at most, in the configured topic order
    assert [line.split(" ")[:2] for line in shown] == [
        [topic, str(n)] for topic in topics for n in range(11, 1, -1)]
    assert sum(m.plain_text.count("…y 2 más: /latest ") for m in messages) == 4


async def test_a_crash_in_the_middle_of_a_digest_resumes_at_the_next_part(
        api: BotApiStandIn, telegram_bot: Bot, database: Database, settings: Settings, clock: FakeClock) -> None:
    await add_chat(database, 1, topics=["cne", "sanctions"])
    for topic in ("cne", "sanctions"):
        for n in range(10):
            await seen(database, f"{topic} {n} " + "palabra " * 50, utc(2026, 11, 23, 8) + timedelta(minutes=n),
                       {topic: (topic,)})
    clock.set(utc(2026, 11, 23, 12, 0, 30))
    crashing = CrashingBot(telegram_bot, survive=1)
    tick = asyncio.create_task(digests(crashing, database, clock, settings).tick())
    await asyncio.wait_for(crashing.hanging.wait(), timeout=10)
    tick.cancel()
    with pytest.raises(asyncio.CancelledError):
        await tick

    await digests(telegram_bot, database, clock, settings).tick()  # after the restart

    async with database.transaction() as session:
        [record] = await digest_store.digest_records(session, 1)
    texts = [message.plain_text for message in api.messages_for(1)]
    assert record.status == "sent" and record.parts_sent == len(texts) > 1
    assert len(set(texts)) == len(texts)  # no part twice


async def test_send_digest_now(api: BotApiStandIn, telegram_bot: Bot, database: Database, settings: Settings,
                               clock: FakeClock) -> None:
    await add_chat(database, 1, topics=["cne"], digest_time=None)
    await add_chat(database, 2, topics=["protests"])
    await seen(database, "El CNE fija la fecha", utc(2026, 11, 23, 10), {"cne": ("cne",)})
    service = digests(telegram_bot, database, clock, settings)

    assert await service.send_now(1) == 1
    assert await service.send_now(1) == 0  # nothing new since
    assert await service.send_now(2) == 0  # nothing in its topics
    assert await service.send_now(999) == 0  # unknown chat
    assert [m.chat_id for m in api.sent] == [1]


def test_the_sender_type_is_shared() -> None:
    assert DigestService.__init__.__annotations__["sender"] in (Sender, "Sender")
