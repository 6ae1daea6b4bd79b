"""The ingestion job: scheduled every fetch interval without overlapping runs, and its callback runs one cycle
at the clock's time and counts it. The callback is called directly; APScheduler is not re-tested."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from telegram.ext import Application, ApplicationBuilder, CallbackContext, ContextTypes

from feeds.fetch import open_fetcher
from feeds.ingest import IngestDeps, no_classification, register_config_feeds
from feeds.pool import ParsePool
from feeds.service import Ingestion
from handlers.jobs import INGEST_JOB, IngestRuntime, ingest_tick, schedule_ingest
from handlers.services import Services
from model import FeedSpec, Scope
from settings import Settings
from storage import feeds as feed_store
from storage.engine import Database
from tests.support.clock import FakeClock
from tests.support.feedserver import FeedServer, running_server

RSS = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item><title>Uno</title><guid>1</guid>'
       b"</item><item><title>Dos</title><guid>2</guid></item></channel></rss>")


@pytest.fixture
async def feed_server() -> AsyncIterator[FeedServer]:
    async for server in running_server():
        yield server


@pytest.fixture
async def deps(settings: Settings, database: Database) -> AsyncIterator[IngestDeps]:
    pool = ParsePool(workers=1)
    try:
        async with open_fetcher(settings.fetch) as fetcher:
            yield IngestDeps(database=database, fetcher=fetcher, pool=pool, limits=settings.fetch,
                             interval=settings.schedule.fetch_interval, classify=no_classification)
    finally:
        pool.close()


@pytest.fixture
def ingestion(deps: IngestDeps) -> Ingestion:
    return Ingestion(deps)


@pytest.fixture
def application(settings: Settings, database: Database, clock: FakeClock) -> Application:
    app = ApplicationBuilder().token("123:abc").context_types(ContextTypes(bot_data=Services)).build()
    services: Services = app.bot_data
    services.install(settings=settings, database=database, clock=clock)
    return app


def test_the_job_repeats_every_fetch_interval(application: Application, deps: IngestDeps,
                                              ingestion: Ingestion) -> None:
    job = schedule_ingest(application.job_queue, ingestion)  # type: ignore[arg-type]
    assert job.name == INGEST_JOB and isinstance(job.data, IngestRuntime) and job.data.ingestion is ingestion
    assert job.job.trigger.interval == deps.interval
    assert job.job.coalesce and job.job.misfire_grace_time is None


async def test_a_tick_while_a_cycle_runs_returns_at_once(
        application: Application, deps: IngestDeps, ingestion: Ingestion, database: Database,
        feed_server: FeedServer, clock: FakeClock) -> None:
    url = feed_server.route("/feed", RSS)
    await register_config_feeds(database, [FeedSpec(url=url, name="Feed", scope=Scope.VENEZUELA)], now=clock())
    job = schedule_ingest(application.job_queue, ingestion)  # type: ignore[arg-type]
    async with job.data.running:
        await ingest_tick(CallbackContext.from_job(job, application))
    assert feed_server.hits("/feed") == []


async def test_a_tick_runs_one_cycle_at_the_clocks_time_and_counts_it(
        application: Application, deps: IngestDeps, ingestion: Ingestion, database: Database,
        feed_server: FeedServer, clock: FakeClock) -> None:
    url = feed_server.route("/feed", RSS)
    await register_config_feeds(database, [FeedSpec(url=url, name="Feed", scope=Scope.VENEZUELA)], now=clock())
    job = schedule_ingest(application.job_queue, ingestion)  # type: ignore[arg-type]
    await ingest_tick(CallbackContext.from_job(job, application))
    services: Services = application.bot_data
    assert services.metrics.items_ingested._value.get() == 2  # noqa: SLF001 - prometheus_client has no public getter
    async with database.transaction() as session:
        [status] = await feed_store.feed_statuses(session)
    assert status.last_success_at == clock() and status.next_fetch_at == clock() + deps.interval
    clock.advance(timedelta(minutes=1))
    await ingest_tick(CallbackContext.from_job(job, application))
    assert len(feed_server.hits("/feed")) == 1, "not due yet: nothing fetched"
