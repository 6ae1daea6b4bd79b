"""The sender: drains the outbox into Telegram within its limits and records what Telegram answered.

It decides nothing about *what* to send (fan-out wrote that into the outbox at ingestion time). It claims
due deliveries a round of chats at a time, renders them with `delivery.render`, sends with per-chat pacing
(one message a second to a private chat, one every 3.2 seconds to a group or channel) under the bot's
AIORateLimiter (`handlers.app.rate_limiter`, 29/s overall), and maps every refusal by class in `outcome_for`
to a `delivery.outcome`.
There is one Sender per bot (the runtime's): alerts, digests and `/digest now` share its pacing and its
429 hold. The only module of `delivery` that imports telegram.

Several sends are in flight at once (`SendPolicy.concurrency`), never two to the same chat: a chat's next
send waits until its previous one is answered and recorded.

Crash semantics: a delivery is marked sent as soon as Telegram accepted its message (marks from concurrent
sends share one commit), and the send slot and the chat are released only once that mark is committed.
After a crash the messages sent but not on record are therefore at most one per slot, each to a different
chat: a SIGKILL repeats at most one message per chat (the one in flight to it). Everything still pending
goes out at the next drain.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from delivery.outcome import (
    Deactivate,
    Deferred,
    Delivered,
    Dropped,
    Move,
    Outcome,
    Refused,
    ResendPlain,
    Retry,
    SendPolicy,
    Transmission,
    Wait,
    backoff,
    bad_request_outcome,
)
from delivery.perchat import OneAtATimePerChat
from delivery.quiet import quiet_until
from delivery.render import (
    BUNDLE_ABOVE,
    Alert,
    alert_block,
    alert_bundle,
    as_plain_text,
    feedback_keyboard,
    named_topics,
)
from model import ChatWork, Clock, Delivery, Destination, Keyboard, Story, Topic
from storage import deliveries as outbox
from storage import forum
from storage.engine import Database
from storage.stories import stories_by_id

log = logging.getLogger(__name__)

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def markup(keyboard: Keyboard | None) -> InlineKeyboardMarkup | None:
    """Rows of `model.Button` -> Telegram's inline keyboard (None for no buttons)."""
    if not keyboard:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(button.label, callback_data=button.data) for button in row]
                                 for row in keyboard])


# ---------------------------------------------------------------------------------------------------
# Telegram's refusal, by class, as a `delivery.outcome.Outcome`


def outcome_for(exc: TelegramError) -> Outcome:
    """Telegram's refusal -> what the sender does: by class and attributes; a BadRequest by its
    description (`bad_request_outcome`)."""
    if isinstance(exc, RetryAfter):
        return Wait(_seconds(exc.retry_after))
    if isinstance(exc, ChatMigrated):
        return Move(int(exc.new_chat_id))
    if isinstance(exc, Forbidden):
        return Deactivate(exc.message)
    if isinstance(exc, BadRequest):  # before NetworkError: BadRequest subclasses it
        return bad_request_outcome(exc.message)
    if isinstance(exc, TimedOut):
        return Retry("timed out", maybe_delivered=True)
    if isinstance(exc, NetworkError):  # also 5xx answers, which PTB raises as plain NetworkError
        return Retry(f"network error: {exc.message}")
    return Retry(f"{type(exc).__name__}: {exc.message}")


def _seconds(value: object) -> float:
    if isinstance(value, timedelta):
        return max(value.total_seconds(), 0.0)
    return max(float(value), 0.0)  # type: ignore[arg-type]


@dataclass(slots=True)
class DrainReport:
    messages: int = 0  # messages Telegram accepted
    delivered: int = 0  # deliveries those messages carried
    deferred: int = 0
    failed: int = 0
    dropped_chats: int = 0
    rounds: int = 0
    chats: set[int] = field(default_factory=set)


WaitUntil = Callable[[datetime], Awaitable[None]]
OnSent = Callable[[int], Awaitable[None]]
MaySend = Callable[[], Awaitable[bool]]  # is this process the active one right now (storage.instance)?


async def always_active() -> bool:
    return True


