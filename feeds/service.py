"""Ingestion as the rest of the bot uses it: one cycle over the due feeds, and the feeds an administrator
adds or removes. `bot.py` builds it once over the runtime's `IngestDeps`; the Telegram commands and the
ingestion job reach it through `handlers.services.FeedIngestion`, so that handlers never import feeds/.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from feeds import sources
from feeds.ingest import IngestDeps, run_cycle
from model import AddOutcome, CycleReport, RemoveOutcome, Scope


@dataclass(frozen=True, slots=True)
class Ingestion:
    deps: IngestDeps

    @property
    def interval(self) -> timedelta:
        """How often a feed is fetched (`schedule.fetch_interval_seconds`)."""
        return self.deps.interval

    async def run_cycle(self, *, now: datetime, everything: bool = False) -> CycleReport:
        return await run_cycle(self.deps, now=now, everything=everything)

    async def add_feed(self, url: str, scope: Scope, *, now: datetime) -> AddOutcome:
        return await sources.add_feed(self.deps, url, scope, now=now)

    async def remove_feed(self, feed_id: int) -> RemoveOutcome:
        return await sources.remove_feed(self.deps.database, feed_id)
