"""JobQueue callbacks. Each is thin: read the clock, call one service, count what happened, log it.

The schedule itself (PTB's JobQueue, APScheduler underneath) is not re-tested here; the callbacks are,
directly (tests/handlers/test_jobs.py).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram.ext import Job, JobQueue

from feeds.ingest import CycleReport, IngestDeps, run_cycle
from handlers.services import Context, Services

log = logging.getLogger(__name__)

INGEST_JOB = "ingest"


async def ingest_tick(context: Context) -> None:
    """One ingestion cycle over the feeds that are due; the job's data is the IngestDeps."""
    assert context.job is not None and isinstance(context.job.data, IngestDeps)
    services: Services = context.bot_data
    report = await run_cycle(context.job.data, now=services.clock())
    record(services, report)


def record(services: Services, report: CycleReport) -> None:
    services.metrics.cycle_seconds.observe(report.seconds)
    services.metrics.items_ingested.inc(report.new_items)
    log.info("ingestion: %s", report.summary())
    for failed in report.failed:
        log.warning("feed %s (%s) failed: %s %s", failed.name, failed.url, failed.error_kind, failed.error_detail)


def schedule_ingest(job_queue: JobQueue, deps: IngestDeps, *, first: timedelta = timedelta(seconds=2)) -> Job:
    """Run `ingest_tick` every fetch interval, the first time shortly after start-up.

    A cycle that outlasts the interval makes the next run wait rather than overlap (max_instances=1,
    coalesce), and a run delayed by a busy event loop still happens (misfire grace of one interval).
    """
    seconds = deps.interval.total_seconds()
    return job_queue.run_repeating(
        ingest_tick, interval=deps.interval, first=first, name=INGEST_JOB, data=deps,
        job_kwargs={"max_instances": 1, "coalesce": True, "misfire_grace_time": max(1, int(seconds))})
