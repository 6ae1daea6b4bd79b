"""Crash safety of the real `bot.py run` process: SIGKILL in the middle of a fan-out to 1,000 chats, and in
the middle of an ingestion cycle; then a restart on the same database.

- The fan-out: every chat gets the alert, and only a message that was in flight when the process died
  can arrive twice: a SIGKILL repeats at most one message per chat (checked at the Bot API stand-in).
- Ingestion: no half-stored story and no lost item: every item of every feed is stored exactly once,
  every story has items and the right count of them, topics and deliveries agree with the items, and
  nothing points at a row that is not there.

The bot runs against the Bot API stand-in (with Telegram's overall rate limit lifted through
`telegram.max_messages_per_second`, so 1,000 messages take seconds, not half a minute) and a loopback feed
server. The test waits for the bot to do things (messages at the stand-in, requests at the feed server,
log lines), never for time to pass.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from delivery.outcome import SendPolicy
from feeds.classify import compile_classifier
from settings import load
from storage.engine import Database
from storage.tables import deliveries, feeds, item_topics, items, stories
from tests.support.botapi import BotApiStandIn
from tests.support.botprocess import REPO, BotProcess, prepare_database, recent_rss, write_config
from tests.support.feedserver import FeedServer, running_server

pytestmark = pytest.mark.process

TOKEN = "555000:crash-safety-test-token"
CHATS = 1_000
FIRST_CHAT = 10_000
SANCTIONS = "EE.UU. impone nuevas sanciones a funcionarios venezolanos"
SHIPPED = load(REPO / "config.toml")


@pytest.fixture
async def feed_server() -> AsyncIterator[FeedServer]:
    async for server in running_server():
        yield server


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


# --------------------------------------------------------------------------------------------------
# SIGKILL in the middle of a fan-out


async def test_a_kill_in_the_middle_of_a_fan_out_loses_no_alert(tmp_path: Path, feed_server: FeedServer) -> None:
    await prepare_database(sqlite_url(tmp_path / "bot.sqlite3"), chats=range(FIRST_CHAT, FIRST_CHAT + CHATS))
    url = feed_server.route("/feed", recent_rss([("s1", SANCTIONS)], site="noticias.example"))
    async with BotApiStandIn(token=TOKEN) as api:
        config = write_config(tmp_path, base_url=api.base_url, feeds=[("Noticias", url)],
                              database=tmp_path / "bot.sqlite3", max_messages_per_second=1000,
                              schedule={"fetch_interval_seconds": 3600, "send_interval_seconds": 0.2})
        chats = set(range(FIRST_CHAT, FIRST_CHAT + CHATS))

        first = BotProcess(config, token=TOKEN, cwd=tmp_path)
        await first.start()
        try:
            await api.wait_for(lambda: len(api.sent) >= 300, timeout=60, what="300 alerts sent before the kill")
        finally:
            await first.kill()
        before = len(api.sent)
        assert before < CHATS, "the kill came in the middle of the fan-out"

        second = BotProcess(config, token=TOKEN, cwd=tmp_path)
        await second.start()
        try:
            await api.wait_for(lambda: chats <= {message.chat_id for message in api.sent}, timeout=60,
                               what="every chat has the alert after the restart")
        finally:
            assert await second.stop() == 0, second.output[-3000:]

    copies = Counter(message.chat_id for message in api.sent)
    assert set(copies) == chats
    twice = sorted(chat for chat, count in copies.items() if count > 1)
    assert all(copies[chat] == 2 for chat in twice)
    # Only a message in flight when the process died can be sent again: at most one per chat (each chat got
    # the alert at most twice, above), and no more chats than there are send slots.
    assert len(twice) <= SendPolicy().concurrency, twice
    assert all(SANCTIONS in message.plain_text for message in api.sent)
    print(f"killed after {before} messages; {len(twice)} chat(s) got the alert twice")


# --------------------------------------------------------------------------------------------------
# SIGKILL in the middle of an ingestion cycle

FEEDS = 40
ITEMS = 25  # per feed
WAVE = 10  # feeds answered at once; then as many when the first are stored; the others after the restart
SUBSCRIBERS = range(1, 6)  # chats following sanctions
SHARED = [  # the first items of every feed: one event from many outlets, to be clustered together
    SANCTIONS,
    "El CNE de Venezuela fija la fecha de las elecciones regionales",
    "Docentes marchan en Caracas por salarios dignos",
    "Gobierno y oposición retoman el diálogo en Barbados",
    "La Unión Europea renueva sus sanciones contra Venezuela",
]


def feed_items(feed: int) -> list[tuple[str, str]]:
    return [(f"f{feed}-{n}", SHARED[n] if n < len(SHARED) else f"Noticia número {feed * 100 + n} sobre el Zulia")
            for n in range(ITEMS)]


async def check_consistency(url: str, *, complete: bool) -> dict[str, int]:
    """What a crash must never leave behind, read from the database the killed bot wrote."""
    classifier = compile_classifier(SHIPPED.topics, SHIPPED.classifier)
    database = Database(url)
    try:
        async with database.transaction() as session:
            rows = (await session.execute(select(items.c.id, items.c.guid, items.c.title, items.c.summary,
                                                 items.c.story_id, items.c.published_at, feeds.c.name)
                                          .join(feeds, feeds.c.id == items.c.feed_id))).all()
            story_rows = (await session.execute(select(stories.c.id, stories.c.source_count))).all()
            topic_rows = (await session.execute(select(item_topics))).all()
            delivery_rows = (await session.execute(select(deliveries.c.chat_id, deliveries.c.story_id))).all()
            feed_count = (await session.execute(select(func.count()).select_from(feeds))).scalar_one()
    finally:
        await database.close()

    # Every item stored once, and a feed's items all together or not at all (one transaction per group).
    per_feed: dict[str, set[str]] = {}
    for row in rows:
        per_feed.setdefault(row.name, set()).add(row.guid)
    assert len(rows) == sum(map(len, per_feed.values())), "an item is stored twice"
    for name, guids in per_feed.items():
        assert guids == {guid for guid, _ in feed_items(int(name[4:]))}, f"{name} is half stored"
    if complete:
        assert len(per_feed) == feed_count == FEEDS, "an item was lost"

    # Every story has its items, and counts them right; no item points at a missing story.
    by_story = Counter(row.story_id for row in rows)
    assert {story.id: story.source_count for story in story_rows} == dict(by_story)

    # Topics: exactly what the classifier says for each stored item, on the item's own story.
    item_by_id = {row.id: row for row in rows}
    topics: dict[int, set[str]] = {}
    for topic in topic_rows:
        item = item_by_id[topic.item_id]
        assert (topic.story_id, topic.published_at) == (item.story_id, item.published_at)
        topics.setdefault(topic.item_id, set()).add(topic.topic)
    for row in rows:
        expected = set(classifier.classify(row.title, row.summary, SHIPPED.feeds[0].scope).topics)
        assert topics.get(row.id, set()) == expected, row.title

    # The fan-out went in with the stories: each sanctions story, to each subscriber, exactly once.
    sanctioned = {item_by_id[topic.item_id].story_id for topic in topic_rows if topic.topic == "sanctions"}
    assert Counter(delivery_rows) == Counter((chat, story) for story in sanctioned for chat in SUBSCRIBERS)
    return {"items": len(rows), "stories": len(story_rows), "feeds": len(per_feed)}


async def test_a_kill_in_the_middle_of_ingestion_leaves_no_half_stored_story_and_loses_no_item(
        tmp_path: Path, feed_server: FeedServer) -> None:
    url = await prepare_database(sqlite_url(tmp_path / "bot.sqlite3"), chats=SUBSCRIBERS)
    second_wave, later = feed_server.gate(), feed_server.gate()
    urls = [feed_server.route(f"/feed{feed}", recent_rss(feed_items(feed), site=f"medio{feed}.example"),
                              gate=None if feed < WAVE else second_wave if feed < 2 * WAVE else later)
            for feed in range(FEEDS)]
    concurrency = SHIPPED.fetch.concurrency
    assert 2 * WAVE + concurrency < FEEDS, "some feeds are still waiting for a fetch slot at the kill"

    async with BotApiStandIn(token=TOKEN) as api:
        config = write_config(tmp_path, base_url=api.base_url, database=tmp_path / "bot.sqlite3",
                              feeds=[(f"feed{feed}", feed_url) for feed, feed_url in enumerate(urls)],
                              schedule={"fetch_interval_seconds": 3600, "send_interval_seconds": 0.2})
        first = BotProcess(config, token=TOKEN, cwd=tmp_path)
        await first.start()
        try:
            # The first wave is stored (its alerts go out: the outbox is written with the stories)...
            await api.wait_for(lambda: len(api.sent) > 0, timeout=60, what="an alert from the first wave")
            # ... the second is fetched and read (each of its feeds gave its fetch slot to a waiting one),
            # and is being stored when the process dies.
            second_wave.set()
            await feed_server.wait_for_requests(2 * WAVE + concurrency, timeout=60)
        finally:
            await first.kill()
        at_kill = await check_consistency(url, complete=False)
        assert WAVE <= at_kill["feeds"] < FEEDS

        later.set()
        second = BotProcess(config, token=TOKEN, cwd=tmp_path)
        await second.start()
        try:
            await second.wait_for_line(rf"ingestion: {FEEDS} feeds: ", timeout=60)
        finally:
            assert await second.stop() == 0, second.output[-3000:]
    after = await check_consistency(url, complete=True)
    assert after["items"] == FEEDS * ITEMS
    print(f"at the kill: {at_kill}; after the restart: {after}")


# --------------------------------------------------------------------------------------------------
# SIGTERM whatever the bot is doing: out within 10 s, only the messages in flight finish


async def test_sigterm_in_the_middle_of_a_slow_fan_out_and_a_stuck_fetch_ends_the_process_within_10_s(
        tmp_path: Path, feed_server: FeedServer) -> None:
    await prepare_database(sqlite_url(tmp_path / "bot.sqlite3"), chats=range(FIRST_CHAT, FIRST_CHAT + 200))
    never = feed_server.gate()  # one feed never answers: a cycle is in progress when the signal comes
    url = feed_server.route("/feed", recent_rss([("s1", SANCTIONS)], site="noticias.example"))
    stuck = feed_server.route("/stuck", recent_rss([("s2", "Otra noticia")], site="lento.example"), gate=never)
    async with BotApiStandIn(token=TOKEN) as api:
        api.answer_delay = 2.0  # Telegram slow to answer: 200 chats would take 400 s
        config = write_config(tmp_path, base_url=api.base_url, feeds=[("Noticias", url), ("Lento", stuck)],
                              database=tmp_path / "bot.sqlite3", max_messages_per_second=1000,
                              schedule={"fetch_interval_seconds": 3600, "send_interval_seconds": 0.2})
        bot = BotProcess(config, token=TOKEN, cwd=tmp_path)
        await bot.start()
        try:
            await api.wait_for(lambda: len(api.sent) >= 2, timeout=60, what="the fan-out under way")
            await feed_server.wait_for_requests(2, timeout=60)
        except BaseException:
            await bot.kill()
            raise
        at_signal = len(api.sent)
        started = asyncio.get_running_loop().time()
        try:
            code = await bot.stop(timeout=30)
        except TimeoutError:
            await bot.kill()
            raise AssertionError(f"still running 30 s after SIGTERM:\n{bot.output[-4000:]}") from None
        assert code == 0, bot.output[-3000:]
        took = asyncio.get_running_loop().time() - started
    assert took < 10, f"{took:.1f} s from SIGTERM to exit"
    # Only the messages already in flight (one per send slot at most) may go out after the signal.
    assert len(api.sent) <= at_signal + SendPolicy().concurrency, (at_signal, len(api.sent))
    print(f"out {took:.1f} s after SIGTERM; {at_signal} messages sent before it, {len(api.sent)} in all")


# --------------------------------------------------------------------------------------------------
# A feed whose fields are built to make the normaliser backtrack (issue 13, rule 1)


def hostile_rss(site: str) -> bytes:
    """Titles and summaries of the shapes that once took the tag pattern minutes ('<a' x 5,000 took longer
    than a cycle), escaped so that they reach the normaliser as markup."""
    from html import escape

    fields = ["<a" * 5_000, "<a '" * 4_000, "<!--" * 5_000, '<a href="' * 3_000, "&#" * 8_000]
    entries = "".join(f"<item><title>{escape(shape)}</title><description>{escape(shape * 4)}</description>"
                      f"<guid>h{number}</guid><link>https://{site}/h{number}</link></item>"
                      for number, shape in enumerate(fields))
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{site}</title>'
            f"<link>https://{site}/</link>{entries}</channel></rss>").encode()


async def test_feeds_of_hostile_fields_under_run_delay_no_other_feed_and_sigterm_still_works(
        tmp_path: Path, feed_server: FeedServer) -> None:
    database = tmp_path / "bot.sqlite3"
    await prepare_database(sqlite_url(database), chats=[FIRST_CHAT])
    hostile = [feed_server.route(f"/hostile{n}", hostile_rss(f"hostil{n}.example")) for n in (1, 2)]
    url = feed_server.route("/feed", recent_rss([("s1", SANCTIONS)], site="noticias.example"))
    async with BotApiStandIn(token=TOKEN) as api:
        config = write_config(tmp_path, base_url=api.base_url, database=database,
                              feeds=[("Hostil 1", hostile[0]), ("Hostil 2", hostile[1]), ("Noticias", url)],
                              schedule={"fetch_interval_seconds": 3600, "send_interval_seconds": 0.2})
        bot = BotProcess(config, token=TOKEN, cwd=tmp_path)
        await bot.start()
        try:
            await api.wait_for(lambda: any(SANCTIONS in m.plain_text for m in api.messages_for(FIRST_CHAT)),
                               timeout=60, what="the ordinary feed's alert")
            cycle = await bot.wait_for_line(r"ingestion: 3 feeds: ", timeout=60)
        finally:
            code = await bot.stop(timeout=15)
        assert code == 0, bot.output[-3000:]
    assert "3 read" in cycle and "0 failed" in cycle, cycle
    print(cycle)
