"""Helpers for sender and digest tests: a Sender whose waits move the fake clock instead of sleeping,
and bots that fail in the ways a crash does."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import datetime
from typing import Any

from telegram import Bot

from delivery.outcome import SendPolicy
from delivery.sender import Sender
from model import Topic
from storage.engine import Database
from tests.support.clock import FakeClock


def clock_waiter(clock: FakeClock, log: list[datetime] | None = None):  # type: ignore[no-untyped-def]
    """A `wait_until` that jumps the fake clock forward instead of sleeping (and notes each wait)."""

    async def wait_until(moment: datetime) -> None:
        if log is not None:
            log.append(moment)
        if moment > clock.now:
            clock.set(moment)
        await asyncio.sleep(0)

    return wait_until


def make_sender(bot: Any, database: Database, clock: FakeClock, topics: tuple[Topic, ...], *,
                waits: list[datetime] | None = None, **policy: Any) -> Sender:
    return Sender(bot, database, clock, topics, policy=dataclasses.replace(SendPolicy(), **policy),
                  wait_until=clock_waiter(clock, waits))


class RecordingBot:
    """Wraps a real Bot, noting the fake clock's time of every successful send."""

    def __init__(self, bot: Bot, clock: FakeClock) -> None:
        self._bot = bot
        self._clock = clock
        self.sent_at: list[tuple[int, datetime]] = []

    async def send_message(self, **kwargs: Any) -> Any:
        message = await self._bot.send_message(**kwargs)
        self.sent_at.append((kwargs["chat_id"], self._clock()))
        return message


class CrashingBot:
    """Wraps a real Bot and, after `survive` messages, hangs forever inside the next send (the process is
    about to be killed). With `after_send`, that last message does reach Telegram before the hang: it was
    in flight when the bot died."""

    def __init__(self, bot: Bot, survive: int, *, after_send: bool = False) -> None:
        self._bot = bot
        self._left = survive
        self._after_send = after_send
        self.hanging = asyncio.Event()

    async def send_message(self, **kwargs: Any) -> Any:
        if self._left <= 0:
            if self._after_send:
                self._after_send = False
                await self._bot.send_message(**kwargs)
            self.hanging.set()
            await asyncio.Event().wait()
        self._left -= 1
        return await self._bot.send_message(**kwargs)
