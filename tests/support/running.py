"""Runs the real bot (`bot.build_application`, over one runtime) against a Bot API stand-in, as `bot.py run` would:
post_init, start, long polling; then a clean stop and post_shutdown."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram.ext import Application

from bot import build_application
from feeds.ingest import no_classification
from model import Clock
from settings import Settings
from tests.support.botapi import BotApiStandIn


@asynccontextmanager
async def running_bot(settings: Settings, api: BotApiStandIn, *, token: str,
                      clock: Clock) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """The Application pointed at `api` through `telegram.base_url`, polling until the block ends."""
    pointed = dataclasses.replace(settings, telegram=dataclasses.replace(settings.telegram, base_url=api.base_url))
    app = build_application(pointed, token=token, clock=clock, classify=no_classification)
    async with app:
        assert app.post_init is not None and app.updater is not None
        await app.post_init(app)  # run_polling() calls it after initialize(); here we start the parts by hand
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1)
        await app.bot_data.handling.wait()  # the runtime opens once polling has begun
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()
    assert app.post_shutdown is not None
    await app.post_shutdown(app)
