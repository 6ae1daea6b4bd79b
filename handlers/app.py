"""Builds the python-telegram-bot `Application`: rate limiter, typed context, handlers, jobs, start-up.

Called only by `bot.py`, which hands it `start` and `stop`: they open and close the runtime (database,
ingestion, the one Sender) and install it into `Services`. End-to-end tests point `base_url` at a local
Bot API stand-in.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram.ext import ApplicationBuilder, ContextTypes

from delivery.sender import READ_TIMEOUT_SECONDS, rate_limiter
from handlers import admin, alerts, chat_settings, feedback, inline, latest, plain_text, start, subscribe
from handlers.error_handler import on_error
from handlers.jobs import schedule_jobs
from handlers.menu import publish_commands
from handlers.services import BotApplication, Services
from handlers.throttle import THROTTLE_GROUP, throttle_updates
from settings import Settings

Lifecycle = Callable[[BotApplication], Awaitable[None]]


def build_application(settings: Settings, *, token: str, start_runtime: Lifecycle,
                      stop_runtime: Lifecycle) -> BotApplication:
    """The bot, ready for `run_polling()` or, in tests, `async with app: await app.start()`."""

    async def post_init(application: BotApplication) -> None:
        await start_runtime(application)
        await publish_commands(application.bot, admin_ids=settings.telegram.admin_ids)

    async def post_shutdown(application: BotApplication) -> None:
        await stop_runtime(application)

    application = (
        ApplicationBuilder()
        .token(token)
        .base_url(settings.telegram.base_url)
        .rate_limiter(rate_limiter(settings.telegram.max_messages_per_second))
        .read_timeout(READ_TIMEOUT_SECONDS)
        .context_types(ContextTypes(bot_data=Services))
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    application.add_handler(throttle_updates, group=THROTTLE_GROUP)
    for module in (start, subscribe, latest, alerts, chat_settings, admin, feedback, inline, plain_text):
        application.add_handlers(module.HANDLERS)
    application.add_handler(start.FALLBACK)  # after every command: only commands nobody took reach it
    application.add_handler(plain_text.OUTDATED)  # after every button's handler: only data nobody took
    application.add_error_handler(on_error)
    schedule_jobs(application, settings)
    return application
