"""The health and metrics HTTP port (off by default): /healthz for load balancers and supervisors,
/metrics for Prometheus. It only reads; it never changes the bot's state."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from aiohttp import web

from model import Clock, Stats
from ops.metrics import CONTENT_TYPE, Metrics
from storage import stats as stats_store
from storage.engine import Database


@dataclass(frozen=True, slots=True)
class Verdict:
    healthy: bool
    reasons: tuple[str, ...]


def judge(stats: Stats | None, database_error: str | None, *, now: datetime, max_cycle_age: timedelta) -> Verdict:
    """Healthy when the database answers and the last ingestion cycle is recent. Pure."""
    reasons = []
    if database_error is not None or stats is None:
        reasons.append(f"database: {database_error or 'no answer'}")
    elif stats.last_fetch_at is None:
        reasons.append("ingestion: no cycle has run yet")
    elif now - stats.last_fetch_at > max_cycle_age:
        age = int((now - stats.last_fetch_at).total_seconds())
        reasons.append(f"ingestion: last cycle {age} s ago (limit {int(max_cycle_age.total_seconds())} s)")
    return Verdict(healthy=not reasons, reasons=tuple(reasons))


class HealthServer:
    """A tiny aiohttp server; started and stopped with the bot."""

    def __init__(self, database: Database, metrics: Metrics, clock: Clock, *, max_cycle_age: timedelta) -> None:
        self._database, self._metrics, self._clock = database, metrics, clock
        self._max_cycle_age = max_cycle_age
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    async def _stats(self) -> tuple[Stats | None, str | None]:
        try:
            async with self._database.transaction() as session:
                return await stats_store.snapshot(session, self._clock()), None
        except Exception as exc:  # noqa: BLE001 - any database failure makes the bot unhealthy, with its reason
            return None, f"{type(exc).__name__}: {exc}".splitlines()[0][:200]

    async def healthz(self, _request: web.Request) -> web.Response:
        stats, error = await self._stats()
        verdict = judge(stats, error, now=self._clock(), max_cycle_age=self._max_cycle_age)
        body: dict[str, object] = {"status": "ok" if verdict.healthy else "unhealthy", "reasons": list(verdict.reasons)}
        if stats is not None:
            body["last_fetch_at"] = stats.last_fetch_at.isoformat() if stats.last_fetch_at else None
            body["deliveries_pending"] = dict(stats.deliveries).get("pending", 0)
        return web.Response(status=200 if verdict.healthy else 503, text=json.dumps(body),
                            content_type="application/json")

    async def metrics(self, _request: web.Request) -> web.Response:
        stats, error = await self._stats()
        if stats is None:
            return web.Response(status=503, text=f"database: {error}\n")
        return web.Response(body=self._metrics.render(stats), headers={"Content-Type": CONTENT_TYPE})

    async def start(self, listen: str, port: int) -> None:
        app = web.Application()
        app.router.add_get("/healthz", self.healthz)
        app.router.add_get("/metrics", self.metrics)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, listen, port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]  # the real port when 0

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
