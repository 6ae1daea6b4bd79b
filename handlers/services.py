"""The typed `bot_data` object through which handlers and jobs reach shared services.

PTB creates it with no arguments (`ContextTypes(bot_data=Services)`), so `bot.py` fills it in `post_init`.
Reading a service before that is a programmer error and says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from telegram.ext import CallbackContext, ExtBot

from handlers.throttle import Throttle
from ops.metrics import Metrics

if TYPE_CHECKING:
    from feeds.ingest import IngestDeps
    from model import Clock
    from settings import Settings
    from storage.engine import Database

_T = TypeVar("_T")


@dataclass(slots=True)
class Services:
    """Everything a handler or job needs besides the update. Filled once by `bot.py`."""

    _settings: Settings | None = field(default=None)
    _database: Database | None = field(default=None)
    _clock: Clock | None = field(default=None)
    _ingest: IngestDeps | None = field(default=None)
    metrics: Metrics = field(default_factory=Metrics)
    throttle: Throttle = field(default_factory=Throttle)

    def install(self, *, settings: Settings, database: Database, clock: Clock) -> None:
        self._settings = settings
        self._database = database
        self._clock = clock

    def install_ingest(self, deps: IngestDeps) -> None:
        """The fetcher and parse pool of ingestion, which /feed add checks a new feed with."""
        self._ingest = deps

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
    def ingest(self) -> IngestDeps:
        return _required(self._ingest, "ingest")


def _required(value: _T | None, name: str) -> _T:
    if value is None:
        raise RuntimeError(f"Services.{name} used before bot.py installed it (post_init has not run)")
    return value


Context = CallbackContext[ExtBot[None], dict, dict, Services]
"""The callback context type every handler and job receives."""
