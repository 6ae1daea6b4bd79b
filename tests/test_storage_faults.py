"""Never twice, whatever the database does, against the real `bot.py run` in the middle of a fan-out to 300
chats: the disk fills up, the disk turns read-only, PostgreSQL goes away and comes back.

The rule (delivery/sender.py, docs/design.md): a message Telegram accepted whose 'sent' mark cannot be written
is remembered and never sent again by this process, and nothing more goes out until the marks are on
record. So while the process lives, each chat gets the alert exactly once, and what waited goes out when
the database is back, without a restart. Only a process that ends owing marks (here: the read-only disk,
which needs a restart to mend) sends those again: the messages in flight at the fault, one per chat.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from delivery.outcome import SendPolicy
from storage.instance import LOCK_KEY
from tests.support.botapi import BotApiStandIn
from tests.support.botprocess import BotProcess, prepare_database, recent_rss, write_config
from tests.support.disks import ext4_disk, fill, small_tmpfs
from tests.support.feedserver import FeedServer, running_server
from tests.support.postgres import PrivateCluster, private_cluster

pytestmark = pytest.mark.process

TOKEN = "555002:storage-faults-test-token"
CHATS = set(range(30_000, 30_300))
ALERT = "EE.UU. sanciona a tres exfuncionarios venezolanos por corrupción"
SENT_UNRECORDED = "Telegram took a message but the database could not record it"
STILL_FAILING = "the database still cannot record"
BACK = "the database is back"


@pytest.fixture
async def feed_server() -> AsyncIterator[FeedServer]:
    async for server in running_server():
        yield server


def bot_for(folder: Path, database: Path | str, api: BotApiStandIn, feed_server: FeedServer) -> BotProcess:
    feed = feed_server.route("/f", recent_rss([("s1", ALERT)], site="noticias.example"))
    config = write_config(folder, base_url=api.base_url, feeds=[("Noticias", feed)], database=database,
                          max_messages_per_second=1000,
                          schedule={"fetch_interval_seconds": 3600, "send_interval_seconds": 0.2})
    return BotProcess(config, token=TOKEN, cwd=folder)


def copies(api: BotApiStandIn) -> Counter[int]:
    return Counter(message.chat_id for message in api.sent if ALERT in message.plain_text)


async def fan_out_under_way(api: BotApiStandIn, bot: BotProcess) -> None:
    await bot.wait_for_line("ready: the database is open", timeout=60)
    await api.wait_for(lambda: len(copies(api)) >= 40, timeout=60, what="the fan-out under way")


async def every_chat_has_it(api: BotApiStandIn) -> None:
    await api.wait_for(lambda: set(copies(api)) >= CHATS, timeout=90, what="every chat has the alert")


async def test_a_disk_that_fills_up_mid_fan_out_sends_nothing_twice_and_the_rest_once_it_has_room(
        tmp_path: Path, feed_server: FeedServer) -> None:
    with small_tmpfs(tmp_path / "disk", "16m") as disk:
        database = await prepare_database(f"sqlite+aiosqlite:///{disk / 'bot.sqlite3'}", chats=sorted(CHATS))
        async with BotApiStandIn(token=TOKEN) as api:
            api.answer_delay = 0.02  # so that the fan-out is still under way when the disk fills
            bot = bot_for(tmp_path, database, api, feed_server)
            await bot.start()
            try:
                await fan_out_under_way(api, bot)
                filler = fill(disk)
                await bot.wait_for_line(SENT_UNRECORDED, timeout=30)
                seen = len(bot.lines)
                await bot.wait_for_line(STILL_FAILING, timeout=30, after=seen)  # drains went on while full
                while_full = copies(api)
                assert max(while_full.values()) == 1 and len(while_full) < len(CHATS), while_full
                filler.unlink()
                await bot.wait_for_line(BACK, timeout=30)
                await every_chat_has_it(api)
            finally:
                assert await bot.stop() == 0, bot.output[-3000:]
    assert set(copies(api)) == CHATS and max(copies(api).values()) == 1, "one process: never twice"
    assert "Traceback" not in bot.output, bot.output[-3000:]
    print(f"disk full after {len(while_full)} chats; the other {len(CHATS) - len(while_full)} got it once it "
          "had room")


async def test_a_disk_turned_read_only_mid_fan_out_repeats_nothing_and_after_repair_at_most_the_unrecorded(
        tmp_path: Path, feed_server: FeedServer) -> None:
    with ext4_disk(tmp_path) as disk:
        database = await prepare_database(f"sqlite+aiosqlite:///{disk.mount / 'bot.sqlite3'}", chats=sorted(CHATS))
        async with BotApiStandIn(token=TOKEN) as api:
            api.answer_delay = 0.02
            bot = bot_for(tmp_path, database, api, feed_server)
            await bot.start()
            try:
                await fan_out_under_way(api, bot)
                disk.fail()
                await bot.wait_for_line(SENT_UNRECORDED, timeout=30)
                await bot.wait_for_line(STILL_FAILING, timeout=30, after=len(bot.lines))
                while_read_only = copies(api)
                assert max(while_read_only.values()) == 1, while_read_only
            finally:
                first_status = await bot.stop(timeout=15)
            assert first_status == 0, bot.output[-3000:]
            disk.repair()  # what an operator does: unmount, e2fsck, mount; then starts the bot again
            again = bot_for(tmp_path, database, api, feed_server)
            await again.start()
            try:
                await every_chat_has_it(api)
            finally:
                assert await again.stop() == 0, again.output[-3000:]
    twice = [chat for chat, count in copies(api).items() if count == 2]
    assert set(copies(api)) == CHATS and max(copies(api).values()) <= 2
    assert len(twice) <= SendPolicy().concurrency, f"only the messages in flight at the fault may come again: {twice}"
    print(f"read-only after {len(while_read_only)} chats; after the repair {len(twice)} chat(s) got it twice")


@asynccontextmanager
async def bot_on_its_own_postgresql(tmp_path: Path, feed_server: FeedServer
                                    ) -> AsyncIterator[tuple[PrivateCluster, BotApiStandIn, BotProcess]]:
    """The real bot, started, on a PostgreSQL server the test may stop (the shared one must stay up)."""
    with private_cluster() as cluster:
        await prepare_database(cluster.url, chats=sorted(CHATS))
        async with BotApiStandIn(token=TOKEN) as api:
            api.answer_delay = 0.02
            bot = bot_for(tmp_path, cluster.url, api, feed_server)
            await bot.start()
            yield cluster, api, bot


async def test_postgresql_going_away_mid_fan_out_repeats_nothing_and_the_rest_goes_out_when_it_is_back(
        tmp_path: Path, feed_server: FeedServer) -> None:
    async with bot_on_its_own_postgresql(tmp_path, feed_server) as (cluster, api, bot):
        try:
            await fan_out_under_way(api, bot)
            cluster.stop("immediate")  # a crash of the server: every session cut at once
            await bot.wait_for_line("cannot be reached to take the active-instance lock again", timeout=30)
            while_down = copies(api)
            assert max(while_down.values()) == 1 and len(while_down) < len(CHATS), while_down
            cluster.start()
            await bot.wait_for_line("the active-instance lock is held again", timeout=30)
            await every_chat_has_it(api)
        finally:
            assert await bot.stop() == 0, bot.output[-3000:]
    assert set(copies(api)) == CHATS and max(copies(api).values()) == 1, "one process: never twice"
    print(f"PostgreSQL down after {len(while_down)} chats; the rest went out once it was back")


async def test_an_instance_whose_lock_session_is_cut_and_taken_by_another_stops_sending(
        tmp_path: Path, feed_server: FeedServer) -> None:
    """A PostgreSQL lock lives as long as its session. Cut that session (a restart, a dropped connection)
    while a standby waits for the lock: the standby gets it, and the old holder must notice and stop, not
    go on sending beside it."""
    async with bot_on_its_own_postgresql(tmp_path, feed_server) as (cluster, api, bot):
        other = create_async_engine(cluster.url)
        try:
            await fan_out_under_way(api, bot)
            async with other.connect() as standby, other.connect() as operator:
                waiting = asyncio.create_task(
                    standby.execute(text("SELECT pg_advisory_lock(:key)"), {"key": LOCK_KEY}))
                await operator.execute(text(
                    "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                    "AND pid <> pg_backend_pid()"))
                await asyncio.wait_for(waiting, 30)  # the "standby" holds the lock now
                assert await bot.exited() == 3, bot.output[-3000:]
                sent_by_the_old_holder = copies(api)
        finally:
            await other.dispose()
            await bot.stop()
    errors = [line for line in bot.lines if " ERROR " in line]
    assert any("another instance took the active-instance lock" in line for line in errors), bot.output[-3000:]
    assert max(sent_by_the_old_holder.values()) == 1
    assert "Traceback" not in bot.output, bot.output[-3000:]
