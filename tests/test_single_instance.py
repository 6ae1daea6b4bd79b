"""One active bot per database, enforced by the database (storage/instance.py), against the real `bot.py run`:
a second process says so in one line and stops; with --standby it waits, and takes over when the active one
dies (SIGKILL, in the middle of a fan-out): every chat gets the alert, at most twice, and only the chats a
message was in flight to at the kill (one per send slot) twice. On SQLite here, and on PostgreSQL when
.ci/run's cluster is there (the `database_url` fixture).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from delivery.outcome import SendPolicy
from tests.support.botapi import BotApiStandIn
from tests.support.botprocess import BotProcess, prepare_database, recent_rss, write_config
from tests.support.feedserver import FeedServer, running_server

pytestmark = pytest.mark.process

TOKEN = "555001:single-instance-test-token"
CHATS = range(20_000, 20_300)
ALERT = "EE.UU. impone nuevas sanciones a funcionarios venezolanos"


@pytest.fixture
async def feed_server() -> AsyncIterator[FeedServer]:
    async for server in running_server():
        yield server


async def config_for(tmp_path: Path, database_url: str, api: BotApiStandIn, feed_server: FeedServer) -> Path:
    await prepare_database(database_url, chats=CHATS)
    feed = feed_server.route("/f", recent_rss([("s1", ALERT)], site="noticias.example"))
    return write_config(tmp_path, base_url=api.base_url, feeds=[("Noticias", feed)],
                        database=database_url, max_messages_per_second=1000,
                        schedule={"fetch_interval_seconds": 3600, "send_interval_seconds": 0.2})


async def test_a_second_instance_on_the_same_database_says_so_and_stops(
        tmp_path: Path, database_url: str, feed_server: FeedServer) -> None:
    async with BotApiStandIn(token=TOKEN) as api:
        config = await config_for(tmp_path, database_url, api, feed_server)
        active = BotProcess(config, token=TOKEN, cwd=tmp_path)
        await active.start()
        try:
            await active.wait_for_line("ready: the database is open", timeout=60)
            second = BotProcess(config, token=TOKEN, cwd=tmp_path)
            await second.start()
            assert await second.exited() == 3, second.output[-3000:]
            errors = [line for line in second.lines if " ERROR " in line]
            assert len(errors) == 1 and "another instance is active on this database" in errors[0], second.output
            assert "Traceback" not in second.output
            calls = len(api.calls)
            await api.wait_for(lambda: len(api.calls) > calls, timeout=30, what="the first instance still polling")
        finally:
            assert await active.stop() == 0, active.output[-3000:]


async def test_a_standby_takes_over_from_an_instance_killed_mid_fan_out(
        tmp_path: Path, database_url: str, feed_server: FeedServer) -> None:
    chats = set(CHATS)
    async with BotApiStandIn(token=TOKEN) as api:
        api.answer_delay = 0.02  # so that the fan-out is still under way at the kill
        config = await config_for(tmp_path, database_url, api, feed_server)
        active = BotProcess(config, token=TOKEN, cwd=tmp_path)
        standby = BotProcess(config, token=TOKEN, cwd=tmp_path, options=["--standby"])
        await active.start()
        try:
            await active.wait_for_line("ready: the database is open", timeout=60)
            await standby.start()
            await standby.wait_for_line("standing by: another instance is active", timeout=60)
            await api.wait_for(lambda: len(api.sent) >= 60, timeout=60, what="the fan-out under way")
        finally:
            await active.kill()
        killed_at, before = asyncio.get_running_loop().time(), len(api.sent)
        assert before < len(chats), "the kill came in the middle of the fan-out"
        try:
            await api.wait_for(lambda: len(api.sent) > before, timeout=15, what="the standby sending within 15 s")
            took_over = asyncio.get_running_loop().time() - killed_at
            await api.wait_for(lambda: chats <= {message.chat_id for message in api.sent}, timeout=60,
                               what="every chat has the alert after the takeover")
        finally:
            assert await standby.stop() == 0, standby.output[-3000:]
    copies = Counter(message.chat_id for message in api.sent)
    assert set(copies) == chats and max(copies.values()) <= 2
    assert sum(1 for count in copies.values() if count == 2) <= SendPolicy().concurrency, (
        "only the messages in flight, one per chat, may come twice")
    print(f"killed after {before} messages; the standby sent within {took_over:.1f} s")


async def test_a_sqlite_file_deleted_under_the_running_bot_stops_it_with_a_clear_error(
        tmp_path: Path, feed_server: FeedServer) -> None:
    database = tmp_path / "bot.sqlite3"
    async with BotApiStandIn(token=TOKEN) as api:
        config = await config_for(tmp_path, f"sqlite+aiosqlite:///{database}", api, feed_server)
        bot = BotProcess(config, token=TOKEN, cwd=tmp_path)
        await bot.start()
        try:
            await bot.wait_for_line("ready: the database is open", timeout=60)
            for path in tmp_path.glob("bot.sqlite3*"):  # the file, its WAL and shared memory, and the lock
                path.unlink()
            status = await asyncio.wait_for(bot.exited(), 60)  # the watch runs every 2 s
        except BaseException:
            await bot.kill()
            raise
    assert status == 4, bot.output[-3000:]
    assert any(f"the database file {database} was deleted while the bot ran: the bot stops" in line
               for line in bot.lines if " ERROR " in line), bot.output[-3000:]
    assert "Traceback" not in bot.output
    assert not database.exists(), "nothing was written into a new file where the deleted one was"


async def test_another_process_polling_with_the_token_is_one_warning_not_an_error_every_poll(
        tmp_path: Path, database_url: str, feed_server: FeedServer) -> None:
    """A process the database lock cannot see (another machine with the same token and its own database)
    makes Telegram answer getUpdates with 409 Conflict. The bot says so once, in words an operator acts on,
    and keeps polling; it is not an unexpected error with a traceback on every poll."""
    import aiohttp

    async with BotApiStandIn(token=TOKEN) as api:
        config = await config_for(tmp_path, database_url, api, feed_server)
        bot = BotProcess(config, token=TOKEN, cwd=tmp_path)
        await bot.start()
        try:
            await bot.wait_for_line("ready: the database is open", timeout=60)
            async with aiohttp.ClientSession() as other_process:
                for _ in range(4):  # each poll of ours ends the bot's long poll with a 409, as Telegram does
                    polls = len(api.calls_to("getUpdates"))
                    await api.wait_for(lambda polls=polls: len(api.calls_to("getUpdates")) > polls, timeout=60,
                                       what="the bot polling again")
                    async with other_process.post(f"{api.base_url}{TOKEN}/getUpdates", json={"timeout": 0}) as answer:
                        assert answer.status == 200
            conflicts = len(api.calls_to("getUpdates"))
            await api.wait_for(lambda: len(api.calls_to("getUpdates")) > conflicts, timeout=60,
                               what="the bot still polling after the conflicts")
        finally:
            assert await bot.stop() == 0, bot.output[-3000:]
    warnings = [line for line in bot.lines if "another process is taking this bot's updates" in line]
    assert len(warnings) == 1 and " WARNING " in warnings[0], bot.output[-3000:]
    assert not [line for line in bot.lines if " ERROR " in line], bot.output[-3000:]
    assert "Traceback" not in bot.output
