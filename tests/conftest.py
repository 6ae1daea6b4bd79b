"""Shared fixtures: a fake clock, settings pointed at a temporary SQLite file, a ready database, the Bot
API stand-in and a PTB Bot talking to it, and a guard that fails any network connection that leaves this
machine.

One meaning per fixture name, everywhere: `api` is the Bot API stand-in (tests/handlers configures its own
for the bot it runs), `telegram_bot` a python-telegram-bot `Bot` client of it, and `bot`, in tests/handlers
only, the running Centinela bot with a driver that talks to it like a user.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from telegram import Bot

from settings import DatabaseSettings, Settings, load
from storage.engine import Database
from tests.support import netguard, postgres
from tests.support.botapi import TOKEN, BotApiStandIn
from tests.support.clock import FakeClock

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "tests" / "data"


def pytest_configure(config: pytest.Config) -> None:
    netguard.install()
    # As bot.py does: PTB 22 warns (an error under filterwarnings=error) when it builds a RetryAfter
    # with the deprecated integer retry_after; opting in makes it a timedelta.
    os.environ["PTB_TIMEDELTA"] = "true"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def database_url(tmp_path: Path) -> AsyncIterator[str]:
    """A temporary SQLite file, or a fresh PostgreSQL database when CENTINELA_TEST_POSTGRES_URL is set."""
    server = postgres.server_url()
    if server is None:
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.sqlite3'}"
        return
    async with postgres.fresh_database(server) as url:
        yield url


@pytest.fixture
def shipped_settings(database_url: str) -> Settings:
    """The shipped config.toml as it is, feeds included, with the database moved to a temporary file."""
    return dataclasses.replace(load(REPO / "config.toml"), database=DatabaseSettings(url=database_url))


@pytest.fixture
def settings(shipped_settings: Settings) -> Settings:
    """The shipped config.toml, with the database moved to a temporary file and without its feeds, which
    are real internet addresses: a bot started by a test must not try to reach them."""
    return dataclasses.replace(shipped_settings, feeds=())


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    db = Database(database_url)
    await db.create_schema()
    yield db
    await db.close()


@pytest.fixture
async def api() -> AsyncIterator[BotApiStandIn]:
    """The Bot API stand-in, on a loopback port, for the bot with token `TOKEN`."""
    async with BotApiStandIn(token=TOKEN) as stand_in:
        yield stand_in


@pytest.fixture
async def telegram_bot(api: BotApiStandIn) -> AsyncIterator[Bot]:
    """A python-telegram-bot `Bot` talking to `api`."""
    async with Bot(TOKEN, base_url=api.base_url) as client:
        yield client
