"""/healthz says whether the bot is working and why not; /metrics speaks Prometheus."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest

from model import Stats
from ops.health import HealthServer, judge
from ops.metrics import Metrics
from storage.engine import Database
from tests.support.clock import FakeClock

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def stats(last_fetch_at: datetime | None) -> Stats:
    return Stats(feeds_ok=3, feeds_failing=1, items_total=10, items_today=2, chats_active=5, forum_topics_active=0,
                 subscriptions=(("cne", 2),), deliveries=(("pending", 4), ("sent", 9)), last_fetch_at=last_fetch_at)


@pytest.mark.parametrize(
    ("snapshot", "error", "healthy", "reason"),
    [
        pytest.param(stats(NOW - timedelta(minutes=10)), None, True, None, id="a recent cycle and a database is healthy"),
        pytest.param(stats(NOW - timedelta(hours=2)), None, False, "ingestion: last cycle 7200 s ago",
                     id="a stale cycle is unhealthy and says how stale"),
        pytest.param(stats(None), None, False, "ingestion: no cycle has run yet", id="no cycle yet is unhealthy"),
        pytest.param(None, "OperationalError: disk I/O error", False, "database: OperationalError",
                     id="a database that does not answer is unhealthy"),
    ],
)
def test_judge(snapshot: Stats | None, error: str | None, healthy: bool, reason: str | None) -> None:
    verdict = judge(snapshot, error, now=NOW, max_cycle_age=timedelta(hours=1))
    assert verdict.healthy is healthy
    if reason:
        assert any(text.startswith(reason) for text in verdict.reasons)


@pytest.fixture
async def server(database: Database, clock: FakeClock) -> AsyncIterator[HealthServer]:
    health = HealthServer(database, Metrics(), clock, max_cycle_age=timedelta(hours=1))
    await health.start("127.0.0.1", 0)
    yield health
    await health.stop()


async def test_healthz_answers_503_with_reasons_before_the_first_cycle(server: HealthServer) -> None:
    async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{server.port}/healthz") as response:
        assert response.status == 503
        body = await response.json()
    assert body["status"] == "unhealthy"
    assert body["reasons"] == ["ingestion: no cycle has run yet"]


async def test_metrics_are_prometheus_text_with_database_gauges(server: HealthServer) -> None:
    async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{server.port}/metrics") as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain")
        text = await response.text()
    assert 'centinela_feeds{state="failing"} 0.0' in text
    assert 'centinela_deliveries{status="pending"} 0.0' in text
    assert "centinela_ingest_cycle_seconds_bucket" in text
