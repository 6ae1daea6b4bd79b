"""Builds the python-telegram-bot `Application`: rate limiter, read timeout, typed context, update processor.

Called only by `bot.py`, which hands it `start` and `stop`: they open and close the runtime (database,
ingestion, the one Sender) and install it into `Services`. This module imports telegram and little else, so
that `run` polls within a fraction of a second; the handlers and jobs (which import storage, and with it
SQLAlchemy) come with `handlers.routing.start_handling` once the runtime is open, and updates that arrive
before then wait for it. End-to-end tests point `base_url` at a local Bot API stand-in.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import AIORateLimiter, ApplicationBuilder, BaseUpdateProcessor, ContextTypes

from delivery.perchat import OneAtATimePerChat
from handlers.services import BotApplication, Services
from settings import Settings

Lifecycle = Callable[[BotApplication], Awaitable[None]]

UPDATES_AT_ONCE = 256  # updates in hand at once; those of one chat wait for each other, not for the others
OVERALL_PER_SECOND = 29
# How long a request waits for Telegram's answer. Telegram answers in well under a second; PTB's 5 s took
# slow successes for failures, and their retries were copies. Past this, a send counts as timed out (and is
# tried once more, SendPolicy.timed_out_attempts). It stays under the 10 s SIGTERM gives the message in flight.
READ_TIMEOUT_SECONDS = 8.0


class _HandledFloodControl(logging.Filter):
    """PTB's rate limiter logs every 429 it passes on as an ERROR with a traceback. The Sender handles each
    one (it waits as Telegram asks, and logs one WARNING line saying so), so those records are dropped."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Rate limit hit after maximum of 0 retries")


_FLOOD_CONTROL_LOG = logging.getLogger("telegram.ext.AIORateLimiter")
if not any(isinstance(existing, _HandledFloodControl) for existing in _FLOOD_CONTROL_LOG.filters):
    _FLOOD_CONTROL_LOG.addFilter(_HandledFloodControl())


def rate_limiter(per_second: float = OVERALL_PER_SECOND) -> AIORateLimiter:
    """The bot's AIORateLimiter (every request, not only the sender's, goes through it).

    PTB's default lets 30 requests through at once and then 30 a second, so the first second of a
    broadcast carries up to 60 messages and Telegram answers 429. Here the overall bucket holds one
    request and refills `per_second` times a second (`telegram.max_messages_per_second`, 29 by default):
    evenly spaced sends, never more than 30 in any second. Groups keep PTB's 20 a minute (the sender
    paces each group more slowly than that anyway)."""
    return AIORateLimiter(overall_max_rate=1, overall_time_period=1 / per_second,
                          group_max_rate=20, group_time_period=60, max_retries=0)


class ChatOrderedUpdates(BaseUpdateProcessor):
    """Updates of different chats are handled concurrently; those of one chat one after the other, in the
    order they came. Before, every update waited for the one ahead of it, so one slow command (a write
    waiting for the database) held up every chat's answers. No update is handled before `handling` is set
    (the runtime open and the handlers in): those that come earlier wait, in order."""

    def __init__(self, handling: asyncio.Event, max_concurrent_updates: int = UPDATES_AT_ONCE) -> None:
        super().__init__(max_concurrent_updates)
        self._chats = OneAtATimePerChat()
        self._handling = handling

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        async with self._chats.alone(chat.id if chat is not None else 0):  # chatless updates share one line
            await self._handling.wait()
            await coroutine

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None


def build_application(settings: Settings, *, token: str, start_runtime: Lifecycle,
                      stop_runtime: Lifecycle) -> BotApplication:
    """The bot, ready for `run_polling()` or, in tests, `async with app: await app.start()`. It handles no
    update until `handlers.routing.start_handling` has run (`start_runtime` calls it)."""
    handling = asyncio.Event()

    async def post_init(application: BotApplication) -> None:
        await start_runtime(application)

    async def post_shutdown(application: BotApplication) -> None:
        await stop_runtime(application)

    application: BotApplication = (
        ApplicationBuilder()
        .token(token)
        .base_url(settings.telegram.base_url)
        .rate_limiter(rate_limiter(settings.telegram.max_messages_per_second))
        .read_timeout(READ_TIMEOUT_SECONDS)
        .concurrent_updates(ChatOrderedUpdates(handling))
        .context_types(ContextTypes(bot_data=Services))
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    application.bot_data.handling = handling
    return application
