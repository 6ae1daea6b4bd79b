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
class QuietHours:
    """A chat's nightly window without instant alerts, in its local time: alerts in it are held and sent
    as one bundle when it ends, or, when `silent`, sent at once without a notification sound.
    `start` after `end` spans midnight (23:00-07:00)."""

    start: time
    end: time
    silent: bool = False


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
    quiet: QuietHours | None = None  # None: alerts at any hour


@dataclass(frozen=True, slots=True)
class Destination:
    """Where a stored chat's messages go in Telegram: the chat, and for a forum topic its thread."""

    chat_id: int
    thread_id: int | None = None


@dataclass(frozen=True, slots=True)
class KeywordAlert:
    id: int
    chat_id: int
    phrase: str  # the canonical form: what is matched and compared
    typed: str | None = None  # as the user typed it (markup stripped): what the chat is shown

    @property
    def shown(self) -> str:
        return self.typed or self.phrase


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
    """What clustering compares a new item against: a recent story, its normalised title, its link and when
    it was published (None: no limit)."""

    story_id: int
    title_key: str
    link: str
    published_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Source:
    """One outlet's report of a story."""

    feed_name: str
    link: str
    title: str
    language: str | None = None


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
    chats_active: int  # chats, not counting their forum topics
    forum_topics_active: int  # forum topics with settings of their own
    subscriptions: tuple[tuple[str, int], ...]  # (topic, active chats following it)
    deliveries: tuple[tuple[str, int], ...]  # (status, count)
    last_fetch_at: datetime | None

    def deliveries_with(self, status: DeliveryStatus) -> int:
        return dict(self.deliveries).get(status.value, 0)


# ---------------------------------------------------------------------------------------------------
# Ingestion: what storage is given and returns


@dataclass(frozen=True, slots=True)
class FeedUpdate:
    """What one fetch of one feed changes in its row.

    A success (`error_kind` is None) stores the conditional-GET state and clears the failure count; a
    failure stores the error and the failure count that the backoff was computed from. Either way the
    feed is next due at `next_fetch_at`.
    """

    feed_id: int
    fetched_at: datetime
    next_fetch_at: datetime
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    error_kind: str | None = None
    error_detail: str | None = None
    failures: int = 0

    @property
    def ok(self) -> bool:
        return self.error_kind is None


@dataclass(frozen=True, slots=True)
class NewItem:
    """An item of feed `feed_id` to store, and where it goes: into the stored story `story_id`, into the
    story started by the item at index `joins` of the same batch, or (neither set) into a new story."""

    feed_id: int
    item: Item
    title_key: str
    topics: tuple[tuple[str, tuple[str, ...]], ...] = ()
    story_id: int | None = None
    joins: int | None = None

    @property
    def starts_story(self) -> bool:
        return self.story_id is None and self.joins is None


@dataclass(frozen=True, slots=True)
class StoredItem:
    """An item the database really inserted."""

    feed_id: int
    item_id: int
    story_id: int
    guid: str
    started_story: bool


# ---------------------------------------------------------------------------------------------------
# Delivery: the outbox


@dataclass(frozen=True, slots=True)
class NewDelivery:
    """Fan-out's verdict: this chat should hear about this story, because of these topics and phrases."""

    chat_id: int
    story_id: int
    topics: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Delivery:
    """A pending delivery as the sender sees it."""

    id: int
    chat_id: int
    story_id: int
    topics: tuple[str, ...]
    phrases: tuple[str, ...]
    attempts: int
    held: bool = False  # it waited for the end of the chat's quiet hours

    @property
    def kind(self) -> DeliveryKind:
        return DeliveryKind.TOPIC if self.topics else DeliveryKind.KEYWORD


@dataclass(frozen=True, slots=True)
class ChatWork:
    """One chat's share of a claim: the chat and its due deliveries, oldest first."""

    chat: Chat
    deliveries: tuple[Delivery, ...]


