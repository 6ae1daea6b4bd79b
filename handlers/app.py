"""Builds the python-telegram-bot `Application`: rate limiter, typed context, handlers, jobs, start-up.

Called only by `bot.py` (and by end-to-end tests, which point `base_url` at a local Bot API stand-in).
"""

from __future__ import annotations

from contextlib import AsyncExitStack

from telegram.ext import Application, ApplicationBuilder, ContextTypes

from delivery.fanout import FanOutHook
from delivery.sender import rate_limiter
from feeds.fetch import open_fetcher
from feeds.ingest import Classify, IngestDeps, no_classification, register_config_feeds
from feeds.pool import ParsePool
from handlers import admin, alerts, chat_settings, latest, start, subscribe
from handlers.error_handler import on_error
from handlers.jobs import schedule_ingest, schedule_jobs
from handlers.menu import publish_commands
from handlers.services import Services
from handlers.throttle import THROTTLE_GROUP, throttle_updates
from model import Clock
from ops.health import HealthServer
from settings import Settings
from storage.engine import Database


def build_application(settings: Settings, *, token: str, clock: Clock,
                      classify: Classify = no_classification) -> Application:
    """The bot, ready for `run_polling()` or, in tests, `async with app: await app.start()`."""

    health: list[HealthServer] = []
    ingestion = AsyncExitStack()  # the feed fetcher's HTTP session and the parse processes

    async def post_init(application: Application) -> None:
        database = Database(settings.database.url)
        await database.upgrade()
        services: Services = application.bot_data
        services.install(settings=settings, database=database, clock=clock)
        if settings.health.port:
            server = HealthServer(database, services.metrics, clock, max_cycle_age=settings.health.max_cycle_age)
            await server.start(settings.health.listen, settings.health.port)
            health.append(server)
        await register_config_feeds(database, settings.feeds, now=clock())
        fetcher = await ingestion.enter_async_context(open_fetcher(settings.fetch))
        pool = ParsePool(settings.fetch.parse_workers)
        ingestion.callback(pool.close)
        deps = IngestDeps(database=database, fetcher=fetcher, pool=pool, limits=settings.fetch,
                          interval=settings.schedule.fetch_interval, classify=classify, on_new=FanOutHook(clock))
        services.install_ingest(deps)
        schedule_ingest(application.job_queue, deps)  # type: ignore[arg-type]
        await publish_commands(application.bot, admin_ids=settings.telegram.admin_ids)

    async def post_shutdown(application: Application) -> None:
        services: Services = application.bot_data
        for server in health:
            await server.stop()
        await ingestion.aclose()
        if services.installed:
            await services.database.close()

    application = (
        ApplicationBuilder()
        .token(token)
        .base_url(settings.telegram.base_url)
        .rate_limiter(rate_limiter(settings.telegram.max_messages_per_second))
        .context_types(ContextTypes(bot_data=Services))
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    application.add_handler(throttle_updates, group=THROTTLE_GROUP)
    for module in (start, subscribe, latest, alerts, chat_settings, admin):
        application.add_handlers(module.HANDLERS)
    application.add_handler(start.FALLBACK)  # after every command: only commands nobody took reach it
    application.add_error_handler(on_error)
    schedule_jobs(application, settings)
    return application
