"""The typed `bot_data` object through which handlers and jobs reach the runtime's services.

PTB creates it with no arguments (`ContextTypes(bot_data=Services)`), so `bot.py` fills it in `post_init`
from the one runtime (`bot.build_runtime`). Reading a service before that is a programmer error and says so.
Ingestion is reached through the `FeedIngestion` protocol: handlers never import feeds/.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from telegram.ext import Application, CallbackContext, ExtBot

from handlers.throttle import Throttle

if TYPE_CHECKING:
    from delivery.digests import DigestService
    from delivery.fanout import FanOutHook
    from delivery.sender import Sender
    from model import AddOutcome, Clock, CycleReport, RemoveOutcome, Scope
    from ops.metrics import Metrics
    from settings import Settings
    from storage.engine import Database

_T = TypeVar("_T")


class FeedIngestion(Protocol):
    """What the commands and the ingestion job ask of feeds/ (`feeds.service.Ingestion`)."""

    @property
    def interval(self) -> timedelta: ...

    async def run_cycle(self, *, now: datetime, everything: bool = False) -> CycleReport: ...

    async def add_feed(self, url: str, scope: Scope, *, now: datetime) -> AddOutcome: ...

    async def remove_feed(self, feed_id: int) -> RemoveOutcome: ...


@dataclass(slots=True)
class Services:
    """Everything a handler or job needs besides the update. Filled once by `bot.py`."""

    _settings: Settings | None = field(default=None)
    _database: Database | None = field(default=None)
    _clock: Clock | None = field(default=None)
    _ingestion: FeedIngestion | None = field(default=None)
    _sender: Sender | None = field(default=None)
    _digests: DigestService | None = field(default=None)
    _fanout: FanOutHook | None = field(default=None)
    _metrics: Metrics | None = field(default=None)
    throttle: Throttle = field(default_factory=Throttle)
    exit_status: int = 0  # set when the bot stops by itself: 3 another instance took over, 4 its database file gone
    poll_conflicts: int = 0  # getUpdates answered 409: another process polls with this token
    # Set once the runtime is installed and the handlers are in (`handlers.routing.start_handling`): until then
    # updates wait. `handlers.app` shares it with the update processor.
    handling: asyncio.Event = field(default_factory=asyncio.Event)

    def install(self, *, settings: Settings, database: Database, clock: Clock) -> None:
        self._settings = settings
        self._database = database
        self._clock = clock

    def install_ingestion(self, ingestion: FeedIngestion) -> None:
        """Ingestion's fetcher and parse pool, which the ingestion job runs and /feed add checks a feed with."""
        self._ingestion = ingestion

    def install_delivery(self, sender: Sender, digests: DigestService) -> None:
        """The runtime's one Sender and the digest service that sends through it."""
        self._sender = sender
        self._digests = digests

    def install_fanout(self, fanout: FanOutHook) -> None:
        """Ingestion's fan-out hook, which holds the keyword-alert index the alert commands keep current."""
        self._fanout = fanout

    @property
    def metrics(self) -> Metrics:
        """The runtime's metrics once installed; until then a set of its own (prometheus_client is imported on
        first use, not while the bot starts)."""
        if self._metrics is None:
            from ops.metrics import Metrics

            self._metrics = Metrics()
        return self._metrics

    @metrics.setter
    def metrics(self, metrics: Metrics) -> None:
        self._metrics = metrics

    @property
    def installed(self) -> bool:
        """Whether post_init got as far as installing the services (it may fail before: a rejected token)."""
        return self._database is not None

    @property
    def settings(self) -> Settings:
        return _required(self._settings, "settings")

    @property
    def database(self) -> Database:
        return _required(self._database, "database")

    @property
    def clock(self) -> Clock:
        return _required(self._clock, "clock")

    @property
    def ingestion(self) -> FeedIngestion:
        return _required(self._ingestion, "ingestion")

    @property
    def sender(self) -> Sender:
        return _required(self._sender, "sender")

    @property
    def digests(self) -> DigestService:
        return _required(self._digests, "digests")

    @property
    def fanout(self) -> FanOutHook:
        return _required(self._fanout, "fanout")


def _required(value: _T | None, name: str) -> _T:
    if value is None:
        raise RuntimeError(f"Services.{name} used before bot.py installed it (post_init has not run)")
    return value


Context = CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], Services]
"""The callback context type every handler and job receives."""

BotApplication = Application[Any, Context, dict[Any, Any], dict[Any, Any], Services, Any]
"""The Application `handlers.app` builds, with `Services` as `bot_data`. (Its bot and job queue stay Any:
PTB's builder types them from the rate limiter and the default context, not from `ContextTypes`.)"""