class MessageBot(Protocol):
    """What the sender needs of a bot: PTB's `Bot` (through the Application's rate limiter), or the demo's
    printer."""

    async def send_message(self, *, chat_id: int, text: str, parse_mode: str | None,
                           link_preview_options: LinkPreviewOptions, message_thread_id: int | None,
                           reply_markup: InlineKeyboardMarkup | None, disable_notification: bool) -> object: ...


class SendCounters(Protocol):
    """Where the sender counts what Telegram accepted and refused (`ops.metrics.Metrics`)."""

    def count_sent(self) -> None: ...

    def count_refused(self, outcome: str) -> None: ...


class _SentLog:
    """Group commit of 'sent' marks: whoever records first writes, in one transaction, every mark that
    queued up meanwhile. Each caller returns only once its own mark is committed."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self._queue: list[tuple[Sequence[int], datetime, asyncio.Future[None]]] = []
        self._writing = False

    async def record(self, ids: Sequence[int], at: datetime) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.append((ids, at, future))
        if not self._writing:
            self._writing = True
            batch: list[tuple[Sequence[int], datetime, asyncio.Future[None]]] = []
            try:
                while self._queue:
                    batch, self._queue = self._queue, []
                    try:
                        async with self._database.transaction() as session:
                            await outbox.mark_sent(session, [i for marks, _, _ in batch for i in marks],
                                                   at=max(moment for _, moment, _ in batch))
                    except Exception as exc:
                        for _, _, waiting in batch:
                            if not waiting.done():
                                waiting.set_exception(exc)
                    else:
                        for _, _, waiting in batch:
                            if not waiting.done():
                                waiting.set_result(None)
            finally:
                self._writing = False
                for _, _, waiting in [*batch, *self._queue]:
                    if not waiting.done():
                        waiting.set_exception(RuntimeError("the sent-log writer was interrupted"))
                self._queue = []
        await future


class SendingHalted(Exception):  # noqa: N818 - an event, not an error of the caller
    """The Sender sends nothing now: the bot is shutting down (`Sender.stop`), or Telegram took a message whose
    mark the database could not write. This message was not sent, and stays pending."""


class UnrecordedSend(Exception):  # noqa: N818 - it is an event, not an error of the caller
    """Telegram took a message, but the database could not record it (disk full, read-only, gone)."""


class Sender:
    """Sends to Telegram for the outbox and for digests; one per bot, kept between drains (it remembers
    when each chat may be written to next).

    Never twice, whatever the database does: a message Telegram accepted whose 'sent' mark could not be
    written is remembered here (`_unrecorded`) and never sent again by this process. From that moment no
    further message goes out; every drain first tries to write the marks it owes, and sends again only
    once they are on record, so everything pending goes out when the database is back, without a restart.
    Only a process that dies owing marks can send those messages once more (at most one per chat).
    """

    def __init__(self, bot: MessageBot, database: Database, clock: Clock, topics: Sequence[Topic], *,
                 policy: SendPolicy | None = None, wait_until: WaitUntil | None = None,
                 metrics: SendCounters | None = None, may_send: MaySend = always_active) -> None:
        self._bot = bot
        self._database = database
        self._clock = clock
        self._topics = tuple(topics)
        self.policy = policy or SendPolicy()
        self._wait_until = wait_until or self._sleep_until
        self._metrics = metrics
        self.may_send = may_send  # asked before every round: a process that lost its active lock sends nothing
        self._slots = asyncio.Semaphore(self.policy.concurrency)
        self._chats_in_flight = OneAtATimePerChat()
        self._next_turn: dict[int, datetime] = {}  # by Telegram chat: a group's topics share its pace
        self._topics_at: dict[int, Destination] = {}  # forum topic key -> its group and thread
        self._hold_until: datetime | None = None
        self._draining = asyncio.Lock()
        self._sent_log = _SentLog(database)
        self._unrecorded: dict[int, datetime] = {}  # delivery id -> when Telegram took it; not on record yet
        self._stopping = asyncio.Event()  # set by `stop`: finish the message in flight, start no other

    async def _sleep_until(self, moment: datetime) -> None:
        delay = max((moment - self._clock()).total_seconds(), 0.0)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), delay)  # a shutdown cuts every wait short

    def stop(self) -> None:
        """The bot is shutting down (SIGTERM): the message in flight finishes and is recorded; nothing else
        is sent, and every wait ends now. What is pending stays pending, for the next start."""
        self._stopping.set()

    @property
    def busy(self) -> bool:
        return self._draining.locked()

    # ----------------------------------------------------------------------------- one message

    def _interval(self, chat_id: int) -> timedelta:
        return self.policy.group_interval if chat_id < 0 else self.policy.private_interval

    async def _take_turn(self, chat_id: int) -> None:
        """Wait for the chat's next turn (and for any flood-control hold), reserving it first so that
        two senders to one chat never share a turn."""
        now = self._clock()
        start = max(now, self._next_turn.get(chat_id, now), self._hold_until or now)
        self._next_turn[chat_id] = start + self._interval(chat_id)
        if start > now:
            await self._wait_until(start)

    async def _destination(self, chat_id: int) -> Destination:
        """Where the stored chat's messages go: itself, or for a forum topic its group's thread."""
        if not forum.is_topic_key(chat_id):
            return Destination(chat_id)
        if chat_id not in self._topics_at:
            async with self._database.transaction() as session:
                self._topics_at[chat_id] = await forum.destination(session, chat_id)
        return self._topics_at[chat_id]

    async def transmit(self, chat_id: int, text: str, *, keyboard: Keyboard = (),
                       on_sent: OnSent | None = None, silent: bool = False) -> Transmission:
        """Send one HTML message (with `keyboard` under it) to a stored chat (a forum topic goes to its
        thread) and deal with whatever Telegram answers; `silent` sends it without a notification sound
        (quiet hours).

        `on_sent(chat_id)` records the success; the send slot and the chat are held until it returns, so the
        messages sent but not yet on record never outnumber the slots (`policy.concurrency`), nor two of
        them go to one chat."""
        html_mode, moved = True, False
        while True:
            where = await self._destination(chat_id)
            await self._take_turn(where.chat_id)
            try:
                async with self._chats_in_flight.alone(chat_id), self._slots:
                    # Checked with the slot held, just before sending: the other messages queue for the slot,
                    # and a mark that failed while they waited must stop them all.
                    if self._stopping.is_set() or self._unrecorded:
                        raise SendingHalted
                    await self._bot.send_message(chat_id=where.chat_id, text=text,
                                                 parse_mode=ParseMode.HTML if html_mode else None,
                                                 link_preview_options=NO_PREVIEW, message_thread_id=where.thread_id,
                                                 reply_markup=markup(keyboard), disable_notification=silent)
                    if on_sent is not None:
                        await on_sent(chat_id)
            except TelegramError as exc:
                outcome = outcome_for(exc)
                if self._metrics:
                    self._metrics.count_refused(type(outcome).__name__.lower())
            else:
                done = self._clock()
                self._next_turn[where.chat_id] = max(self._next_turn.get(where.chat_id, done),
                                                     done + self._interval(where.chat_id))
                if self._metrics:
                    self._metrics.count_sent()
                return Delivered(chat_id)
            now = self._clock()
            match outcome:
                case Wait(seconds):
                    until = now + timedelta(seconds=seconds)
                    # Telegram does not say which limit was hit: everybody waits, as it asked.
                    self._hold_until = max(self._hold_until or until, until)
                    log.warning("flood control: Telegram asked to wait %gs (chat %s)", seconds, chat_id)
                    return Deferred(chat_id, until, f"flood control: retry after {seconds:g}s", counts=False)
                case Deactivate(reason, topic_only):
                    async with self._database.transaction() as session:
                        cancelled = await outbox.deactivate_chat(session, chat_id if topic_only else where.chat_id,
                                                                 now=now, reason=reason)
                    log.info("chat %s deactivated (%s); %d pending deliveries cancelled", chat_id, reason, cancelled)
                    return Dropped(chat_id, reason)
                case Move(new_chat_id):
                    if moved:
                        return Deferred(chat_id, None, "migrated twice in a row", counts=True)
                    async with self._database.transaction() as session:
                        await outbox.migrate_chat(session, where.chat_id, new_chat_id, now=now)
                    log.info("chat %s migrated to %s; settings and deliveries moved", where.chat_id, new_chat_id)
                    self._next_turn.pop(where.chat_id, None)
                    self._topics_at.pop(chat_id, None)  # a topic keeps its key; its group moved with it
                    chat_id = chat_id if forum.is_topic_key(chat_id) else new_chat_id
                    moved = True
                case ResendPlain(reason):
                    if not html_mode:
                        return Refused(chat_id, reason)
                    log.error("Telegram refused a message to %s (%s); sending it as plain text", chat_id, reason)
                    text, html_mode = as_plain_text(text), False
                case Retry(reason, maybe_delivered):
                    return Deferred(chat_id, None, reason, counts=True,
                                    attempts=self.policy.timed_out_attempts if maybe_delivered else None)

    # ------------------------------------------------------------------------------- the drain

    async def drain(self) -> DrainReport:
        """Send everything that is due, round after round, until nothing is due or the budget is spent.
        A drain already running makes this one return at once."""
        report = DrainReport()
        if self._draining.locked():
            return report
        async with self._draining:
            if self._stopping.is_set() or not await self.may_send() or not await self._record_owed_marks():
                return report
            started = self._clock()
            self._forget_turns_before(started)
            async with self._database.transaction() as session:
                await outbox.cancel_for_inactive_chats(session)
            while True:
                async with self._database.transaction() as session:
                    work = await outbox.claim(session, now=self._clock(), max_chats=self.policy.chats_per_round,
                                              per_chat=self.policy.alerts_per_chat)
                    stories = await stories_by_id(session, {d.story_id for item in work for d in item.deliveries})
                if not work:
                    break
                report.rounds += 1
                await asyncio.gather(*(self._serve(item, stories, report) for item in work))
                if self._unrecorded or self._stopping.is_set() or self._clock() - started >= self.policy.drain_budget:
                    break
        return report

    async def _record_owed_marks(self) -> bool:
        """Write the 'sent' marks that could not be written when their messages went out; False while the
        database still cannot take them (nothing may be sent until it can)."""
        if not self._unrecorded:
            return True
        try:
            await self._sent_log.record(list(self._unrecorded), max(self._unrecorded.values()))
        except Exception as exc:  # noqa: BLE001 - whatever the database says, the rule is the same
            log.warning("the database still cannot record %d sent message(s) (%s); nothing is sent until it can",
                        len(self._unrecorded), type(exc).__name__)
            return False
        log.warning("the database is back: %d sent message(s) recorded late; sending resumes", len(self._unrecorded))
        self._unrecorded.clear()
        return True

    def _forget_turns_before(self, moment: datetime) -> None:
        for chat_id in [chat_id for chat_id, turn in self._next_turn.items() if turn <= moment]:
            del self._next_turn[chat_id]
        if self._hold_until is not None and self._hold_until <= moment:
            self._hold_until = None

    def compose(self, work: ChatWork,
                stories: dict[int, Story]) -> list[tuple[str, tuple[Delivery, ...], Keyboard]]:
        """The chat's messages, the deliveries each carries and its "not about <topic>" buttons: one message
        per alert, or bundles when more than `BUNDLE_ABOVE` are pending at once or when they were held for the
        end of quiet hours."""
        chat = work.chat
        named = {delivery.id: named_topics(delivery.topics, self._topics, chat.language) for delivery in work.deliveries}
        pairs = [(delivery, Alert(stories[delivery.story_id], tuple(name for _, name in named[delivery.id]),
                                  delivery.phrases))
                 for delivery in work.deliveries if delivery.story_id in stories]

        def buttons(carried: Sequence[tuple[Delivery, Alert]]) -> Keyboard:
            return feedback_keyboard([(alert.story, named[delivery.id]) for delivery, alert in carried],
                                     lang=chat.language)

        if len(pairs) > BUNDLE_ABOVE or (len(pairs) > 1 and any(delivery.held for delivery, _ in pairs)):
            return [(message, tuple(pairs[index][0] for index in members), buttons([pairs[index] for index in members]))
                    for message, members in alert_bundle([alert for _, alert in pairs], lang=chat.language,
                                                         timezone=chat.timezone)]
        return [(alert_block(alert, lang=chat.language, timezone=chat.timezone), (delivery,), buttons([(delivery, alert)]))
                for delivery, alert in pairs]

    async def _serve(self, work: ChatWork, stories: dict[int, Story], report: DrainReport) -> None:
        unsettled = {delivery.id for delivery in work.deliveries}
        try:
            await self._serve_chat(work, stories, report, unsettled)
        except SendingHalted:
            return  # the rest of this chat's deliveries stay pending, due as they were
        except UnrecordedSend as exc:
            log.error("chat %s: Telegram took a message but the database could not record it (%s); no more "
                      "messages go out until it can", work.chat.id, exc)
        except Exception as exc:  # a bug must not stop the other chats, nor loop forever on one delivery
            log.exception("sending to chat %s failed unexpectedly", work.chat.id)
            try:
                async with self._database.transaction() as session:
                    await outbox.mark_failed(session, unsettled, reason=f"internal error: {type(exc).__name__}")
            except Exception:
                log.exception("could not record the failure of chat %s's deliveries", work.chat.id)

    async def _serve_chat(self, work: ChatWork, stories: dict[int, Story], report: DrainReport,
                          unsettled: set[int]) -> None:
        missing = [delivery.id for delivery in work.deliveries if delivery.story_id not in stories]
        if missing:
            async with self._database.transaction() as session:
                await outbox.mark_failed(session, missing, reason="story no longer stored")
            unsettled.difference_update(missing)
            report.failed += len(missing)
        chat_id = work.chat.id
        quiet = work.chat.quiet
        quiet_end = quiet_until(quiet, work.chat.timezone, self._clock()) if quiet else None
        if quiet_end is not None and quiet is not None and not quiet.silent:
            held = [delivery.id for delivery in work.deliveries if delivery.id in unsettled]
            async with self._database.transaction() as session:
                await outbox.hold(session, held, until=quiet_end)
            report.deferred += len(held)
            unsettled.clear()
            return
        messages = self.compose(work, stories)
        report.chats.add(chat_id)
        for position, (text, carried, keyboard) in enumerate(messages):
            ids = [delivery.id for delivery in carried]
            if self._unrecorded or self._stopping.is_set():  # a mark failed, or the bot stops: send nothing more
                return

            async def on_sent(_chat_id: int, ids: list[int] = ids) -> None:
                at = self._clock()
                try:
                    await self._sent_log.record(ids, at)
                except Exception as exc:
                    self._unrecorded.update(dict.fromkeys(ids, at))
                    raise UnrecordedSend(f"{type(exc).__name__}: {exc}"[:200]) from exc

            result = await self.transmit(chat_id, text, keyboard=keyboard, on_sent=on_sent, silent=quiet_end is not None)
            chat_id = result.chat_id
            match result:
                case Delivered():
                    report.messages += 1
                    report.delivered += len(ids)
                case Refused(reason=reason):
                    async with self._database.transaction() as session:
                        await outbox.mark_failed(session, ids, reason=reason)
                    report.failed += len(ids)
                case Dropped():
                    report.dropped_chats += 1
                    unsettled.clear()
                    return
                case Deferred(until=until, reason=reason, counts=counts, attempts=limit):
                    later = [delivery.id for _, rest, _ in messages[position + 1:] for delivery in rest]
                    await self._defer(carried, later, until, reason, counts, report, limit=limit)
                    unsettled.clear()
                    return
            unsettled.difference_update(ids)

    async def _defer(self, carried: Sequence[Delivery], later: Sequence[int], until: datetime | None,
                     reason: str, counts: bool, report: DrainReport, *, limit: int | None = None) -> None:
        now = self._clock()
        attempts = max(delivery.attempts for delivery in carried) + (1 if counts else 0)
        if until is None:
            until = now + backoff(attempts, base=self.policy.backoff_base, cap=self.policy.backoff_max)
        ids = [delivery.id for delivery in carried]
        async with self._database.transaction() as session:
            if counts and attempts >= min(limit or self.policy.max_attempts, self.policy.max_attempts):
                await outbox.mark_failed(session, ids, reason=f"{reason} (gave up after {attempts} attempts)")
                report.failed += len(ids)
            else:
                await outbox.reschedule(session, ids, not_before=until, reason=reason, count_attempt=counts)
                report.deferred += len(ids)
            # The chat's other messages keep their place in line: they wait as long, without an attempt.
            await outbox.reschedule(session, later, not_before=until, reason=None, count_attempt=False)
            report.deferred += len(later)
