"""The outbox: deliveries that matching writes and the sender drains, and what sending teaches about chats.

Every statement on `deliveries` lives here, plus the chat-level consequences of Telegram's answers
(a chat that blocked the bot is deactivated; a group that became a supergroup moves to its new id).
Newness is the database's: `enqueue` inserts or ignores on (chat_id, story_id) and counts what it inserted,
so neither a second outlet nor a re-fetch can make a second delivery. No Telegram, no formatting here.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime, time

from sqlalchemy import and_, delete, func, literal, select, tuple_, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from model import (
    Chat,
    ChatMode,
    ChatWork,
    Delivery,
    DeliveryKind,
    DeliveryRecord,
    DeliveryStatus,
    KeywordAlert,
    NewDelivery,
    QuietHours,
)
from storage import forum
from storage.engine import rows_changed, upsert_into
from storage.tables import chats, deliveries, digests, feedback, keyword_alerts, subscriptions

PENDING = DeliveryStatus.PENDING.value
QUIET_HOURS = "quiet hours"
"""The `last_error` of a delivery held for the end of its chat's quiet hours (`hold`, `release_held`)."""
_CHUNK = 1000  # rows per INSERT: well under SQLite's bound-parameter limit


# --------------------------------------------------------------------------------------------------
# Reason: which topics and phrases made the match, in one text column


def encode_reason(topics: Sequence[str], phrases: Sequence[str]) -> tuple[DeliveryKind, str]:
    """(kind, reason). A topic delivery's reason is the topic ids joined by commas, then one matched
    phrase per line if keyword alerts fired too; a keyword delivery's reason is its phrases, one a line."""
    clean = [" ".join(phrase.split()) for phrase in phrases]
    clean = [phrase for phrase in dict.fromkeys(clean) if phrase]
    if topics:
        return DeliveryKind.TOPIC, "\n".join([",".join(dict.fromkeys(topics)), *clean])
    return DeliveryKind.KEYWORD, "\n".join(clean)


