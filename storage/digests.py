"""Daily digests: which chats want one, the stories of a digest's window, and the one row per chat and
local day that makes a digest go out once, across restarts.

A digest row is written with its messages already rendered (in `digest_texts`, each distinct text once),
in the same transaction that advances the chat's `last_digest_at`; sending then only walks the parts and
counts `parts_sent`, so a crash in the middle resumes at the next part instead of starting over.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from model import (
    DigestChat,
    DigestRecord,
    DigestStatus,
    Interests,
    KeywordAlert,
    NewDigest,
    PendingDigest,
    SeenStory,
)
from storage.deliveries import CHAT_COLUMNS, chat_from_row
from storage.engine import rows_changed, upsert_into
from storage.stories import stories_by_id
from storage.tables import chats, digest_texts, digests, keyword_alerts, stories, subscriptions


async def digest_chats(session: AsyncSession) -> list[DigestChat]:
    """Active chats with a digest time, whatever their mode."""
    result = await session.execute(
        select(*CHAT_COLUMNS, chats.c.last_digest_at)
        .where(chats.c.active.is_(True), chats.c.digest_time.is_not(None))
        .order_by(chats.c.id))
    return [DigestChat(chat_from_row(row), row.last_digest_at) for row in result]


async def digest_chat(session: AsyncSession, chat_id: int) -> DigestChat | None:
    """One stored chat (digest on or not), for /digest now."""
    row = (await session.execute(
        select(*CHAT_COLUMNS, chats.c.last_digest_at)
        .where(chats.c.id == chat_id))).first()
    return DigestChat(chat_from_row(row), row.last_digest_at) if row else None


async def interests(session: AsyncSession, chat_ids: Collection[int]) -> dict[int, Interests]:
    """Topics and keyword alerts of each chat in `chat_ids`."""
    ids = sorted(set(chat_ids))
    topics: dict[int, list[str]] = {chat_id: [] for chat_id in ids}
    alerts: dict[int, list[KeywordAlert]] = {chat_id: [] for chat_id in ids}
    for start in range(0, len(ids), 1000):
        chunk = ids[start:start + 1000]
        for row in await session.execute(
                select(subscriptions.c.chat_id, subscriptions.c.topic)
                .where(subscriptions.c.chat_id.in_(chunk)).order_by(subscriptions.c.topic)):
            topics[row.chat_id].append(row.topic)
        for row in await session.execute(
                select(keyword_alerts.c.id, keyword_alerts.c.chat_id, keyword_alerts.c.phrase, keyword_alerts.c.typed)
                .where(keyword_alerts.c.chat_id.in_(chunk)).order_by(keyword_alerts.c.id)):
            alerts[row.chat_id].append(KeywordAlert(row.id, row.chat_id, row.phrase, row.typed))
    return {chat_id: Interests(tuple(topics[chat_id]), tuple(alerts[chat_id])) for chat_id in ids}


async def days_taken(session: AsyncSession, local_dates: Collection[str]) -> set[tuple[int, str]]:
    """The (chat, local day) pairs among `local_dates` that already have a digest row."""
    if not local_dates:
        return set()
    result = await session.execute(
        select(digests.c.chat_id, digests.c.local_date).where(digests.c.local_date.in_(sorted(local_dates))))
    return {(row.chat_id, row.local_date) for row in result}


async def stories_seen_between(session: AsyncSession, since: datetime, until: datetime) -> list[SeenStory]:
    """Stories first seen in [since, until), with sources and topics, oldest first."""
    rows = (await session.execute(
        select(stories.c.id, stories.c.first_seen_at)
        .where(stories.c.first_seen_at >= since, stories.c.first_seen_at < until)
        .order_by(stories.c.first_seen_at, stories.c.id))).all()
    found = await stories_by_id(session, [row.id for row in rows])
    return [SeenStory(row.first_seen_at, found[row.id]) for row in rows if row.id in found]


def _hash(parts: Sequence[str]) -> str:
    return hashlib.sha256(json.dumps(list(parts), ensure_ascii=False).encode()).hexdigest()


async def _store_texts(session: AsyncSession, texts: Collection[tuple[str, ...]], *, now: datetime) -> dict[str, int]:
    """Each distinct text once; returns hash -> id."""
    by_hash = {_hash(parts): parts for parts in texts if parts}
    if not by_hash:
        return {}
    hashes = sorted(by_hash)
    await session.execute(
        upsert_into(session, digest_texts).on_conflict_do_nothing(index_elements=[digest_texts.c.hash]),
        [{"hash": key, "parts": json.dumps(list(by_hash[key]), ensure_ascii=False), "created_at": now}
         for key in hashes])
    ids: dict[str, int] = {}
    for start in range(0, len(hashes), 500):
        result = await session.execute(
            select(digest_texts.c.hash, digest_texts.c.id).where(digest_texts.c.hash.in_(hashes[start:start + 500])))
        ids.update({row.hash: row.id for row in result})
    return ids


async def open_digests(session: AsyncSession, wanted: Sequence[NewDigest], *, now: datetime) -> set[int]:
    """Claim each chat's digest for its local day, with its rendered parts (an empty digest is recorded
    but never sent), and advance the chat's `last_digest_at` to the digest's `until`. Returns the chats
    whose claim was new; a day already claimed is left exactly as it was."""
    if not wanted:
        return set()
    text_ids = await _store_texts(session, {item.parts for item in wanted}, now=now)
    rows = [{"chat_id": item.chat_id, "local_date": item.local_date, "due_at": item.due_at, "since": item.since,
             "until": item.until, "status": DigestStatus.PENDING if item.parts else DigestStatus.EMPTY,
             "text_id": text_ids.get(_hash(item.parts)) if item.parts else None, "parts_total": len(item.parts),
             "parts_sent": 0, "attempts": 0, "not_before": now, "created_at": now} for item in wanted]
    result = await session.execute(
        upsert_into(session, digests)
        .on_conflict_do_nothing(index_elements=[digests.c.chat_id, digests.c.local_date])
        .returning(digests.c.chat_id), rows)
    opened: set[int] = set(result.scalars())
    untils: dict[datetime, list[int]] = {}
    for item in wanted:
        if item.chat_id in opened:
            untils.setdefault(item.until, []).append(item.chat_id)
    for until, chat_ids in untils.items():
        for start in range(0, len(chat_ids), 500):
            await session.execute(update(chats).where(chats.c.id.in_(chat_ids[start:start + 500]))
                                  .values(last_digest_at=until))
    return opened


async def open_digest(session: AsyncSession, *, chat_id: int, local_date: str, due_at: datetime, since: datetime,
                      until: datetime, parts: Sequence[str], now: datetime) -> bool:
    """`open_digests` for one chat; False when the day was already claimed."""
    return chat_id in await open_digests(
        session, [NewDigest(chat_id, local_date, due_at, since, until, tuple(parts))], now=now)


async def set_last_digest_at(session: AsyncSession, chat_id: int, at: datetime) -> None:
    await session.execute(update(chats).where(chats.c.id == chat_id).values(last_digest_at=at))


async def due_digests(session: AsyncSession, *, now: datetime, limit: int) -> list[PendingDigest]:
    """Pending digests of active chats whose turn has come, oldest first."""
    result = await session.execute(
        select(digests.c.id, digests.c.chat_id, digests.c.local_date, digests.c.due_at, digest_texts.c.parts,
               digests.c.parts_sent, digests.c.attempts)
        .join(chats, chats.c.id == digests.c.chat_id)
        .outerjoin(digest_texts, digest_texts.c.id == digests.c.text_id)
        .where(digests.c.status == DigestStatus.PENDING, digests.c.not_before <= now, chats.c.active.is_(True))
        .order_by(digests.c.due_at, digests.c.id)
        .limit(limit))
    return [PendingDigest(row.id, row.chat_id, row.local_date, row.due_at, tuple(json.loads(row.parts or "[]")),
                          row.parts_sent, row.attempts) for row in result]


async def part_sent(session: AsyncSession, digest_id: int, *, parts_sent: int, total: int, at: datetime) -> None:
    """Record that the first `parts_sent` of `total` parts are out; the last one finishes the digest."""
    finished = {"status": DigestStatus.SENT, "text_id": None, "sent_at": at, "last_error": None}
    values = finished if parts_sent >= total else {}
    await session.execute(update(digests).where(digests.c.id == digest_id).values(parts_sent=parts_sent, **values))


async def reschedule_digest(session: AsyncSession, digest_id: int, *, not_before: datetime, reason: str,
                            count_attempt: bool) -> None:
    await session.execute(
        update(digests).where(digests.c.id == digest_id, digests.c.status == DigestStatus.PENDING)
        .values(not_before=not_before, last_error=reason, attempts=digests.c.attempts + (1 if count_attempt else 0)))


async def fail_digest(session: AsyncSession, digest_id: int, *, reason: str) -> None:
    await session.execute(
        update(digests).where(digests.c.id == digest_id, digests.c.status == DigestStatus.PENDING)
        .values(status=DigestStatus.FAILED, text_id=None, last_error=reason, attempts=digests.c.attempts + 1))


async def expire_digests(session: AsyncSession, *, due_before: datetime) -> int:
    """Give up pending digests that were due before `due_before` (the bot was down too long)."""
    result = await session.execute(
        update(digests).where(digests.c.status == DigestStatus.PENDING, digests.c.due_at < due_before)
        .values(status=DigestStatus.EXPIRED, text_id=None, last_error="expired: not sent in time"))
    return rows_changed(result)


async def prune_texts(session: AsyncSession) -> int:
    """Delete rendered texts that no digest points to any more (all their digests are done)."""
    used = select(digests.c.text_id).where(digests.c.text_id.is_not(None))
    result = await session.execute(delete(digest_texts).where(digest_texts.c.id.not_in(used)))
    return rows_changed(result)


async def digest_records(session: AsyncSession, chat_id: int | None = None) -> list[DigestRecord]:
    query = select(digests).order_by(digests.c.id)
    if chat_id is not None:
        query = query.where(digests.c.chat_id == chat_id)
    return [DigestRecord(row.id, row.chat_id, row.local_date, row.due_at, row.since, row.until, row.status,
                         row.parts_total, row.parts_sent, row.attempts, row.sent_at, row.last_error)
            for row in await session.execute(query)]


async def pending_count(session: AsyncSession) -> int:
    return (await session.execute(
        select(func.count()).select_from(digests).where(digests.c.status == DigestStatus.PENDING))).scalar_one()