@dataclass(frozen=True, slots=True)
class DeliveryRecord:
    """A delivery in any state, for tests and diagnostics."""

    id: int
    chat_id: int
    story_id: int
    kind: DeliveryKind
    topics: tuple[str, ...]
    phrases: tuple[str, ...]
    status: DeliveryStatus
    attempts: int
    not_before: datetime
    sent_at: datetime | None
    last_error: str | None


@dataclass(frozen=True, slots=True)
class Button:
    """An inline keyboard button as plain data; `handlers.common.markup` and the Sender turn rows of these
    into Telegram's markup."""

    label: str  # plain text, not HTML: Telegram shows button labels verbatim
    data: str


Keyboard = tuple[tuple[Button, ...], ...]


# ---------------------------------------------------------------------------------------------------
# Readers' feedback: "this alert is not about <topic>"


class FeedbackOutcome(enum.StrEnum):
    NOTED = "noted"  # the first press of this chat for this story and topic
    ALREADY = "already"  # this chat had said so before (whoever pressed)
    UNKNOWN = "unknown"  # the chat was never alerted of this story for this topic: an outdated button


@dataclass(frozen=True, slots=True)
class TopicFeedback:
    """One topic's alerts sent in a period, and how many of them a chat flagged as not about it."""

    topic: str
    sent: int
    flagged: int


@dataclass(frozen=True, slots=True)
class FlaggedStory:
    """A story readers flagged, with each topic they said it is not about and how many chats said so."""

    story: Story
    flags: tuple[tuple[str, int], ...]  # (topic, chats), by topic id

    @property
    def flagged_topics(self) -> tuple[str, ...]:
        return tuple(topic for topic, _ in self.flags)


# ---------------------------------------------------------------------------------------------------
# Digests


class DigestStatus:
    PENDING = "pending"
    SENT = "sent"
    EMPTY = "empty"  # nothing to say: not sent, but the day counts as done
    FAILED = "failed"
    CANCELLED = "cancelled"  # the chat blocked the bot or left
    EXPIRED = "expired"  # still unsent long after its time (the bot was down): skipped


@dataclass(frozen=True, slots=True)
class DigestChat:
    """A chat with the digest on, and when its previous digest was made."""

    chat: Chat
    last_digest_at: datetime | None


@dataclass(frozen=True, slots=True)
class Interests:
    """What a chat follows: its topics and its keyword alerts."""

    topics: tuple[str, ...]
    alerts: tuple[KeywordAlert, ...]


@dataclass(frozen=True, slots=True)
class PendingDigest:
    id: int
    chat_id: int
    local_date: str
    due_at: datetime
    parts: tuple[str, ...]
    parts_sent: int
    attempts: int


@dataclass(frozen=True, slots=True)
class DigestRecord:
    id: int
    chat_id: int
    local_date: str
    due_at: datetime
    since: datetime
    until: datetime
    status: str
    parts_total: int
    parts_sent: int
    attempts: int
    sent_at: datetime | None
    last_error: str | None


@dataclass(frozen=True, slots=True)
class SeenStory:
    """A story and when Centinela first saw it (what a digest's window is about)."""

    first_seen_at: datetime
    story: Story


@dataclass(frozen=True, slots=True)
class NewDigest:
    """A digest to claim: the chat's local day, its window and its rendered messages (none: empty)."""

    chat_id: int
    local_date: str
    due_at: datetime
    since: datetime
    until: datetime
    parts: tuple[str, ...]


# ---------------------------------------------------------------------------------------------------
# Chats: keyword alerts and channels


class AlertOutcome(enum.StrEnum):
    ADDED = "added"
    DUPLICATE = "duplicate"  # the chat already has this phrase
    FULL = "full"  # the chat has reached the cap


@dataclass(frozen=True, slots=True)
class AlertAdded:
    outcome: AlertOutcome
    alert: KeywordAlert | None  # the new alert, or the existing one for DUPLICATE


@dataclass(frozen=True, slots=True)
class ConfiguredChannel:
    """A configured channel once its numeric id is known."""

    chat_id: int
    title: str | None
    type: str
    topics: tuple[str, ...]
    mode: ChatMode
    language: str
    timezone: str
    digest_time: time | None


