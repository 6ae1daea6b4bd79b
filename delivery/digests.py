"""Daily digests: when each chat's digest is due (pure, zoneinfo, correct across daylight-saving changes),
which stories go in it (pure), and the service that claims, renders and sends it once per local day.

A digest is claimed by writing its row (one per chat and local day) with the messages already rendered;
the sender then walks its parts. A digest missed while the bot was down goes out when it comes back if that
is within `GRACE` of its time; an older one is skipped. An empty digest is recorded, never sent.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from delivery.fanout import KeywordAlertIndex
from delivery.outcome import Deferred, Delivered, Dropped, Refused, backoff
from delivery.render import DigestSection, digest_messages, topic_names
from delivery.sender import Sender, SendingHalted
from model import Chat, Clock, Interests, NewDigest, PendingDigest, SeenStory, Story, Topic
from storage import digests as store
from storage.engine import Database

log = logging.getLogger(__name__)

LATE_ARRIVAL = timedelta(hours=24)
"""A story first seen in the digest's window is in it if it was published at most this long before the window
opened: a feed that is late still counts, a newly added feed's backlog of old pieces does not."""

GRACE = timedelta(hours=6)  # a digest later than this (the bot was down) is skipped
WINDOW = timedelta(hours=24)  # a digest never reaches further back than this
PER_GROUP = 10  # stories per topic (or keyword) in a digest

# ---------------------------------------------------------------------------------------------------
# When: pure


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One scheduled digest: the chat's local day and the UTC moment it is due."""

    local_date: date
    due_at: datetime


