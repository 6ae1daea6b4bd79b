"""Fan-out: which chats must hear about the stories of an ingestion cycle, written to the outbox in the
same transaction that stored the stories.

Ingestion calls it; it never sends anything (the sender in `delivery.sender` drains the outbox). Topic
subscribers and keyword alerts are loaded once per cycle. Chats in digest mode get nothing here: their
digest picks stories from storage at digest time.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from delivery.keywords import KeywordIndex, parse_phrase
from errors import UsageError
from model import Chat, ChatMode, Clock, KeywordAlert, NewDelivery, NewStory
from storage import deliveries as outbox
from storage.digests import stories_seen_between

log = logging.getLogger(__name__)

AsyncSession = Any  # storage's session, handed through; sqlalchemy itself stays inside storage/


_parsed = functools.lru_cache(maxsize=100_000)(parse_phrase)
"""Stored phrases parsed once per process: an index reloaded after every alert change (`FanOutHook`) then
costs the query, not a parse of every alert (20,000 alerts: 0.6-1.6 s parsed, 0.2 s from this cache;
bench/keyword_reload.py)."""


class KeywordAlertIndex:
    """Keyword alerts (of many chats) compiled once; which of them a story's text fires."""

    def __init__(self, alerts: Iterable[KeywordAlert]) -> None:
        self._alerts: list[KeywordAlert] = []
        queries = []
        for alert in alerts:
            try:
                query = _parsed(alert.phrase)
            except UsageError as exc:  # stored before a stricter parser: skip the alert, not the cycle
                log.warning("keyword alert %s (%r) cannot be parsed: %s", alert.id, alert.phrase, exc)
                continue
            queries.append((len(self._alerts), query))
            self._alerts.append(alert)
        self._index: KeywordIndex[int] = KeywordIndex.build(queries)

    def __len__(self) -> int:
        return len(self._alerts)

    def matching(self, title: str, summary: str = "") -> list[KeywordAlert]:
        """The alerts that `title` and `summary` fire, oldest alert first."""
        if not self._alerts:
            return []
        return [self._alerts[index] for index in sorted(self._index.matching(title, summary))]


async def load_keyword_index(session: AsyncSession) -> KeywordAlertIndex:
    """The keyword alerts of every active chat in instant mode."""
    return KeywordAlertIndex(await outbox.instant_keyword_alerts(session))


def deliveries_for(new_stories: Sequence[NewStory], subscribers: dict[str, tuple[int, ...]],
                   keyword_index: KeywordAlertIndex | None) -> list[NewDelivery]:
    """Pure matching: for each story, every subscribed chat with the topics it follows and the phrases
    that fired. One entry per chat and story, topics and phrases together."""
    wanted: list[NewDelivery] = []
    for story in new_stories:
        by_chat: dict[int, tuple[list[str], list[str]]] = {}
        for topic, _terms in story.topics:
            for chat_id in subscribers.get(topic, ()):
                by_chat.setdefault(chat_id, ([], []))[0].append(topic)
        if keyword_index is not None:
            for alert in keyword_index.matching(story.title, story.summary):
                by_chat.setdefault(alert.chat_id, ([], []))[1].append(alert.shown)
        wanted.extend(NewDelivery(chat_id, story.story_id, tuple(dict.fromkeys(topics)),
                                         tuple(dict.fromkeys(phrases)))
                      for chat_id, (topics, phrases) in sorted(by_chat.items()))
    return wanted


ALERT_WINDOW = timedelta(hours=24)
"""A story published longer ago than this is news for the digest and /latest, not an instant alert: a
newly added feed's backlog, or an outlet re-publishing an old piece, must not flood subscribers."""


async def enqueue_deliveries(session: AsyncSession, new_stories: Sequence[NewStory], *,
                             keyword_index: KeywordAlertIndex | None, now: datetime) -> int:
    """Write the pending deliveries for `new_stories`; returns how many were new (a chat that already has
    the story, from another outlet or an earlier fetch, gets nothing more)."""
    new_stories = [story for story in new_stories if story.published_at >= now - ALERT_WINDOW]
    if not new_stories:
        return 0
    topics = {topic for story in new_stories for topic, _ in story.topics}
    subscribers = await outbox.instant_subscribers(session, topics)
    return await outbox.enqueue(session, deliveries_for(new_stories, subscribers, keyword_index), now=now)


class FanOut:
    """Built once per ingestion cycle; ingestion awaits `on_new(session, new_stories)` (or calls the
    object) inside the transaction that stored them. Keyword alerts are loaded on first use."""

    def __init__(self, *, now: datetime, keyword_index: KeywordAlertIndex | None = None) -> None:
        self.now = now
        self._keyword_index = keyword_index
        self.enqueued = 0

    async def on_new(self, session: AsyncSession, new_stories: Sequence[NewStory]) -> int:
        if self._keyword_index is None:
            self._keyword_index = await load_keyword_index(session)
        inserted = await enqueue_deliveries(session, new_stories, keyword_index=self._keyword_index, now=self.now)
        self.enqueued += inserted
        return inserted

    __call__ = on_new


class FanOutHook:
    """The `on_new` that ingestion is built with once, at start (`IngestDeps(on_new=FanOutHook(clock))`):
    each call fans out at `clock()` with the keyword alerts loaded once and kept until they change.

    The commands that change which alerts fire (/alert add and remove, /mode, /stop) call `alerts_changed`
    once they have committed, so the next story stored is checked against exactly the alerts stored; `refresh`
    only bounds how long a change made elsewhere (a chat deactivated by the sender) takes to count. A new
    alert is also checked at once against the stories of the last `CATCH_UP` (`catch_up`)."""

    def __init__(self, clock: Clock, *, refresh: timedelta = timedelta(minutes=1)) -> None:
        self._clock = clock
        self._refresh = refresh
        self._keyword_index: KeywordAlertIndex | None = None
        self._loaded_at: datetime | None = None
        self.enqueued = 0

    def alerts_changed(self) -> None:
        """Keyword alerts were added or removed, or a chat's mode changed: reload them before the next story."""
        self._keyword_index = None

    async def __call__(self, session: AsyncSession, new_stories: Sequence[NewStory]) -> int:
        now = self._clock()
        if self._keyword_index is None or self._loaded_at is None or now - self._loaded_at >= self._refresh:
            self._keyword_index = await load_keyword_index(session)
            self._loaded_at = now
        inserted = await enqueue_deliveries(session, new_stories, keyword_index=self._keyword_index, now=now)
        self.enqueued += inserted
        return inserted

    async def catch_up(self, session: AsyncSession, chat: Chat, alert: KeywordAlert) -> int:
        """Check a new alert against the stories first seen in the last `CATCH_UP`, so that an alert added just
        after a story still catches it; returns how many deliveries that wrote (none in digest mode: the
        digest reads the stories itself)."""
        if chat.mode is not ChatMode.INSTANT or not chat.active:
            return 0
        now = self._clock()
        recent = [NewStory(story_id=seen.story.id, title=seen.story.title, summary=seen.story.summary, topics=(),
                           is_new=False, published_at=seen.story.published_at)
                  for seen in await stories_seen_between(session, now - CATCH_UP, now)]
        inserted = await enqueue_deliveries(session, recent, keyword_index=KeywordAlertIndex([alert]), now=now)
        self.enqueued += inserted
        return inserted


CATCH_UP = timedelta(hours=1)
"""How far back a new keyword alert looks, at once, for stories it would have fired."""
