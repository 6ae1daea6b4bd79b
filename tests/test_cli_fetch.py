"""`bot.py fetch --once` and the demo as a user meets them: a line per feed, a total, and the same code path
as the bot (real HTTP on loopback, the process pool, SQLite)."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage import stories as story_store
from storage.engine import Database
from tests.support.feedserver import FeedServer, running_server

pytestmark = pytest.mark.process

REPO = Path(__file__).resolve().parent.parent
RSS = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><language>es</language>'
       b"<item><title>CNE fija fecha de elecciones en Venezuela</title><guid>a1</guid><link>https://a.example/1</link></item>"
       b"<item><title>Marcha de docentes en Caracas</title><guid>a2</guid><link>https://a.example/2</link></item>"
       b"</channel></rss>")


@pytest.fixture
async def feed_server() -> AsyncIterator[FeedServer]:
    async for server in running_server():
        yield server


def config_with_feeds(folder: Path, feeds: list[tuple[str, str]]) -> Path:
    """The shipped config, with its own [[feeds]] replaced by `feeds` and the database in `folder`."""
    text = (REPO / "config.toml").read_text(encoding="utf-8")
    text = re.sub(r"\[\[feeds\]\]\n(?:(?!\n\[).)*?\n\n", "", text, flags=re.DOTALL)
    assert "[[feeds]]" not in text
    text = text.replace('url = "sqlite+aiosqlite:///data/centinela.sqlite3"',
                        f'url = "sqlite+aiosqlite:///{folder / "fetch.sqlite3"}"')
    text += "".join(f'\n[[feeds]]\nname = "{name}"\nurl = "{url}"\n' for name, url in feeds)
    config = folder / "config.toml"
    config.write_text(text, encoding="utf-8")
    return config


async def run_bot(*args: str) -> tuple[int, str, str]:
    environment = {key: value for key, value in os.environ.items() if key != "TELEGRAM_BOT_TOKEN"}
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(REPO / "bot.py"), *args, cwd=REPO, env=environment,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return process.returncode, stdout.decode(), stderr.decode()


async def test_fetch_once_prints_a_line_per_feed_and_a_total(tmp_path: Path, feed_server: FeedServer) -> None:
    good = feed_server.route("/good", RSS, etag='"1"')
    broken = feed_server.route("/broken", "nope", status=500)
    config = config_with_feeds(tmp_path, [("Good feed", good), ("Broken feed", broken)])

    code, out, err = await run_bot("--config", str(config), "--log-level", "WARNING", "fetch", "--once")
    assert code == 0, err
    lines = out.strip().splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("Good feed") and "2 new of 2 entries" in lines[0] and lines[0].endswith(" s]")
    assert lines[1].startswith("Broken feed") and "error http_500" in lines[1]
    assert re.fullmatch(r"total: 2 feeds: 2 new items \(2 new stories\), 1 read, 0 not modified, 0 unchanged, "
                        r"1 failed; \d+\.\d\d s", lines[2])

    code, out, _ = await run_bot("--config", str(config), "--log-level", "WARNING", "fetch", "--once")
    assert code == 0 and "not modified" in out.splitlines()[0]
    assert feed_server.hits("/good")[-1].headers["If-None-Match"] == '"1"'
    # Classified by the configured classifier (in the parse workers) and stored with the topic.
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'fetch.sqlite3'}")
    try:
        async with database.transaction() as session:
            cne = await story_store.latest_stories(session, ["cne"], 10)
    finally:
        await database.close()
    assert [story.title for story in cne] == ["CNE fija fecha de elecciones en Venezuela"]


async def test_fetch_once_fails_when_every_feed_fails(tmp_path: Path, feed_server: FeedServer) -> None:
    config = config_with_feeds(tmp_path, [("Gone", feed_server.url("/gone"))])
    code, out, _ = await run_bot("--config", str(config), "--log-level", "ERROR", "fetch", "--once")
    assert code == 1 and "error http_404" in out


def test_the_demo_ingests_the_shipped_snapshots_through_the_real_path() -> None:
    result = subprocess.run([sys.executable, str(REPO / "bot.py"), "demo"], capture_output=True, text=True,
                            cwd=REPO, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Centinela demo at 2026-11-23 12:00 UTC" in out
    assert re.search(r"total: 16 feeds: \d+ new items \(\d+ new stories\), 16 read, 0 not modified, 0 unchanged, "
                     r"0 failed", out)
    assert "16 not modified" in out, "the second cycle is all 304"
    shared = out.split("Stories reported by more than one outlet", 1)[1].split("\n\n", 1)[0]
    # the Google News item is credited to the outlet Google names for it, El Universal
    outlets = ("Efecto Cocuyo", "El Pitazo", "Tal Cual", "El Universal", "El País América")
    assert any("14 de marzo" in line and all(outlet in line for outlet in outlets) for line in shared.splitlines()), (
        "the CNE's election date, reported by five outlets, is one story")
