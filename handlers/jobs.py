"""JobQueue callbacks: thin. Each reads the services, calls one service, and returns.

All state lives in the database (the outbox, the digests table), so the in-memory JobQueue can be rebuilt
at every start: a restart resumes pending deliveries and sends a missed digest. A tick that finds the
previous one still running returns at once (jobs may overlap by one instance for that reason, so
APScheduler never has to skip and warn).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import timedelta

from telegram.ext import Job, JobQueue

from handlers.channels import sync_channels
from handlers.services import BotApplication, Context, FeedIngestion, Services
from model import CycleReport
from settings import Settings

log = logging.getLogger(__name__)

INGEST_JOB = "ingest"
DIGEST_EVERY = timedelta(minutes=1)
CHANNELS_EVERY = timedelta(hours=1)
_JOB_KWARGS = {"max_instances": 2, "coalesce": True, "misfire_grace_time": None}


async def drain_tick(context: Context) -> None:
    """Send what is due in the outbox, through the runtime's one Sender."""
    await context.bot_data.sender.drain()


async def digest_tick(context: Context) -> None:
    """Claim the digests due now and send pending ones (through the same Sender)."""
    await context.bot_data.digests.tick()


async def channels_tick(context: Context) -> None:
    """Make the configured channels chats the bot posts to."""
    services: Services = context.bot_data
    await sync_channels(context.bot, services.database, services.settings.channels, services.settings.schedule,
                        now=services.clock())


def schedule_jobs(application: BotApplication, settings: Settings) -> None:
    """Register the delivery jobs: drain every `schedule.send_interval`, digests every minute, configured
    channels at start and hourly. Called once by `build_application`."""
    queue = application.job_queue
    if queue is None:
        raise RuntimeError("the JobQueue is missing: install python-telegram-bot[job-queue]")
    queue.run_repeating(channels_tick, interval=CHANNELS_EVERY, first=timedelta(seconds=1), name="channels",
                        job_kwargs=_JOB_KWARGS)
    queue.run_repeating(drain_tick, interval=settings.schedule.send_interval, first=settings.schedule.send_interval,
                        name="drain", job_kwargs=_JOB_KWARGS)
    queue.run_repeating(digest_tick, interval=DIGEST_EVERY, first=timedelta(seconds=5), name="digest",
                        job_kwargs=_JOB_KWARGS)


# ---------------------------------------------------------------------------------------------------
# Ingestion


@dataclass(slots=True)
class IngestRuntime:
    """What the ingestion job runs with: the runtime's ingestion, and whether a cycle is running."""

    ingestion: FeedIngestion
    running: asyncio.Lock = field(default_factory=asyncio.Lock)
    cycle: asyncio.Task[object] | None = None  # the tick running a cycle, if one is

    def cancel(self) -> None:
        """The bot is shutting down: abandon the cycle in progress (each group of feeds is stored in one
        transaction, so what was not committed is fetched again at the next start)."""
        if self.cycle is not None:
            self.cycle.cancel()


async def ingest_tick(context: Context) -> None:
    """One ingestion cycle over the feeds that are due, unless the previous one is still running."""
    assert context.job is not None and isinstance(context.job.data, IngestRuntime)
    runtime: IngestRuntime = context.job.data
    if runtime.running.locked():
        log.info("ingestion: the previous cycle is still running; this tick is skipped")
        return
    services: Services = context.bot_data
    async with runtime.running:
        runtime.cycle = asyncio.current_task()
        try:
            report = await runtime.ingestion.run_cycle(now=services.clock())
        except asyncio.CancelledError:
            log.info("ingestion: the cycle in progress was abandoned for the shutdown")
            return
        finally:
            runtime.cycle = None
    record(services, report)


def record(services: Services, report: CycleReport) -> None:
    services.metrics.cycle_seconds.observe(report.seconds)
    services.metrics.items_ingested.inc(report.new_items)
    log.info("ingestion: %s", report.summary())
    for failed in report.failed:
        log.warning("feed %s (%s) failed: %s %s", failed.name, failed.url, failed.error_kind, failed.error_detail)


def schedule_ingest(job_queue: JobQueue[Context], ingestion: FeedIngestion, *,
                    first: timedelta = timedelta(seconds=2)) -> Job[Context]:
    """Run `ingest_tick` every fetch interval, the first time shortly after start-up (called from
    post_init, once the database, the HTTP session and the parse pool exist)."""
    return job_queue.run_repeating(ingest_tick, interval=ingestion.interval, first=first, name=INGEST_JOB,
                                   data=IngestRuntime(ingestion), job_kwargs=_JOB_KWARGS)