def occurrence_on(day: date, at: time, timezone: str) -> datetime:
    """`at` on local `day` in `timezone`, as aware UTC. A wall time that a daylight-saving jump skips
    (02:30 on a spring-forward night) falls after the jump; one that happens twice (autumn) is the first."""
    return datetime.combine(day, at, tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def latest_occurrence(at: time, timezone: str, now: datetime) -> Occurrence:
    """The most recent scheduled moment at or before `now`."""
    today = now.astimezone(ZoneInfo(timezone)).date()
    for day in (today, today - timedelta(days=1), today - timedelta(days=2)):
        due = occurrence_on(day, at, timezone)
        if due <= now:
            return Occurrence(day, due)
    raise AssertionError("unreachable: two days back is always in the past")


def next_occurrence(at: time, timezone: str, now: datetime) -> Occurrence:
    """The first scheduled moment after `now`."""
    today = now.astimezone(ZoneInfo(timezone)).date()
    for day in (today, today + timedelta(days=1), today + timedelta(days=2)):
        due = occurrence_on(day, at, timezone)
        if due > now:
            return Occurrence(day, due)
    raise AssertionError("unreachable: two days ahead is always in the future")


def next_digest_due(chat: Chat, last_digest_at: datetime | None, now: datetime, *,
                    grace: timedelta = GRACE) -> Occurrence | None:
    """The digest the chat is owed at `now`, if any: its latest scheduled time has passed, by no more than
    `grace`, and no digest was made since. (The database's one-row-per-local-day is the final word.)"""
    if chat.digest_time is None or not chat.active:
        return None
    occurrence = latest_occurrence(chat.digest_time, chat.timezone, now)
    if now - occurrence.due_at > grace:
        return None
    if last_digest_at is not None and last_digest_at >= occurrence.due_at:
        return None
    return occurrence


def digest_window(last_digest_at: datetime | None, until: datetime, *,
                  window: timedelta = WINDOW) -> tuple[datetime, datetime]:
    """[since, until): the stories since the previous digest, at most `window` back."""
    earliest = until - window
    return (earliest if last_digest_at is None or last_digest_at < earliest else last_digest_at), until


# ---------------------------------------------------------------------------------------------------
# What: pure


def _most_reported_first(story: Story) -> tuple[int, float, int]:
    return (-len(story.sources), -story.published_at.timestamp(), story.id)


def select_digest(stories: Sequence[Story], *, topic_order: Sequence[str], chat_topics: Collection[str],
                  topic_names: Mapping[str, str], keyword_hits: Mapping[int, Sequence[str]],
                  per_group: int = PER_GROUP) -> list[DigestSection]:
    """Group `stories` by the chat's topics (in the configured order), then by the keyword phrase that
    matched; each story once, in its first group; most-reported first; at most `per_group` a group."""
    followed = [topic for topic in topic_order if topic in set(chat_topics)]
    groups: dict[tuple[str, str], list[Story]] = {}
    for story in stories:
        topic = next((topic for topic in followed if topic in story.topics), None)
        if topic is not None:
            groups.setdefault(("topic", topic), []).append(story)
        elif keyword_hits.get(story.id):
            groups.setdefault(("phrase", keyword_hits[story.id][0]), []).append(story)
    sections = []
    phrases = sorted({key for kind, key in groups if kind == "phrase"}, key=str.casefold)
    for kind, key in [*(("topic", topic) for topic in followed), *(("phrase", phrase) for phrase in phrases)]:
        found = sorted(groups.get((kind, key), ()), key=_most_reported_first)
        if not found:
            continue
        shown = tuple(found[:per_group])
        sections.append(DigestSection(stories=shown, topic_name=topic_names.get(key, key) if kind == "topic" else None,
                                      phrase=key if kind == "phrase" else None, more=len(found) - len(shown),
                                      topic_id=key if kind == "topic" else None))
    return sections


# ---------------------------------------------------------------------------------------------------
# The service


@dataclass(slots=True)
class DigestReport:
    opened: int = 0  # digests claimed (with something to say)
    empty: int = 0  # digests claimed with nothing to say (not sent)
    expired: int = 0
    messages: int = 0
    finished: int = 0


class DigestService:
    """Claims due digests and sends pending ones through the shared `Sender`."""

    def __init__(self, sender: Sender, database: Database, clock: Clock, topics: Sequence[Topic], *,
                 grace: timedelta = GRACE, window: timedelta = WINDOW, per_group: int = PER_GROUP,
                 per_round: int = 200) -> None:
        self._sender = sender
        self._database = database
        self._clock = clock
        self._topics = tuple(topics)
        self._grace = grace
        self._window = window
        self._per_group = per_group
        self._per_round = per_round
        self._running = asyncio.Lock()

    @property
    def sender(self) -> Sender:
        """The Sender the digests go out through: the runtime's one, shared with the alerts."""
        return self._sender

    async def tick(self) -> DigestReport:
        """Claim the digests due now, then send what is pending. A tick already running makes this one
        return at once."""
        report = DigestReport()
        if self._running.locked() or not await self._sender.may_send():
            return report
        async with self._running:
            await self.open_due(report)
            await self.send_pending(report)
        return report

    # -------------------------------------------------------------------------------- claim

    def _render(self, chat: Chat, seen: Sequence[SeenStory], since: datetime, until: datetime,
                interests: Interests, hits: Mapping[int, Mapping[int, list[str]]], day: date) -> list[str]:
        stories = [item.story for item in seen
                   if since <= item.first_seen_at < until and item.story.published_at >= since - LATE_ARRIVAL]
        topic_order = [topic.id for topic in self._topics]
        sections = select_digest(
            stories, topic_order=topic_order, chat_topics=interests.topics,
            topic_names=dict(zip(topic_order, topic_names(topic_order, self._topics, chat.language), strict=True)),
            keyword_hits=hits.get(chat.id, {}), per_group=self._per_group)
        return digest_messages(sections, lang=chat.language, timezone=chat.timezone, day=day)

    async def _stories_and_hits(self, since: datetime, until: datetime, wants: Mapping[int, Interests]
                                ) -> tuple[list[SeenStory], dict[int, dict[int, list[str]]]]:
        async with self._database.transaction() as session:
            seen = await store.stories_seen_between(session, since, until)
        index = KeywordAlertIndex(alert for interest in wants.values() for alert in interest.alerts)
        hits: dict[int, dict[int, list[str]]] = {}
        if len(index):
            for item in seen:
                for alert in index.matching(item.story.title, item.story.summary):
                    hits.setdefault(alert.chat_id, {}).setdefault(item.story.id, []).append(alert.shown)
        return seen, hits

    async def open_due(self, report: DigestReport | None = None) -> DigestReport:
        """Write a digest row, rendered, for every chat whose digest is due and not yet claimed today."""
        report = report or DigestReport()
        now = self._clock()
        async with self._database.transaction() as session:
            report.expired += await store.expire_digests(session, due_before=now - self._grace)
            candidates = await store.digest_chats(session)
        due = [(candidate, occurrence) for candidate in candidates
               if (occurrence := next_digest_due(candidate.chat, candidate.last_digest_at, now, grace=self._grace))]
        if not due:
            return report
        async with self._database.transaction() as session:
            taken = await store.days_taken(session, {occurrence.local_date.isoformat() for _, occurrence in due})
            due = [(candidate, occurrence) for candidate, occurrence in due
                   if (candidate.chat.id, occurrence.local_date.isoformat()) not in taken]
            wants = await store.interests(session, [candidate.chat.id for candidate, _ in due])
        if not due:
            return report
        windows = {candidate.chat.id: digest_window(candidate.last_digest_at, now, window=self._window)
                   for candidate, _ in due}
        seen, hits = await self._stories_and_hits(min(since for since, _ in windows.values()), now, wants)
        # Chats with the same topics, phrases, language, zone and window get the same digest: render it once.
        rendered: dict[tuple[object, ...], tuple[str, ...]] = {}
        for start in range(0, len(due), self._per_round):
            wanted = []
            for candidate, occurrence in due[start:start + self._per_round]:
                chat = candidate.chat
                since, until = windows[chat.id]
                interest = wants[chat.id]
                key = (interest.topics, tuple(sorted({alert.shown for alert in interest.alerts})), chat.language,
                       chat.timezone, since, until, occurrence.local_date)
                if key not in rendered:
                    rendered[key] = tuple(self._render(chat, seen, since, until, interest, hits, occurrence.local_date))
                wanted.append(NewDigest(chat.id, occurrence.local_date.isoformat(), occurrence.due_at, since,
                                              until, rendered[key]))
            async with self._database.transaction() as session:
                opened = await store.open_digests(session, wanted, now=now)
            report.opened += sum(1 for item in wanted if item.chat_id in opened and item.parts)
            report.empty += sum(1 for item in wanted if item.chat_id in opened and not item.parts)
        return report

    # --------------------------------------------------------------------------------- send

    async def send_pending(self, report: DigestReport | None = None) -> DigestReport:
        """Send pending digests, a round of chats at a time, until none is due or the budget is spent."""
        report = report or DigestReport()
        started = self._clock()
        while True:
            async with self._database.transaction() as session:
                pending = await store.due_digests(session, now=self._clock(), limit=self._per_round)
            if not pending:
                break
            await asyncio.gather(*(self._send(digest, report) for digest in pending))
            if self._clock() - started >= self._sender.policy.drain_budget:
                break
        async with self._database.transaction() as session:
            await store.prune_texts(session)
        return report

    async def _send(self, digest: PendingDigest, report: DigestReport) -> None:
        try:
            await self._send_parts(digest, report)
        except SendingHalted:
            return  # shutting down, or owing marks: the digest resumes from its next part later
        except Exception as exc:  # a bug must not stop the other chats, nor retry forever
            log.exception("sending the digest %s to chat %s failed unexpectedly", digest.id, digest.chat_id)
            async with self._database.transaction() as session:
                await store.fail_digest(session, digest.id, reason=f"internal error: {type(exc).__name__}")

    async def _send_parts(self, digest: PendingDigest, report: DigestReport) -> None:
        chat_id = digest.chat_id
        total = len(digest.parts)
        if total == 0:
            async with self._database.transaction() as session:
                await store.part_sent(session, digest.id, parts_sent=0, total=0, at=self._clock())
            return
        policy = self._sender.policy
        for index in range(digest.parts_sent, total):

            async def on_sent(_chat_id: int, done: int = index + 1) -> None:
                async with self._database.transaction() as session:
                    await store.part_sent(session, digest.id, parts_sent=done, total=total, at=self._clock())

            result = await self._sender.transmit(chat_id, digest.parts[index], on_sent=on_sent)
            chat_id = result.chat_id
            match result:
                case Delivered():
                    report.messages += 1
                case Refused(reason=reason):
                    log.error("digest %s part %d refused by Telegram (%s); skipped", digest.id, index + 1, reason)
                    await on_sent(chat_id)
                case Dropped():
                    return  # the chat's pending digest was cancelled with it
                case Deferred(until=until, reason=reason, counts=counts):
                    attempts = digest.attempts + (1 if counts else 0)
                    async with self._database.transaction() as session:
                        if counts and attempts >= policy.max_attempts:
                            await store.fail_digest(session, digest.id,
                                                    reason=f"{reason} (gave up after {attempts} attempts)")
                        else:
                            when = until or self._clock() + backoff(attempts, base=policy.backoff_base,
                                                                    cap=policy.backoff_max)
                            await store.reschedule_digest(session, digest.id, not_before=when, reason=reason,
                                                          count_attempt=counts)
                    return
        report.finished += 1

    # ----------------------------------------------------------------------------- on demand

    async def send_now(self, chat_id: int) -> int:
        """Make and send the chat's digest right away: the stories since its previous digest (at most
        `window` back). Returns how many messages went out; 0 when there was nothing to say. It moves
        the chat's `last_digest_at`, but does not count as the day's scheduled digest."""
        now = self._clock()
        async with self._database.transaction() as session:
            candidate = await store.digest_chat(session, chat_id)
            if candidate is None or not candidate.chat.active:
                return 0
            wants = await store.interests(session, [chat_id])
        since, until = digest_window(candidate.last_digest_at, now, window=self._window)
        seen, hits = await self._stories_and_hits(since, until, wants)
        chat = candidate.chat
        day = now.astimezone(ZoneInfo(chat.timezone)).date()
        parts = self._render(chat, seen, since, until, wants[chat_id], hits, day)
        sent = 0
        for part in parts:
            try:
                result = await self._sender.transmit(chat_id, part)
            except SendingHalted:
                break
            chat_id = result.chat_id
            if not isinstance(result, Delivered):
                break
            sent += 1
        if sent:
            async with self._database.transaction() as session:
                await store.set_last_digest_at(session, chat_id, until)
        return sent
