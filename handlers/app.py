"""Builds the python-telegram-bot `Application`: rate limiter, typed context, handlers, jobs, start-up.

Called only by `bot.py`, which hands it `start` and `stop`: they open and close the runtime (database,
ingestion, the one Sender) and install it into `Services`. End-to-end tests point `base_url` at a local
Bot API stand-in.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import ApplicationBuilder, BaseUpdateProcessor, ContextTypes

from delivery.sender import READ_TIMEOUT_SECONDS, OneAtATimePerChat, rate_limiter
from handlers import admin, alerts, chat_settings, feedback, inline, latest, plain_text, start, subscribe
from handlers.error_handler import on_error
from handlers.jobs import schedule_jobs
from handlers.menu import publish_commands
from handlers.services import BotApplication, Context, Services
from handlers.throttle import THROTTLE_GROUP, throttle_updates
from settings import Settings

Lifecycle = Callable[[BotApplication], Awaitable[None]]

UPDATES_AT_ONCE = 256  # updates in hand at once; those of one chat wait for each other, not for the others


class ChatOrderedUpdates(BaseUpdateProcessor):
    """Updates of different chats are handled concurrently; those of one chat one after the other, in the
    order they came. Before, every update waited for the one ahead of it, so one slow command (a write
    waiting for the database) held up every chat's answers."""

    def __init__(self, max_concurrent_updates: int = UPDATES_AT_ONCE) -> None:
        super().__init__(max_concurrent_updates)
        self._chats = OneAtATimePerChat()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        async with self._chats.alone(chat.id if chat is not None else 0):  # chatless updates share one line
            await coroutine

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None


def build_application(settings: Settings, *, token: str, start_runtime: Lifecycle,
                      stop_runtime: Lifecycle) -> BotApplication:
    """The bot, ready for `run_polling()` or, in tests, `async with app: await app.start()`."""

    async def publish_menus(context: Context) -> None:
        await publish_commands(context.bot, admin_ids=settings.telegram.admin_ids)

    async def post_init(application: BotApplication) -> None:
        await start_runtime(application)
        # The menus go out once polling has begun: their setMyCommands round trips (six or more) no longer
        # delay the first getUpdates.
        assert application.job_queue is not None, "the JobQueue is missing: install python-telegram-bot[job-queue]"
        application.job_queue.run_once(publish_menus, when=0, name="publish-commands")

    async def post_shutdown(application: BotApplication) -> None:
        await stop_runtime(application)

    application = (
        ApplicationBuilder()
        .token(token)
        .base_url(settings.telegram.base_url)
        .rate_limiter(rate_limiter(settings.telegram.max_messages_per_second))
        .read_timeout(READ_TIMEOUT_SECONDS)
        .concurrent_updates(ChatOrderedUpdates())
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
