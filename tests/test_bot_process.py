"""The real `bot.py run` process against the local Bot API stand-in: it answers, it stops cleanly on
SIGTERM, and its logs (at DEBUG) never contain the token."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import aiohttp
import pytest

from tests.support.botapi import BotApiStandIn

pytestmark = pytest.mark.process

REPO = Path(__file__).resolve().parent.parent
TOKEN = "987654:process-test-token-XYZ"


def write_config(folder: Path, base_url: str, *, webhook_url: str = "", webhook_port: int = 8443) -> Path:
    """The shipped config without its feeds (this test must not reach the internet), pointed at the stand-in."""
    text = (REPO / "config.toml").read_text(encoding="utf-8")
    text = text[:text.index("[[feeds]]")] + text[text.index("[fetch]"):]
    text = text.replace('url = ""\nlisten = "127.0.0.1"\nport = 8443',
                        f'url = "{webhook_url}"\nlisten = "127.0.0.1"\nport = {webhook_port}')
    text = text.replace('base_url = "https://api.telegram.org/bot"', f'base_url = "{base_url}"')
    text = text.replace('url = "sqlite+aiosqlite:///data/centinela.sqlite3"',
                        f'url = "sqlite+aiosqlite:///{folder / "bot.sqlite3"}"')
    config = folder / "config.toml"
    config.write_text(text, encoding="utf-8")
    return config


async def test_run_serves_updates_stops_on_sigterm_and_never_logs_the_token(tmp_path: Path) -> None:
    """The /start sent before the bot came up is fetched by its first poll, before the database and the
    handlers are open, and answered once they are; SIGTERM right after the answer stops it cleanly."""
    async with BotApiStandIn(token=TOKEN) as api:
        config = write_config(tmp_path, api.base_url)
        environment = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN}
        api.inject_message(1001, "/start", language_code="es")
        process = await asyncio.create_subprocess_exec(
            sys.executable, str(REPO / "bot.py"), "--config", str(config), "--log-level", "DEBUG", "run",
            cwd=tmp_path, env=environment, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        try:
            [greeting] = await api.wait_for_messages(1001, timeout=30)
            assert "Centinela" in greeting.plain_text
        finally:
            process.send_signal(signal.SIGTERM)
            output, _ = await asyncio.wait_for(process.communicate(), timeout=30)
    log = output.decode("utf-8", "replace")
    assert process.returncode == 0, log
    assert TOKEN not in log
    assert TOKEN.split(":")[1] not in log
    assert "starting (long polling)" in log


async def test_a_stop_while_the_runtime_opens_still_answers_what_came_first(tmp_path: Path) -> None:
    """SIGTERM as soon as a poll has fetched a /start, while the runtime is (most likely) still opening: the bot
    finishes opening, answers it, and exits 0."""
    async with BotApiStandIn(token=TOKEN) as api:
        config = write_config(tmp_path, api.base_url)
        api.inject_message(1001, "/start", language_code="en")
        process = await asyncio.create_subprocess_exec(
            sys.executable, str(REPO / "bot.py"), "--config", str(config), "run", cwd=tmp_path,
            env={**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN}, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT)
        try:
            await api.wait_for(lambda: not api.pending_updates, timeout=30, what="the /start fetched")
        finally:
            process.send_signal(signal.SIGTERM)
            output, _ = await asyncio.wait_for(process.communicate(), timeout=30)
        assert process.returncode == 0, output.decode("utf-8", "replace")
        assert len(api.messages_for(1001)) == 1


async def read_until(process: asyncio.subprocess.Process, marker: bytes) -> bytes:
    """The process's output up to and including the line that holds `marker`."""
    assert process.stdout is not None
    seen = b""
    while marker not in seen:
        line = await process.stdout.readline()
        if not line:
            raise AssertionError(f"the bot exited before logging {marker!r}:\n{seen.decode(errors='replace')}")
        seen += line
    return seen


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_webhook_mode_registers_the_hook_answers_posted_updates_and_checks_the_secret(tmp_path: Path) -> None:
    port = free_port()
    hook = f"http://127.0.0.1:{port}/centinela-updates"
    secret = "webhook-secret-XYZ"
    async with BotApiStandIn(token=TOKEN) as api:
        config = write_config(tmp_path, api.base_url, webhook_url=hook, webhook_port=port)
        environment = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": secret}
        process = await asyncio.create_subprocess_exec(
            sys.executable, str(REPO / "bot.py"), "--config", str(config), "run", "--webhook",
            cwd=tmp_path, env=environment, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        try:
            [registered] = await api.wait_for_calls("setWebhook", count=1, timeout=30)
            started = await asyncio.wait_for(read_until(process, b"Application started"), timeout=30)
            assert registered.params["url"] == hook
            assert registered.params["secret_token"] == secret
            update = api.inject_message(2002, "/start", language_code="en")
            async with aiohttp.ClientSession() as http:
                async with http.post(hook, json=update) as refused:
                    assert refused.status == 403  # no secret: not Telegram
                async with http.post(hook, json=update,
                                     headers={"X-Telegram-Bot-Api-Secret-Token": secret}) as accepted:
                    assert accepted.status == 200
            [reply] = await api.wait_for_messages(2002, count=1, timeout=30)
            assert "Centinela" in reply.plain_text
        finally:
            process.send_signal(signal.SIGTERM)
            output, _ = await asyncio.wait_for(process.communicate(), timeout=30)
    log = (started + output).decode("utf-8", "replace")
    assert process.returncode == 0, log
    assert secret not in log and TOKEN not in log


async def test_an_unreachable_telegram_at_start_is_one_line_per_try_until_it_answers(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on, for now
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = write_config(tmp_path, f"http://127.0.0.1:{port}/bot")
    environment = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN}
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(REPO / "bot.py"), "--config", str(config), "run",
        cwd=tmp_path, env=environment, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    assert process.stdout is not None
    lines: list[str] = []
    try:
        async with asyncio.timeout(60):
            while not any("Telegram is unreachable" in line for line in lines):
                lines.append((await process.stdout.readline()).decode())
        async with BotApiStandIn(token=TOKEN, port=port) as api:  # Telegram is back
            await api.wait_for_calls("getUpdates", count=1, timeout=60)
            process.send_signal(signal.SIGTERM)
            rest, _ = await asyncio.wait_for(process.communicate(), timeout=30)
    finally:
        if process.returncode is None:
            process.kill()
    log = "".join(lines) + rest.decode("utf-8", "replace")
    assert process.returncode == 0, log
    unreachable = [line for line in log.splitlines() if "Telegram is unreachable" in line]
    assert unreachable and all(" WARNING " in line and "trying again in" in line for line in unreachable), log
    assert "Traceback" not in log and TOKEN not in log
