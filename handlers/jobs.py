"""JobQueue callbacks: thin. Each reads the services, calls one service, and returns.

All state lives in the database (the outbox, the digests table), so the in-memory JobQueue can be rebuilt
at every start: a restart resumes pending deliveries and sends a missed digest. A tick that finds the
previous one still running returns at once (jobs may overlap by one instance for that reason, so
APScheduler never has to skip and warn).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from telegram.ext import Application

from handlers.channels import sync_channels
from handlers.delivery import Sender
from handlers.digest import DigestService
from handlers.services import Context, Services
from settings import Settings

DIGEST_EVERY = timedelta(minutes=1)
CHANNELS_EVERY = timedelta(hours=1)
_JOB_KWARGS = {"max_instances": 2, "coalesce": True, "misfire_grace_time": None}


@dataclass(slots=True)
class DeliveryRuntime:
    """The one Sender (it remembers each chat's next turn) and DigestService of this bot, built on first use."""

    sender: Sender | None = field(default=None)
    digests: DigestService | None = field(default=None)

    def build(self, context: Context) -> tuple[Sender, DigestService]:
        if self.sender is None or self.digests is None:
            services: Services = context.bot_data
            topics = services.settings.topics
            self.sender = Sender(context.bot, services.database, services.clock, topics, metrics=services.metrics)
            self.digests = DigestService(self.sender, services.database, services.clock, topics)
        return self.sender, self.digests


async def drain_tick(context: Context) -> None:
    """Send what is due in the outbox."""
    sender, _ = _runtime(context).build(context)
    await sender.drain()


async def digest_tick(context: Context) -> None:
    """Claim the digests due now and send pending ones."""
    _, digests = _runtime(context).build(context)
    await digests.tick()


async def channels_tick(context: Context) -> None:
    """Make the configured channels chats the bot posts to."""
    services: Services = context.bot_data
    await sync_channels(context.bot, services.database, services.settings.channels, services.settings.schedule,
                        now=services.clock())


def _runtime(context: Context) -> DeliveryRuntime:
    assert context.job is not None and isinstance(context.job.data, DeliveryRuntime)
    return context.job.data


def schedule_jobs(application: Application, settings: Settings) -> DeliveryRuntime:
    """Register the delivery jobs: drain every `schedule.send_interval`, digests every minute, configured
    channels at start and hourly. Called once by `build_application`."""
    queue = application.job_queue
    if queue is None:
        raise RuntimeError("the JobQueue is missing: install python-telegram-bot[job-queue]")
    runtime = DeliveryRuntime()
    queue.run_repeating(channels_tick, interval=CHANNELS_EVERY, first=timedelta(seconds=1), name="channels",
                        job_kwargs=_JOB_KWARGS)
    queue.run_repeating(drain_tick, interval=settings.schedule.send_interval, first=settings.schedule.send_interval,
                        data=runtime, name="drain", job_kwargs=_JOB_KWARGS)
    queue.run_repeating(digest_tick, interval=DIGEST_EVERY, first=timedelta(seconds=5), data=runtime,
                        name="digest", job_kwargs=_JOB_KWARGS)
    return runtime
