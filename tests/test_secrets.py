"""The bot token is read from the environment only, and is never written to the database, the logs, an
error message or the output of the demo and `fetch --once`.

Each check looks for the whole token and for its secret half (what follows the colon), in everything the
real `bot.py` process printed at DEBUG level and in every column of every table it wrote.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from errors import ConfigError
from settings import parse
from tests.support.botapi import BotApiStandIn
from tests.support.botprocess import REPO, BotProcess, write_config
from tests.support.feedserver import FeedServer, running_server

pytestmark = pytest.mark.process

TOKEN = "7654321:AAH-secret-half-of-the-token_x9"
SECRET = TOKEN.partition(":")[2]
USER = 4242
RSS = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><language>es</language>'
       b"<item><title>EE.UU. impone nuevas sanciones a funcionarios venezolanos</title><guid>s1</guid>"
       b"<link>https://noticias.example/s1</link></item></channel></rss>")


def assert_no_token(text: str, where: str) -> None:
    assert TOKEN not in text and SECRET not in text, f"the token is in {where}"


@pytest.fixture
async def feed_server() -> AsyncIterator[FeedServer]:
    async for server in running_server():
        yield server


def test_the_config_has_no_place_for_a_token() -> None:
    import tomllib

    document = tomllib.loads((REPO / "config.toml").read_text(encoding="utf-8"))
    document["telegram"]["token"] = TOKEN
    with pytest.raises(ConfigError) as refused:
        parse(document, REPO / "config.toml")
    assert refused.value.key == "telegram.token" and "unknown key" in refused.value.problem
    assert_no_token(str(refused.value), "the config error")


async def run(*args: str, cwd: Path) -> str:
    """`bot.py ARGS` with the token in its environment; everything it printed."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(REPO / "bot.py"), *args, cwd=cwd, env={**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    output, _ = await asyncio.wait_for(process.communicate(), 90)
    assert process.returncode == 0, output.decode()
    return output.decode("utf-8", "replace")


async def test_the_demo_and_fetch_once_never_print_the_token(tmp_path: Path, feed_server: FeedServer) -> None:
    demo = await run("--log-level", "DEBUG", "demo", cwd=REPO)
    assert "Centinela demo" in demo
    assert_no_token(demo, "the demo's output")

    config = write_config(tmp_path, base_url="http://127.0.0.1:9/bot", database=tmp_path / "fetch.sqlite3",
                          feeds=[("Noticias", feed_server.route("/feed", RSS))])
    fetched = await run("--config", str(config), "--log-level", "DEBUG", "fetch", "--once", cwd=tmp_path)
    assert "1 new" in fetched
    assert_no_token(fetched, "the output of fetch --once")


async def test_a_running_bot_keeps_the_token_out_of_its_database_and_logs(tmp_path: Path,
                                                                        feed_server: FeedServer) -> None:
    url = feed_server.route("/feed", RSS)
    async with BotApiStandIn(token=TOKEN) as api:
        config = write_config(tmp_path, base_url=api.base_url, database=tmp_path / "bot.sqlite3",
                              feeds=[("Noticias", url)],
                              schedule={"fetch_interval_seconds": 3600, "send_interval_seconds": 0.2})
        bot = BotProcess(config, token=TOKEN, cwd=tmp_path, log_level="DEBUG")
        await bot.start()
        try:
            # A user subscribes and sets an alert before the first ingestion (two seconds after the start),
            # so the story reaches them as an alert: commands, a fan-out and a send are all on record.
            api.inject_message(USER, "/start", language_code="es")
            api.inject_message(USER, "/subscribe sanciones", language_code="es")
            api.inject_message(USER, "/alert add funcionarios venezolanos", language_code="es")
            await api.wait_for(lambda: any("impone nuevas sanciones" in message.plain_text
                                           for message in api.messages_for(USER)), timeout=60,
                               what="the alert")
        finally:
            assert await bot.stop() == 0, bot.output[-3000:]
    assert_no_token(bot.output, "the bot's log (DEBUG)")

    with sqlite3.connect(tmp_path / "bot.sqlite3") as connection:
        tables = [name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        assert {"chats", "deliveries", "items", "keyword_alerts"} <= set(tables)
        for table in tables:
            rows = connection.execute(f'SELECT * FROM "{table}"').fetchall()  # noqa: S608 - names from sqlite_master
            assert_no_token(repr(rows), f"table {table}")
        assert connection.execute("SELECT count(*) FROM deliveries WHERE status = 'sent'").fetchone() == (1,)


async def test_a_rejected_token_is_reported_without_it(tmp_path: Path) -> None:
    """Telegram answers 401: PTB's InvalidToken quotes the whole token; the bot says so in one line instead,
    and exits with status 2."""
    async with BotApiStandIn(token="1:the-right-token") as api:
        config = write_config(tmp_path, base_url=api.base_url, database=tmp_path / "bot.sqlite3", feeds=[])
        bot = BotProcess(config, token=TOKEN, cwd=tmp_path, log_level="DEBUG")
        await bot.start()
        assert await bot.exited() == 2
    assert "Telegram rejected the token in TELEGRAM_BOT_TOKEN" in bot.output
    assert "Traceback" not in bot.output.split("Telegram rejected the token")[1], "a bare traceback followed"
    assert "RuntimeError" not in bot.output, "shutting down after a failed start-up failed too"
    assert_no_token(bot.output, "the error output")
