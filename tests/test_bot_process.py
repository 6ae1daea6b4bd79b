"""The real `bot.py run` process against the local Bot API stand-in: it answers, it stops cleanly on
SIGTERM, and its logs (at DEBUG) never contain the token."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.support.botapi import BotApiStandIn

REPO = Path(__file__).resolve().parent.parent
TOKEN = "987654:process-test-token-XYZ"


def write_config(folder: Path, base_url: str) -> Path:
    text = (REPO / "config.toml").read_text(encoding="utf-8")
    text = text.replace('base_url = "https://api.telegram.org/bot"', f'base_url = "{base_url}"')
    text = text.replace('url = "sqlite+aiosqlite:///data/centinela.sqlite3"',
                        f'url = "sqlite+aiosqlite:///{folder / "bot.sqlite3"}"')
    config = folder / "config.toml"
    config.write_text(text, encoding="utf-8")
    return config


async def test_run_serves_updates_stops_on_sigterm_and_never_logs_the_token(tmp_path: Path) -> None:
    async with BotApiStandIn(token=TOKEN) as api:
        config = write_config(tmp_path, api.base_url)
        environment = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN}
        process = await asyncio.create_subprocess_exec(
            sys.executable, str(REPO / "bot.py"), "--config", str(config), "--log-level", "DEBUG", "run",
            cwd=tmp_path, env=environment, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        try:
            api.inject_message(1001, "/start", language_code="es")
            await api.wait_for_calls("getUpdates", count=2, timeout=30)
        finally:
            process.send_signal(signal.SIGTERM)
            output, _ = await asyncio.wait_for(process.communicate(), timeout=30)
    log = output.decode("utf-8", "replace")
    assert process.returncode == 0, log
    assert TOKEN not in log
    assert TOKEN.split(":")[1] not in log
    assert "starting (long polling)" in log