# ---------------------------------------------------------------------------------------------------
# What an ingestion cycle did


class FeedFetchStatus(enum.StrEnum):
    FETCHED = "fetched"  # a new body was read and parsed (it may hold no new item)
    NOT_MODIFIED = "not_modified"  # 304
    UNCHANGED = "unchanged"  # same body as last time
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class FeedReport:
    """What a cycle did with one feed."""

    feed_id: int
    name: str
    url: str
    status: FeedFetchStatus
    seconds: float
    entries: int = 0  # entries in the document
    new_items: int = 0
    new_stories: int = 0  # of the new items, how many started a story (the others joined one)
    error_kind: str | None = None
    error_detail: str = ""
    warning: str | None = None  # the document was not well-formed but could be read
    moved_to: str | None = None

    def line(self) -> str:
        """One line for `fetch --once` and the demo."""
        if self.status == FeedFetchStatus.FETCHED:
            joined = self.new_items - self.new_stories
            what = f"{self.new_items} new" + (f" ({joined} joined other stories)" if joined else "")
            what += f" of {self.entries} entries"
        elif self.status == FeedFetchStatus.NOT_MODIFIED:
            what = "not modified"
        elif self.status == FeedFetchStatus.UNCHANGED:
            what = "unchanged"
        else:
            what = f"error {self.error_kind}: {self.error_detail}".rstrip(": ")
        extra = "".join(f"; {note}" for note in (
            f"warning {self.warning}" if self.warning else "", f"moved to {self.moved_to}" if self.moved_to else "")
            if note)
        return f"{self.name[:28]:<28} {what}{extra}  [{self.seconds:.2f} s]"


@dataclass(frozen=True, slots=True)
class CycleReport:
    started_at: datetime
    feeds: tuple[FeedReport, ...]
    seconds: float

    def count(self, status: FeedFetchStatus) -> int:
        return sum(report.status == status for report in self.feeds)

    @property
    def new_items(self) -> int:
        return sum(report.new_items for report in self.feeds)

    @property
    def new_stories(self) -> int:
        return sum(report.new_stories for report in self.feeds)

    @property
    def failed(self) -> tuple[FeedReport, ...]:
        return tuple(report for report in self.feeds if report.status == FeedFetchStatus.FAILED)

    def summary(self) -> str:
        return (f"{len(self.feeds)} feeds: {self.new_items} new items ({self.new_stories} new stories), "
                f"{self.count(FeedFetchStatus.FETCHED)} read, {self.count(FeedFetchStatus.NOT_MODIFIED)} not modified, "
                f"{self.count(FeedFetchStatus.UNCHANGED)} unchanged, {len(self.failed)} failed; {self.seconds:.2f} s")

    def lines(self) -> list[str]:
        return [report.line() for report in self.feeds] + [f"total: {self.summary()}"]


# ---------------------------------------------------------------------------------------------------
# Feeds added and removed by command


@dataclass(frozen=True, slots=True)
class FeedAdded:
    feed: FeedStatus
    entries: int  # entries in the document as fetched now


@dataclass(frozen=True, slots=True)
class FeedKnown:
    """An active feed already has this address (it may be a config feed)."""

    feed: FeedStatus


@dataclass(frozen=True, slots=True)
class FeedRefused:
    """The address did not give a feed: a FetchError kind (blocked_address, timeout, http_404...) or a
    reading one (not_a_feed, empty...), with its detail."""

    kind: str
    detail: str


AddOutcome = FeedAdded | FeedKnown | FeedRefused


class Removal(enum.StrEnum):
    REMOVED = "removed"
    CONFIG = "config"  # a config.toml feed: refused, edit the config instead
    NOT_FOUND = "not_found"  # no active feed has that number


@dataclass(frozen=True, slots=True)
class RemoveOutcome:
    outcome: Removal
    feed: FeedStatus | None  # None when not found
