"""The real `bot.py` as a child process, for tests that must kill it: a config pointed at loopback servers,
start, wait for a log line, SIGKILL, SIGTERM. Everything it prints is kept (and searchable) as it comes."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from storage.engine import Database
from tests.support.chats import add_chats

REPO = Path(__file__).resolve().parent.parent.parent


def recent_rss(items: Sequence[tuple[str, str]], *, site: str) -> bytes:
    """A feed of (guid, title) items, published an hour before the test runs: the bot reads the real
    clock, and only a recent story is an instant alert."""
    published = format_datetime(datetime.now(UTC) - timedelta(hours=1), usegmt=True)
    entries = "".join(f"<item><title>{title}</title><guid>{guid}</guid><link>https://{site}/{guid}</link>"
                      f"<pubDate>{published}</pubDate></item>" for guid, title in items)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{site}</title>'
            f"<link>https://{site}/</link><language>es</language>{entries}</channel></rss>").encode()


async def prepare_database(url: str, *, chats: Sequence[int], topics: Sequence[str] = ("sanctions",)) -> str:
    """The schema, as `run` would make it, and private `chats` following `topics`; returns `url`."""
    database = Database(url)
    try:
        await database.upgrade()
        await add_chats(database, list(chats), topics=list(topics))
    finally:
        await database.close()
    return url


def write_config(folder: Path, *, base_url: str, feeds: Sequence[tuple[str, str]], database: Path | str,
                 schedule: dict[str, float] | None = None, max_messages_per_second: float = 29) -> Path:
    """The shipped config with its feeds replaced by `feeds` (name, URL), Telegram at `base_url`, the
    database at `database` and the [schedule] numbers in `schedule` changed."""
    text = (REPO / "config.toml").read_text(encoding="utf-8")
    text = re.sub(r"\[\[feeds\]\]\n(?:(?!\n\[).)*?\n\n", "", text, flags=re.DOTALL)
    assert "[[feeds]]" not in text
    replacements = {
        'base_url = "https://api.telegram.org/bot"': f'base_url = "{base_url}"',
        'url = "sqlite+aiosqlite:///data/centinela.sqlite3"':
            f'url = "{database if "://" in str(database) else f"sqlite+aiosqlite:///{database}"}"',
        "max_messages_per_second = 29": f"max_messages_per_second = {max_messages_per_second}",
    }
    for key, value in (schedule or {}).items():
        line = re.search(rf"^{key} = [0-9.]+", text, re.MULTILINE)
        assert line is not None, key
        replacements[line.group()] = f"{key} = {value}"
    for old, new in replacements.items():
        assert old in text, old
        text = text.replace(old, new)
    text += "".join(f'\n[[feeds]]\nname = "{name}"\nurl = "{url}"\n' for name, url in feeds)
    config = folder / "config.toml"
    config.write_text(text, encoding="utf-8")
    return config


class BotProcess:
    """`bot.py --config CONFIG run` with TELEGRAM_BOT_TOKEN set, its output merged and collected."""

    def __init__(self, config: Path, *, token: str, cwd: Path, log_level: str = "INFO",
                 options: Sequence[str] = ()) -> None:
        self.config = config
        self.options = tuple(options)  # after "run": --standby, --webhook
        self.token = token
        self.cwd = cwd
        self.log_level = log_level
        self.lines: list[str] = []
        self._process: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None
        self._changed = asyncio.Event()

    async def start(self) -> None:
        environment = {**os.environ, "TELEGRAM_BOT_TOKEN": self.token}
        self._process = await asyncio.create_subprocess_exec(
            sys.executable, str(REPO / "bot.py"), "--config", str(self.config), "--log-level", self.log_level, "run",
            *self.options, cwd=self.cwd, env=environment, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        async for raw in self._process.stdout:
            self.lines.append(raw.decode("utf-8", "replace").rstrip("\n"))
            self._changed.set()
        self._changed.set()

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    async def wait_for_line(self, pattern: str, *, timeout: float, after: int = 0) -> str:
        """The first line (from line number `after` on) that matches `pattern`, once the bot prints it."""
        regex = re.compile(pattern)
        async with asyncio.timeout(timeout):
            while True:
                for line in self.lines[after:]:
                    if regex.search(line):
                        return line
                if self._reader is not None and self._reader.done():
                    raise AssertionError(f"the bot exited without printing {pattern!r}:\n{self.output[-3000:]}")
                self._changed.clear()
                await self._changed.wait()

    async def kill(self) -> None:
        """SIGKILL: no shutdown code runs, exactly like a crash or the OOM killer."""
        assert self._process is not None
        self._process.kill()
        await self._finish()

    async def exited(self) -> int:
        """The exit status, once the bot has ended by itself."""
        assert self._process is not None
        await self._finish()
        assert self._process.returncode is not None
        return self._process.returncode

    async def stop(self, *, timeout: float = 30) -> int:
        """SIGTERM, and the exit status once the bot has shut down."""
        assert self._process is not None
        if self._process.returncode is None:
            self._process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(self._finish(), timeout)
        assert self._process.returncode is not None
        return self._process.returncode

    async def _finish(self) -> None:
        """Wait for the process to end and for its output to close. The output closes once every process
        that inherited it has ended too: a parse worker or fork server that outlived the bot fails here."""
        assert self._process is not None and self._reader is not None
        try:  # (asyncio's wait() returns only once the output has closed too)
            await asyncio.wait_for(asyncio.gather(self._process.wait(), asyncio.shield(self._reader)), 30)
        except TimeoutError:
            raise AssertionError("the bot has not ended, or a process it started still holds its output "
                                 "(a parse worker that outlived it?)") from None
