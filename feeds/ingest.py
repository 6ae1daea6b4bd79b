"""Ingestion: one cycle brings every due feed in, stores what is new, clusters it into stories and hands the
new stories to the fan-out, without ever letting one feed's trouble stop the others.

Pipeline of `run_cycle(deps, now=...)`, in order:

 1. Load, in one short transaction, the feeds due at `now` (`storage.feeds.feeds_due`). The stories first
    seen in the last 48 hours (`storage.stories.recent_story_keys`), indexed for clustering, are loaded by
    the first group that stores something (step 2d), in its transaction: a cycle where nothing is new never
    holds them (tens of MB at a few thousand feeds).
 2. For every due feed, concurrently (asyncio tasks; at most `fetch.concurrency` feeds between fetch
    and parse at once, an asyncio.Semaphore):
    a. Fetch (I/O, event loop): a conditional GET with the stored ETag / Last-Modified (feeds.fetch).
    b. A 304, or a body whose SHA-256 equals the stored one, ends here: nothing is parsed.
    c. Parse and normalise (CPU, in the process pool, feeds.pool -> feeds.worker): bytes -> Items with
       their title keys. Several feeds are parsed at once, one per core.
    d. Store (event loop, under an asyncio.Lock so that clustering sees every story stored before):
       a group commit. A read feed joins a queue; whoever holds the lock stores everything queued, up
       to GROUP_ITEMS items, in ONE TRANSACTION: which guids are new (the database decides) -> cluster
       each new item (feeds.cluster: the same link, or a near-duplicate title, joins that story; every
       YIELD_EVERY items a pause, where a command being served goes first: storage.engine.CommandsFirst) ->
       classify it (injected) -> insert items, stories and topics (storage.stories.add_items) ->
       `on_new(session, new stories)`, so the outbox is written with the items or not at all. Commit.
       Only then do the new stories become clustering candidates. If the group's transaction fails,
       each of its feeds is stored again in a transaction of its own, so one feed's trouble never costs
       another its items. (One transaction per feed costs ~10 round trips to the database per feed,
       which on a first cycle of hundreds of feeds took longer than all the parsing: see docs/design.md.)
 3. Health, in ONE TRANSACTION for all feeds, once they are all done: successes (ETag, Last-Modified,
    body hash, next fetch time), not-modified and unchanged feeds, and failures (error kind and detail,
    failure count, next fetch time after an exponential, capped backoff). A feed's new body hash is
    written only after its items are: if the cycle dies in between, the body is simply read again.
 4. Return a CycleReport with one FeedReport per feed. A failing feed is a value in the report, never an
    exception that stops the cycle; only cancellation propagates.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from errors import FetchError, StorageError
from feeds.cluster import STORY_WINDOW, StoryIndex
from feeds.fetch import FetchResult
from feeds.worker import Classify, FeedContent, ReadFailure, ReadJob
from model import (
    CycleReport,
    FeedFetchStatus,
    FeedForFetch,
    FeedReport,
    FeedSpec,
    FeedUpdate,
    Item,
    NewItem,
    NewStory,
    Scope,
    StoredItem,
    StoryKey,
)
from settings import FetchSettings
from storage import feeds as feed_store
from storage import stories as story_store
from storage.engine import Database

log = logging.getLogger(__name__)

CLUSTER_WINDOW = STORY_WINDOW
MAX_ERROR_DETAIL = 300
YIELD_EVERY = 5  # items clustered between two pauses, where a command being served goes first
PAUSE_AT_MOST = 0.05  # seconds a pause waits for the commands being served: ingestion slows, never stops
GROUP_ITEMS = 500  # items stored in one transaction, at most (a single feed may have more): short write transactions
LINGER = 0.25  # seconds a group waits for more read feeds before it is stored

def no_classification(_item: Item, _scope: Scope) -> Mapping[str, Sequence[str]]:
    """A Classify that gives no topic: items are still stored and clustered."""
    return {}


OnNew = Callable[[Any, Sequence[NewStory]], Awaitable[object]]
"""The fan-out. Called inside the transaction that stored new items, with its storage session (opaque
here: only storage functions use it) and one NewStory per story that gained items in it."""


class FeedFetcher(Protocol):
    async def fetch(self, feed: FeedForFetch) -> FetchResult: ...


class FeedReader(Protocol):
    async def read(self, job: ReadJob) -> FeedContent | ReadFailure: ...


@dataclass(frozen=True, slots=True)
class IngestDeps:
    """Everything a cycle uses, built once by `bot.py` (or a test)."""

    database: Database
    fetcher: FeedFetcher  # feeds.fetch.Fetcher
    pool: FeedReader  # feeds.pool.ParsePool
    limits: FetchSettings
    interval: timedelta  # how often a healthy feed is fetched
    classify: Classify
    on_new: OnNew | None = None
    timer: Callable[[], float] = time.perf_counter  # durations in the report, never the time of day


def retry_delay(failures: int, base: timedelta, cap: timedelta) -> timedelta:
    """How long a feed waits after its `failures`-th failure in a row: base, 2 x base, 4 x base... <= cap."""
    if failures <= 0:
        return timedelta(0)
    return timedelta(seconds=min(cap.total_seconds(), base.total_seconds() * 2.0 ** min(failures - 1, 64)))


def due_slack(interval: timedelta) -> timedelta:
    """A feed due a moment after the cycle starts is fetched now rather than a whole interval late."""
    return min(interval / 10, timedelta(minutes=1))


async def register_config_feeds(database: Database, specs: Sequence[FeedSpec], *, now: datetime) -> list[int]:
    """Make the stored config feeds match config.toml (at start-up)."""
    async with database.transaction() as session:
        return await feed_store.sync_config_feeds(session, specs, now=now)


async def run_cycle(deps: IngestDeps, *, now: datetime, everything: bool = False) -> CycleReport:
    """Fetch, read and store every feed due at `now` (every active feed with `everything`)."""
    return await _Cycle(deps, now).run(everything)


@dataclass(slots=True)
class _Stored:
    new_items: int = 0
    new_stories: int = 0


@dataclass(slots=True)
class _Parsed:
    """A read feed waiting to be stored; `done` gets its result (or its error) when a group has stored it."""

    feed: FeedForFetch
    content: FeedContent
    done: asyncio.Future[_Stored]


@dataclass(slots=True)
class _Cycle:
    deps: IngestDeps
    now: datetime
    index: StoryIndex | None = None  # the clustering candidates, loaded when the first group is stored
    updates: list[FeedUpdate] = field(default_factory=list)
    moves: list[tuple[FeedForFetch, str]] = field(default_factory=list)
    store_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    queue: list[_Parsed] = field(default_factory=list)
    provisional: int = 0  # the last provisional story id given in the index (they count down from -1)
    reading: int = 0  # feeds not yet fetched and read: they may still join the next group
    arrived: asyncio.Event = field(default_factory=asyncio.Event)  # set when a feed is read or needs no storing

    async def run(self, everything: bool) -> CycleReport:
        started = self.deps.timer()
        async with self.deps.database.transaction() as session:
            due = await feed_store.feeds_due(session, self.now + due_slack(self.deps.interval), everything=everything)
        in_flight = asyncio.Semaphore(self.deps.limits.concurrency)
        self.reading = len(due)
        reports = await asyncio.gather(*(self._feed(feed, in_flight) for feed in due))
        await self._write_health()
        return CycleReport(started_at=self.now, feeds=tuple(reports), seconds=self.deps.timer() - started)

    async def _feed(self, feed: FeedForFetch, in_flight: asyncio.Semaphore) -> FeedReport:
        started = self.deps.timer()
        try:
            try:
                async with in_flight:
                    started = self.deps.timer()
                    try:
                        result = await self.deps.fetcher.fetch(feed)
                    except FetchError as exc:
                        return self._failed(feed, exc.kind, exc.detail, started)
                    if result.moved_to:
                        self.moves.append((feed, result.moved_to))
                    if result.not_modified:
                        return self._unchanged(feed, result, FeedFetchStatus.NOT_MODIFIED, feed.body_hash, started)
                    body_hash = hashlib.sha256(result.body).hexdigest()
                    if body_hash == feed.body_hash:
                        return self._unchanged(feed, result, FeedFetchStatus.UNCHANGED, body_hash, started)
                    content = await self.deps.pool.read(ReadJob(
                        body=result.body, url=result.url, fetched_at=self.now, content_type=result.content_type,
                        content_language=result.content_language, language=feed.language,
                        max_entries=self.deps.limits.max_entries, scope=feed.scope))
            finally:
                self.reading -= 1
                self.arrived.set()
            if isinstance(content, ReadFailure):
                return self._failed(feed, content.kind, content.detail, started)
            success = self._success(feed, result, body_hash)
            del result  # the body can go: at most `concurrency` bodies are held at once
            stored = await self._store(feed, content)
            # Stored and committed. Its new ETag and body hash are written with the health of the other
            # feeds at the end: should that never happen, the next cycle reads the body again, finds
            # nothing new, and writes them then.
            self.updates.append(success)
            return FeedReport(feed.id, feed.name, feed.url, FeedFetchStatus.FETCHED, self.deps.timer() - started,
                              entries=content.entries, new_items=stored.new_items, new_stories=stored.new_stories,
                              warning=content.warning, moved_to=self._moved(feed))
        except StorageError as exc:
            log.warning("storing %s failed: %s", feed.url, exc)
            return self._failed(feed, "storage", str(exc), started)
        except Exception as exc:  # noqa: BLE001 - one feed's bug must not stop the cycle; logged with traceback
            log.exception("ingesting %s failed", feed.url)
            return self._failed(feed, "internal", f"{type(exc).__name__}: {exc}", started)

    async def _store(self, feed: FeedForFetch, content: FeedContent) -> _Stored:
        """Step 2d, as a group commit: the feed joins the queue, and whoever holds the store lock stores
        what is queued, a group of feeds per transaction. The holder lingers up to LINGER seconds for
        more feeds while others are still being read, so that groups are worth their transaction. A
        failed group is stored again one feed per transaction, so that one feed's trouble never costs
        the others their items."""
        loop = asyncio.get_running_loop()
        parsed = _Parsed(feed, content, loop.create_future())
        self.queue.append(parsed)
        self.arrived.set()
        async with self.store_lock:
            while not parsed.done.done():
                deadline = loop.time() + LINGER
                while self.reading and sum(len(q.content.items) for q in self.queue) < GROUP_ITEMS:
                    self.arrived.clear()
                    try:
                        await asyncio.wait_for(self.arrived.wait(), max(0.0, deadline - loop.time()))
                    except TimeoutError:
                        break
                group = self._take_group()
                try:
                    await self._store_group(group)
                except Exception as exc:  # noqa: BLE001 - retried feed by feed below, or reported for the feed
                    if len(group) == 1:
                        group[0].done.set_exception(exc)
                        continue
                    log.warning("storing %d feeds together failed (%s); storing them one by one",
                                len(group), exc)
                    for single in group:
                        try:
                            await self._store_group([single])
                        except Exception as single_exc:  # noqa: BLE001 - this feed's error, in its report
                            single.done.set_exception(single_exc)
        return parsed.done.result()

    def _take_group(self) -> list[_Parsed]:
        """The oldest queued feeds, up to GROUP_ITEMS items (at least one feed)."""
        size, count = 0, 0
        for parsed in self.queue:
            size += len(parsed.content.items)
            if count and size > GROUP_ITEMS:
                break
            count += 1
        group, self.queue = self.queue[:count], self.queue[count:]
        return sorted(group, key=lambda parsed: parsed.feed.id)  # the same feeds cluster the same way every time

    async def _store_group(self, group: Sequence[_Parsed]) -> None:
        """One transaction: which items are new, their stories, their topics, the fan-out."""
        starters: dict[int, int] = {}  # provisional story id in the index -> batch index of its first item
        stories: StoryIndex | None = self.index
        try:
            async with self.deps.database.transaction() as session:
                if stories is None:  # a cycle with nothing new never loads (nor holds) the window's stories
                    stories = self.index = StoryIndex(
                        await story_store.recent_story_keys(session, self.now - CLUSTER_WINDOW))
                # A feed never read before cannot have stored items: no need to ask.
                known = await story_store.stored_guid_pairs(session, {
                    parsed.feed.id: [item.guid for item in parsed.content.items]
                    for parsed in group if parsed.feed.body_hash is not None})
                batch: list[NewItem] = []
                seen = 0
                for parsed in group:
                    feed, content = parsed.feed, parsed.content
                    for at, (item, key) in enumerate(zip(content.items, content.title_keys, strict=True)):
                        seen += 1
                        if seen % YIELD_EVERY == 0:  # thousands of new items must not stall the bot's commands
                            await self.deps.database.commands_first.pause(PAUSE_AT_MOST)
                        if (feed.id, item.guid) in known:
                            continue
                        link = item.link if item.link != content.home else ""
                        # Classified by the parse worker, unless it had no classifier (then here, by deps.classify).
                        topics = content.topics[at] if content.topics else tuple(
                            (topic, tuple(terms)) for topic, terms in self.deps.classify(item, feed.scope).items())
                        match = stories.find(key, link, item.published_at)
                        if match is None:  # a new story: in the index at once, under a provisional id
                            self.provisional -= 1
                            starters[self.provisional] = len(batch)
                            stories.add(StoryKey(self.provisional, key, link, item.published_at))
                            batch.append(NewItem(feed.id, item, key, topics))
                        elif match.story_id in starters:
                            batch.append(NewItem(feed.id, item, key, topics, joins=starters[match.story_id]))
                        else:
                            batch.append(NewItem(feed.id, item, key, topics, story_id=match.story_id))
                stored = await story_store.add_items(session, batch)
                if stored and self.deps.on_new is not None:
                    await self.deps.on_new(session, _new_stories(batch, stored))
        except BaseException:
            for provisional in starters:
                assert stories is not None  # a provisional story was put in it
                stories.remove(provisional)
            raise
        # Committed: each provisional story takes its stored id, or leaves the index if nothing went into it.
        position = {(new.feed_id, new.item.guid): index for index, new in enumerate(batch)}
        stored_story: dict[int, int] = {}  # batch index of a story's first item -> the stored story's id
        for done in stored:
            index = position[(done.feed_id, done.guid)]
            joins = batch[index].joins
            first = joins if joins is not None else index
            stored_story.setdefault(first, done.story_id)
        for provisional, index in starters.items():
            if index in stored_story:
                stories.rename(provisional, stored_story[index])
            else:
                stories.remove(provisional)
        results = {parsed.feed.id: _Stored() for parsed in group}
        for done in stored:
            result = results[done.feed_id]
            result.new_items += 1
            result.new_stories += done.started_story
        for parsed in group:
            parsed.done.set_result(results[parsed.feed.id])

    def _success(self, feed: FeedForFetch, result: FetchResult, body_hash: str | None) -> FeedUpdate:
        return FeedUpdate(feed_id=feed.id, fetched_at=self.now, next_fetch_at=self.now + self.deps.interval,
                          etag=result.etag or (feed.etag if result.not_modified else None),
                          last_modified=result.last_modified or (feed.last_modified if result.not_modified else None),
                          body_hash=body_hash)

    def _unchanged(self, feed: FeedForFetch, result: FetchResult, status: FeedFetchStatus, body_hash: str | None,
                   started: float) -> FeedReport:
        self.updates.append(self._success(feed, result, body_hash))
        return FeedReport(feed.id, feed.name, feed.url, status, self.deps.timer() - started,
                          moved_to=self._moved(feed))

    def _failed(self, feed: FeedForFetch, kind: str, detail: str, started: float) -> FeedReport:
        failures = feed.consecutive_failures + 1
        delay = retry_delay(failures, self.deps.limits.backoff_base, self.deps.limits.backoff_max)
        detail = " ".join(detail.split())[:MAX_ERROR_DETAIL]
        self.updates.append(FeedUpdate(feed_id=feed.id, fetched_at=self.now, next_fetch_at=self.now + delay,
                                       error_kind=kind, error_detail=detail, failures=failures))
        log.info("feed %s failed (%s: %s); next try in %s", feed.url, kind, detail, delay)
        return FeedReport(feed.id, feed.name, feed.url, FeedFetchStatus.FAILED, self.deps.timer() - started,
                          error_kind=kind, error_detail=detail)

    def _moved(self, feed: FeedForFetch) -> str | None:
        return next((url for moved, url in self.moves if moved.id == feed.id), None)

    async def _write_health(self) -> None:
        """Step 3: what every fetch taught (validators, body hash, errors, backoff, moves), in one transaction."""
        if not self.updates and not self.moves:
            return
        try:
            async with self.deps.database.transaction() as session:
                await feed_store.record_updates(session, self.updates)
                for feed, url in self.moves:
                    if not await feed_store.move_feed(session, feed.id, url):
                        log.warning("feed %s moved permanently to %s, which another feed already has", feed.url, url)
        except Exception:  # noqa: BLE001 - the report is still worth returning; the next cycle retries
            log.exception("recording the health of %d feeds failed", len(self.updates))


def _new_stories(batch: Sequence[NewItem], stored: Sequence[StoredItem]) -> list[NewStory]:
    """One NewStory per story that gained items, in the order first touched, with the topics of all of them."""
    by_guid = {(new.feed_id, new.item.guid): new for new in batch}
    stories: dict[int, tuple[Item, bool, dict[str, list[str]]]] = {}
    for done in stored:
        new = by_guid[(done.feed_id, done.guid)]
        first, is_new, topics = stories.setdefault(done.story_id, (new.item, done.started_story, {}))
        for topic, terms in new.topics:
            fired = topics.setdefault(topic, [])
            fired.extend(term for term in terms if term not in fired)
    return [NewStory(story_id=story_id, title=first.title, summary=first.summary,
                     topics=tuple((topic, tuple(terms)) for topic, terms in topics.items()), is_new=is_new,
                     published_at=first.published_at)
            for story_id, (first, is_new, topics) in stories.items()]