def decode_reason(kind: str, reason: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(topics, phrases) from what `encode_reason` wrote."""
    lines = reason.split("\n") if reason else []
    if kind == DeliveryKind.TOPIC.value and lines:
        return tuple(topic for topic in lines[0].split(",") if topic), tuple(lines[1:])
    return (), tuple(lines)


def _merge(wanted: Iterable[NewDelivery]) -> list[NewDelivery]:
    merged: dict[tuple[int, int], NewDelivery] = {}
    for item in wanted:
        key = (item.chat_id, item.story_id)
        seen = merged.get(key)
        if seen is None:
            merged[key] = item
        else:
            merged[key] = NewDelivery(item.chat_id, item.story_id,
                                      tuple(dict.fromkeys(seen.topics + item.topics)),
                                      tuple(dict.fromkeys(seen.phrases + item.phrases)))
    return list(merged.values())



CHAT_COLUMNS = (chats.c.id.label("chat_id"), chats.c.type, chats.c.language, chats.c.timezone, chats.c.digest_time,
                chats.c.mode, chats.c.active, chats.c.title, chats.c.quiet_start, chats.c.quiet_end,
                chats.c.quiet_silent)
"""What `chat_from_row` reads: select these next to a query's own columns."""


def hhmm_time(value: str | None) -> time | None:
    """A stored "HH:MM" -> time; NULL -> None."""
    if not value:
        return None
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def quiet_from_row(row: Row) -> QuietHours | None:  # type: ignore[type-arg]
    start, end = hhmm_time(row.quiet_start), hhmm_time(row.quiet_end)
    return QuietHours(start, end, bool(row.quiet_silent)) if start is not None and end is not None else None


def chat_from_row(row: Row) -> Chat:  # type: ignore[type-arg]
    """A `Chat` from a row with `CHAT_COLUMNS`."""
    return Chat(id=row.chat_id, type=row.type, language=row.language, timezone=row.timezone,
                digest_time=hhmm_time(row.digest_time), mode=ChatMode(row.mode), active=row.active, title=row.title,
                quiet=quiet_from_row(row))


# --------------------------------------------------------------------------------------------------
# Fan-out side: who wants what, and the insert-or-ignore


async def instant_subscribers(session: AsyncSession, topics: Collection[str]) -> dict[str, tuple[int, ...]]:
    """For each of `topics`, the active chats in instant mode that follow it (digest-only chats get
    their stories at digest time, from the stories themselves, not from the outbox)."""
    if not topics:
        return {}
    result = await session.execute(
        select(subscriptions.c.topic, subscriptions.c.chat_id)
        .join(chats, chats.c.id == subscriptions.c.chat_id)
        .where(subscriptions.c.topic.in_(sorted(topics)), chats.c.active.is_(True),
               chats.c.mode == ChatMode.INSTANT.value)
        .order_by(subscriptions.c.topic, subscriptions.c.chat_id))
    found: dict[str, list[int]] = {}
    for row in result:
        found.setdefault(row.topic, []).append(row.chat_id)
    return {topic: tuple(ids) for topic, ids in found.items()}


async def instant_keyword_alerts(session: AsyncSession) -> list[KeywordAlert]:
    """Every keyword alert of an active chat in instant mode, oldest first."""
    result = await session.execute(
        select(keyword_alerts.c.id, keyword_alerts.c.chat_id, keyword_alerts.c.phrase, keyword_alerts.c.typed)
        .join(chats, chats.c.id == keyword_alerts.c.chat_id)
        .where(chats.c.active.is_(True), chats.c.mode == ChatMode.INSTANT.value)
        .order_by(keyword_alerts.c.id))
    return [KeywordAlert(id=row.id, chat_id=row.chat_id, phrase=row.phrase, typed=row.typed) for row in result]


async def enqueue(session: AsyncSession, wanted: Iterable[NewDelivery], *, now: datetime) -> int:
    """Write pending deliveries, ignoring any chat+story that already has one; returns how many were new.

    Runs in the caller's transaction (ingestion's, the one that stored the stories).
    """
    rows = []
    for item in _merge(wanted):
        kind, reason = encode_reason(item.topics, item.phrases)
        rows.append({"chat_id": item.chat_id, "story_id": item.story_id, "kind": kind.value, "reason": reason,
                     "status": PENDING, "attempts": 0, "not_before": now, "created_at": now})
    statement = (upsert_into(session, deliveries)
                 .on_conflict_do_nothing(index_elements=[deliveries.c.chat_id, deliveries.c.story_id])
                 .returning(deliveries.c.id))
    inserted = 0
    for start in range(0, len(rows), _CHUNK):
        result = await session.execute(statement, rows[start:start + _CHUNK])
        inserted += len(result.all())
    return inserted


# --------------------------------------------------------------------------------------------------
# Sender side: claim, then record what happened


async def claim(session: AsyncSession, *, now: datetime, max_chats: int, per_chat: int) -> list[ChatWork]:
    """Due pending deliveries of up to `max_chats` active chats, at most `per_chat` each.

    Fair across chats: the chats whose oldest due delivery has waited longest come first, and every
    chosen chat gets its turn in the same round, however much another chat has queued.
    """
    oldest = func.min(deliveries.c.not_before).label("oldest")
    chosen = (await session.execute(
        select(deliveries.c.chat_id, oldest)
        .join(chats, chats.c.id == deliveries.c.chat_id)
        .where(deliveries.c.status == PENDING, deliveries.c.not_before <= now, chats.c.active.is_(True))
        .group_by(deliveries.c.chat_id)
        .order_by(oldest, deliveries.c.chat_id)
        .limit(max_chats))).all()
    if not chosen:
        return []
    order = [row.chat_id for row in chosen]
    result = await session.execute(
        select(deliveries.c.id, deliveries.c.story_id, deliveries.c.kind, deliveries.c.reason,
               deliveries.c.attempts, deliveries.c.last_error, *CHAT_COLUMNS)
        .join(chats, chats.c.id == deliveries.c.chat_id)
        .where(deliveries.c.chat_id.in_(order), deliveries.c.status == PENDING, deliveries.c.not_before <= now)
        .order_by(deliveries.c.chat_id, deliveries.c.id))
    grouped: dict[int, tuple[Chat, list[Delivery]]] = {}
    for row in result:
        chat, found = grouped.setdefault(row.chat_id, (chat_from_row(row), []))
        if len(found) < per_chat:
            topics, phrases = decode_reason(row.kind, row.reason)
            found.append(Delivery(row.id, row.chat_id, row.story_id, topics, phrases, row.attempts,
                                  held=row.last_error == QUIET_HOURS))
    return [ChatWork(grouped[chat_id][0], tuple(grouped[chat_id][1])) for chat_id in order if chat_id in grouped]


async def mark_sent(session: AsyncSession, ids: Collection[int], *, at: datetime) -> None:
    if ids:
        await session.execute(update(deliveries).where(deliveries.c.id.in_(sorted(ids)))
                               .values(status=DeliveryStatus.SENT.value, sent_at=at, last_error=None))


async def mark_failed(session: AsyncSession, ids: Collection[int], *, reason: str, count_attempt: bool = True) -> None:
    if ids:
        await session.execute(
            update(deliveries).where(deliveries.c.id.in_(sorted(ids)), deliveries.c.status == PENDING)
            .values(status=DeliveryStatus.FAILED.value, last_error=reason,
                    attempts=deliveries.c.attempts + (1 if count_attempt else 0)))


async def reschedule(session: AsyncSession, ids: Collection[int], *, not_before: datetime, reason: str | None,
                     count_attempt: bool) -> None:
    """Leave `ids` pending until `not_before`; a refusal that is the delivery's fault counts as an attempt,
    a wait Telegram asked for (429) or a turn given up for another delivery's failure does not."""
    if ids:
        await session.execute(
            update(deliveries).where(deliveries.c.id.in_(sorted(ids)), deliveries.c.status == PENDING)
            .values(not_before=not_before, last_error=reason,
                    attempts=deliveries.c.attempts + (1 if count_attempt else 0)))


async def hold(session: AsyncSession, ids: Collection[int], *, until: datetime) -> None:
    """Keep `ids` pending until the chat's quiet hours end, marked as held (no attempt counted)."""
    await reschedule(session, ids, not_before=until, reason=QUIET_HOURS, count_attempt=False)


async def release_held(session: AsyncSession, chat_id: int, *, now: datetime) -> int:
    """The chat changed or ended its quiet hours: what was held for them is due now. Returns how many."""
    result = await session.execute(
        update(deliveries).where(deliveries.c.chat_id == chat_id, deliveries.c.status == PENDING,
                                 deliveries.c.last_error == QUIET_HOURS, deliveries.c.not_before > now)
        .values(not_before=now))
    return rows_changed(result)


async def cancel_pending(session: AsyncSession, chat_id: int, *, reason: str) -> int:
    """Cancel everything still pending for the chat; returns how many deliveries that was."""
    result = await session.execute(
        update(deliveries).where(deliveries.c.chat_id == chat_id, deliveries.c.status == PENDING)
        .values(status=DeliveryStatus.CANCELLED.value, last_error=reason))
    await session.execute(
        update(digests).where(digests.c.chat_id == chat_id, digests.c.status == "pending")
        .values(status="cancelled", text_id=None, last_error=reason))
    return rows_changed(result)


async def cancel_for_inactive_chats(session: AsyncSession) -> int:
    """Cancel pending deliveries of chats that are no longer active (stopped, blocked the bot)."""
    inactive = select(chats.c.id).where(chats.c.active.is_(False))
    result = await session.execute(
        update(deliveries).where(deliveries.c.status == PENDING, deliveries.c.chat_id.in_(inactive))
        .values(status=DeliveryStatus.CANCELLED.value, last_error="chat inactive"))
    return rows_changed(result)


async def deactivate_chat(session: AsyncSession, chat_id: int, *, now: datetime, reason: str) -> int:
    """Telegram says the bot can no longer write here: the chat (a group with its forum topics, or one
    topic) becomes inactive and nothing more is sent to it. Returns how many pending deliveries were
    cancelled."""
    cancelled = 0
    for key in [chat_id, *await forum.topic_keys_of(session, chat_id)]:
        await session.execute(update(chats).where(chats.c.id == key).values(active=False, updated_at=now))
        cancelled += await cancel_pending(session, key, reason=reason)
    return cancelled


async def migrate_chat(session: AsyncSession, old_id: int, new_id: int, *, now: datetime) -> bool:
    """A group became a supergroup: move its settings, subscriptions, keyword alerts, deliveries, readers'
    feedback and digests to `new_id`. If the new id is already stored (someone used the bot there since), the old
    chat's data is merged into it, the new chat's own settings winning. Returns False when `old_id` is
    not stored (already moved)."""
    if (await session.execute(select(chats.c.id).where(chats.c.id == old_id))).first() is None:
        return False
    if (await session.execute(select(chats.c.id).where(chats.c.id == new_id))).first() is None:
        # ON UPDATE CASCADE carries every child row along with the primary key.
        await session.execute(update(chats).where(chats.c.id == old_id)
                              .values(id=new_id, type="supergroup", updated_at=now))
        return True
    theirs = select(subscriptions.c.topic).where(subscriptions.c.chat_id == new_id)
    await session.execute(
        upsert_into(session, subscriptions).from_select(
            ["chat_id", "topic", "created_at"],
            select(literal(new_id), subscriptions.c.topic, subscriptions.c.created_at)
            .where(subscriptions.c.chat_id == old_id, subscriptions.c.topic.not_in(theirs)))
        .on_conflict_do_nothing())
    phrases = select(keyword_alerts.c.phrase).where(keyword_alerts.c.chat_id == new_id)
    await session.execute(
        update(keyword_alerts).where(keyword_alerts.c.chat_id == old_id, keyword_alerts.c.phrase.not_in(phrases))
        .values(chat_id=new_id))
    stories = select(deliveries.c.story_id).where(deliveries.c.chat_id == new_id)
    await session.execute(
        update(deliveries).where(deliveries.c.chat_id == old_id, deliveries.c.story_id.not_in(stories))
        .values(chat_id=new_id))
    flagged = select(feedback.c.story_id, feedback.c.topic).where(feedback.c.chat_id == new_id)
    await session.execute(
        update(feedback).where(feedback.c.chat_id == old_id,
                               tuple_(feedback.c.story_id, feedback.c.topic).not_in(flagged))
        .values(chat_id=new_id))
    days = select(digests.c.local_date).where(digests.c.chat_id == new_id)
    await session.execute(
        update(digests).where(digests.c.chat_id == old_id, digests.c.local_date.not_in(days)).values(chat_id=new_id))
    old_last = select(chats.c.last_digest_at).where(chats.c.id == old_id).scalar_subquery()
    await session.execute(
        update(chats).where(chats.c.id == new_id)
        .values(active=True, updated_at=now, last_digest_at=func.coalesce(chats.c.last_digest_at, old_last)))
    await session.execute(delete(chats).where(chats.c.id == old_id))
    return True


async def counts(session: AsyncSession, chat_id: int | None = None) -> dict[str, int]:
    """Deliveries by status (of one chat, or of all): for tests, the demo and /stats."""
    query = select(deliveries.c.status, func.count()).group_by(deliveries.c.status)
    if chat_id is not None:
        query = query.where(deliveries.c.chat_id == chat_id)
    return {row[0]: row[1] for row in await session.execute(query)}


async def records(session: AsyncSession, *, chat_id: int | None = None,
                  story_id: int | None = None) -> list[DeliveryRecord]:
    conditions = []
    if chat_id is not None:
        conditions.append(deliveries.c.chat_id == chat_id)
    if story_id is not None:
        conditions.append(deliveries.c.story_id == story_id)
    result = await session.execute(
        select(deliveries).where(and_(True, *conditions)).order_by(deliveries.c.id))
    found = []
    for row in result:
        topics, phrases = decode_reason(row.kind, row.reason)
        found.append(DeliveryRecord(row.id, row.chat_id, row.story_id, DeliveryKind(row.kind), topics, phrases,
                                    DeliveryStatus(row.status), row.attempts, row.not_before, row.sent_at,
                                    row.last_error))
    return found

