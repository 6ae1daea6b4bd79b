"""Frozen value types shared by every layer, named by the phase of the pipeline they belong to.

Nothing here does I/O or imports a third-party package, so `feeds/`, `storage/` and `handlers/` can all
depend on it without depending on each other.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Literal

Lang = Literal["es", "en"]
LANGS: tuple[Lang, ...] = ("es", "en")

Clock = Callable[[], datetime]
"""Returns the current time as an aware UTC datetime. Injected everywhere below `bot.py`."""


@dataclass(frozen=True, slots=True)
class Localized:
    """A text in both of the bot's languages."""

    es: str
    en: str

    def get(self, lang: str) -> str:
        return self.es if lang == "es" else self.en


class Scope(enum.StrEnum):
    """How much of a feed is about Venezuela."""

    VENEZUELA = "venezuela"  # every item is about Venezuela
    WORLD = "world"  # an item counts only if its text is about Venezuela


class FeedOrigin(enum.StrEnum):
    """Who put a feed in the database, which decides who may change it and how it is fetched."""

    CONFIG = "config"  # config.toml: written by the operator, trusted, synced at every start
    ADMIN = "admin"  # /feed add: fetched only from public addresses (see feeds.fetch)


@dataclass(frozen=True, slots=True)
class FeedSpec:
    """A feed as configured (config.toml or the admin command), before it is stored."""

    url: str
    name: str
    scope: Scope
    language: Lang | None = None
    user_agent: str | None = None  # for a site that refuses the bot's own User-Agent (config.toml only)


@dataclass(frozen=True, slots=True)
class FeedForFetch:
    """A stored feed as one ingestion cycle needs it: where it is, how to ask for it conditionally,
    and how many times in a row it has failed (for the backoff)."""

    id: int
    url: str
    name: str
    scope: Scope
    language: Lang | None
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    consecutive_failures: int = 0
    origin: FeedOrigin = FeedOrigin.CONFIG  # an admin-added feed is fetched through the address guard


@dataclass(frozen=True, slots=True)
class FeedStatus:
    """A stored feed and its health, as an admin or a health check sees it."""

    id: int
    url: str
    name: str
    scope: Scope
    origin: FeedOrigin
    active: bool
    last_fetched_at: datetime | None
    last_success_at: datetime | None
    last_error_at: datetime | None
    last_error_kind: str | None
    last_error_detail: str | None
    consecutive_failures: int
    next_fetch_at: datetime | None


@dataclass(frozen=True, slots=True)
class Topic:
    """A topic that chats subscribe to. Topics are data from config.toml, never code.

    Terms come in tiers, weighed by `feeds.classify`: `strong` ones are enough anywhere, plain `terms` are
    enough in a title, `weak` ones add to others, and when `needs` is not empty one of its terms (or a strong
    one) must appear. `ignore` lists phrases that contain a term but mean something else ("en marcha",
    "post-election"); `exclude` lists words that stop the topic outright.
    """

    id: str
    name: Localized
    description: Localized
    terms_es: tuple[str, ...]
    terms_en: tuple[str, ...]
    exclude_es: tuple[str, ...] = ()
    exclude_en: tuple[str, ...] = ()
    requires_context: bool = True  # the topic is about Venezuela: see feeds.classify for what that implies
    strong_es: tuple[str, ...] = ()
    strong_en: tuple[str, ...] = ()
    weak_es: tuple[str, ...] = ()
    weak_en: tuple[str, ...] = ()
    needs_es: tuple[str, ...] = ()
    needs_en: tuple[str, ...] = ()
    ignore_es: tuple[str, ...] = ()
    ignore_en: tuple[str, ...] = ()


class ChatMode(enum.StrEnum):
    INSTANT = "instant"  # an alert for every matching story, plus the digest if it is on
    DIGEST = "digest"  # the daily digest only


@dataclass(frozen=True, slots=True)
class Chat:
    """A Telegram chat (private, group, supergroup or channel) and its settings."""

    id: int
    type: str
    language: Lang
    timezone: str
    digest_time: time | None  # None: digest off
    mode: ChatMode
    active: bool
    title: str | None = None


@dataclass(frozen=True, slots=True)
class KeywordAlert:
    id: int
    chat_id: int
    phrase: str


class DeliveryKind(enum.StrEnum):
    TOPIC = "topic"  # the story matched one of the chat's topics
    KEYWORD = "keyword"  # the story matched one of the chat's keyword alerts


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"  # the chat left, blocked the bot or changed its mind before sending


@dataclass(frozen=True, slots=True)
class Item:
    """One feed entry after normalisation: plain text, canonical link, aware UTC time, stable identity."""

    guid: str
    link: str
    title: str
    summary: str
    language: str | None  # ISO 639-1, as the feed declared it: items in languages without topic terms get none
    published_at: datetime
    fetched_at: datetime
    content_hash: str
    outlet: str | None = None  # the outlet an aggregator (Google News) credits; None for an outlet's own feed


@dataclass(frozen=True, slots=True)
class StoryKey:
    """What clustering compares a new item against: a recent story, its normalised title and its link."""

    story_id: int
    title_key: str
    link: str


@dataclass(frozen=True, slots=True)
class Source:
    """One outlet's report of a story."""

    feed_name: str
    link: str
    title: str


@dataclass(frozen=True, slots=True)
class Story:
    """One event as reported by one or more outlets; the unit that chats are alerted about."""

    id: int
    title: str
    link: str
    published_at: datetime
    summary: str = ""
    language: Lang | None = None
    sources: tuple[Source, ...] = ()
    topics: tuple[str, ...] = ()
    matched_terms: tuple[tuple[str, tuple[str, ...]], ...] = field(default=())


@dataclass(frozen=True, slots=True)
class NewStory:
    """A story that gained an item in this ingestion cycle, as the fan-out to chats sees it.

    `topics` are the topics of the new item with the terms that fired; `is_new` is False when the item
    joined a story stored earlier (another outlet reporting the same event).
    """

    story_id: int
    title: str
    summary: str
    topics: tuple[tuple[str, tuple[str, ...]], ...]
    is_new: bool
    published_at: datetime


@dataclass(frozen=True, slots=True)
class Stats:
    """Counts for /healthz, /metrics and the admin /stats command, read in one go."""

    feeds_ok: int
    feeds_failing: int
    items_total: int
    items_today: int  # fetched in the 24 hours before the snapshot
    chats_active: int
    subscriptions: tuple[tuple[str, int], ...]  # (topic, active chats following it)
    deliveries: tuple[tuple[str, int], ...]  # (status, count)
    last_fetch_at: datetime | None

    def deliveries_with(self, status: DeliveryStatus) -> int:
        return dict(self.deliveries).get(status.value, 0)
