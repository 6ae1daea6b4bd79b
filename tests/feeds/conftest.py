"""Fixtures for the feeds tests: the loopback feed server, one parse pool for the whole session, and
fetch limits small enough that timeouts and size caps are quick to reach."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta

import pytest

from feeds.pool import ParsePool
from settings import FetchSettings, Settings
from tests.support.feedserver import FeedServer, running_server


@pytest.fixture
async def feed_server() -> AsyncIterator[FeedServer]:
    async for server in running_server():
        yield server


@pytest.fixture(scope="session")
def parse_pool() -> Iterator[ParsePool]:
    pool = ParsePool(workers=2)
    yield pool
    pool.close()


@pytest.fixture
def limits(settings: Settings) -> FetchSettings:
    return dataclasses.replace(settings.fetch, timeout=timedelta(seconds=2), max_body_bytes=5_000_000,
                               max_redirects=3, concurrency=4)
