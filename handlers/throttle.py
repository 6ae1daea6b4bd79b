"""Answers a user who floods the bot a few times a second at most, then drops the rest with one notice.

The decision is a pure object (`Throttle`) driven by an injected clock; `throttle_updates` is the PTB
handler that runs before every other handler and stops the update when the throttle says so.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import ApplicationHandlerStop, TypeHandler

from handlers.texts import text, user_language
from handlers.threads import forum_thread

if TYPE_CHECKING:
    from handlers.services import Context


class Decision(enum.Enum):
    ALLOW = "allow"
    NOTIFY = "notify"  # drop this update and tell the user once that they are going too fast
    DROP = "drop"  # drop silently: the user has been told


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: datetime
    notified: bool = False


@dataclass(slots=True)
class Throttle:
    """A token bucket per user: `burst` updates at once, refilled at `rate` per second."""

    rate: float = 2.0
    burst: int = 5
    max_tracked: int = 10_000  # past this many users, idle ones are forgotten
    _buckets: dict[int, _Bucket] = field(default_factory=dict)

    def decide(self, user_id: int, now: datetime) -> Decision:
        bucket = self._buckets.get(user_id)
        if bucket is None:
            if len(self._buckets) >= self.max_tracked:
                self.forget_idle(now)
            bucket = self._buckets[user_id] = _Bucket(tokens=float(self.burst), updated=now)
        elapsed = max((now - bucket.updated).total_seconds(), 0.0)
        bucket.tokens = min(float(self.burst), bucket.tokens + elapsed * self.rate)
        bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            bucket.notified = False
            return Decision.ALLOW
        if bucket.notified:
            return Decision.DROP
        bucket.notified = True
        return Decision.NOTIFY

    def forget_idle(self, now: datetime, idle: timedelta = timedelta(minutes=10)) -> None:
        """Drop buckets of users not seen for `idle`, so memory stays bounded by active users."""
        for user_id in [uid for uid, bucket in self._buckets.items() if now - bucket.updated > idle]:
            del self._buckets[user_id]


async def _throttle(update: Update, context: Context) -> None:
    user = update.effective_user
    if user is None or update.channel_post is not None:
        return
    services = context.bot_data
    now = services.clock()
    decision = services.throttle.decide(user.id, now)
    if decision is Decision.ALLOW:
        return
    if decision is Decision.NOTIFY and update.effective_chat is not None:
        await context.bot.send_message(update.effective_chat.id,
                                       text(user_language(user.language_code), "throttle.slow_down"),
                                       parse_mode=ParseMode.HTML, message_thread_id=forum_thread(update))
    if update.callback_query is not None:
        await update.callback_query.answer()
    raise ApplicationHandlerStop


THROTTLE_GROUP = -1
throttle_updates = TypeHandler(Update, _throttle)
