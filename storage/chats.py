"""Chats, their settings, their topic subscriptions and their keyword alerts.

Functions take an open session (one transaction per command) and return `model` values, never rows.
Topic ids and keyword phrases are validated by the caller; this module enforces what needs the database:
uniqueness, and the cap on keyword alerts per chat, counted in the same transaction as the insert.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterable
from datetime import datetime, time

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from model import AlertAdded, AlertOutcome, Chat, ChatMode, KeywordAlert, Lang, QuietHours
from storage.deliveries import cancel_pending, hhmm_time, quiet_from_row
from storage.engine import upsert_into
from storage.tables import chats, keyword_alerts, subscriptions


class _Unset(enum.Enum):
    UNSET = enum.auto()


UNSET = _Unset.UNSET
"""Marks a setting that `update_chat` must leave as it is (None is a value: digest off)."""


def _hhmm(value: time | None) -> str | None:
    return None if value is None else f"{value:%H:%M}"


def _chat(row: Row) -> Chat:  # type: ignore[type-arg]
    return Chat(id=row.id, type=row.type, language=row.language, timezone=row.timezone,
                digest_time=hhmm_time(row.digest_time), mode=ChatMode(row.mode), active=row.active, title=row.title,
                quiet=quiet_from_row(row))



# --------------------------------------------------------------------------------------------------
# Chats and their settings


async def get_chat(session: AsyncSession, chat_id: int) -> Chat | None:
    row = (await session.execute(select(chats).where(chats.c.id == chat_id))).first()
    return _chat(row) if row else None


async def chat_with_topics(session: AsyncSession, chat_id: int) -> tuple[Chat | None, tuple[str, ...]]:
    """The chat and the topics it follows (sorted by id) in one statement: a command's prologue that needs
    both (/latest) makes one round trip to the driver instead of two. An unstored chat follows nothing."""
    followed = subscriptions.c.topic.label("followed_topic")
    rows = (await session.execute(
        select(chats, followed).outerjoin(subscriptions, subscriptions.c.chat_id == chats.c.id)
        .where(chats.c.id == chat_id).order_by(followed))).all()
    if not rows:
        return None, ()
    return _chat(rows[0]), tuple(row.followed_topic for row in rows if row.followed_topic is not None)


def unsaved_chat(*, chat_id: int, type: str, title: str | None, language: Lang, timezone: str,
                 digest_time: time | None) -> Chat:
    """The chat as `get_or_create_chat` would create it, without storing it: what a command that only
    reads shows a chat the bot has not stored yet."""
    return Chat(id=chat_id, type=type, language=language, timezone=timezone, digest_time=digest_time,
                mode=ChatMode.INSTANT, active=True, title=title)


async def get_or_create_chat(
    session: AsyncSession,
    *,
    chat_id: int,
    type: str,
    title: str | None,
    language: Lang,
    timezone: str,
    digest_time: time | None,
    now: datetime,
    reactivate: bool = False,
) -> Chat:
    """The stored chat, created with these defaults on first contact.

    `reactivate` brings a stopped chat back as new (active, default digest time), keeping its language
    and time zone. The title follows Telegram's when it changes.
    """
    await session.execute(
        upsert_into(session, chats)
        .values(id=chat_id, type=type, title=title, language=language, timezone=timezone,
                digest_time=_hhmm(digest_time), mode=ChatMode.INSTANT.value, active=True, origin="user",
                created_at=now, updated_at=now)
        .on_conflict_do_nothing(index_elements=[chats.c.id]))
    chat = await get_chat(session, chat_id)
    assert chat is not None
    changes: dict[str, object] = {}
    if reactivate and not chat.active:
        changes.update(active=True, digest_time=_hhmm(digest_time))
    if title is not None and title != chat.title:
        changes.update(title=title)
    if chat.type != type:
        changes.update(type=type)
    if changes:
        await session.execute(update(chats).where(chats.c.id == chat_id).values(updated_at=now, **changes))
        chat = await get_chat(session, chat_id)
        assert chat is not None
    return chat


async def update_chat(
    session: AsyncSession,
    chat_id: int,
    *,
    now: datetime,
    language: Lang | _Unset = UNSET,
    timezone: str | _Unset = UNSET,
    digest_time: time | None | _Unset = UNSET,
    mode: ChatMode | _Unset = UNSET,
    active: bool | _Unset = UNSET,
    quiet: QuietHours | None | _Unset = UNSET,
) -> Chat:
    """Change the given settings and return the chat as stored. Unknown chats are a programmer error."""
    values: dict[str, object] = {}
    if language is not UNSET:
        values["language"] = language
    if timezone is not UNSET:
        values["timezone"] = timezone
    if digest_time is not UNSET:
        values["digest_time"] = _hhmm(digest_time)
    if mode is not UNSET:
        values["mode"] = ChatMode(mode).value
    if active is not UNSET:
        values["active"] = active
    if quiet is not UNSET:
        values.update(quiet_start=_hhmm(quiet.start if quiet else None), quiet_end=_hhmm(quiet.end if quiet else None),
                      quiet_silent=bool(quiet and quiet.silent))
    if values:
        await session.execute(update(chats).where(chats.c.id == chat_id).values(updated_at=now, **values))
    chat = await get_chat(session, chat_id)
    if chat is None:
        raise LookupError(f"chat {chat_id} is not stored")
    return chat


async def last_digest_at(session: AsyncSession, chat_id: int) -> datetime | None:
    return (await session.execute(select(chats.c.last_digest_at).where(chats.c.id == chat_id))).scalar()


async def stop_chat(session: AsyncSession, chat_id: int, *, now: datetime) -> Chat:
    """Turn everything off: inactive, no digest, no subscriptions, no keyword alerts, nothing pending."""
    await session.execute(delete(subscriptions).where(subscriptions.c.chat_id == chat_id))
    await session.execute(delete(keyword_alerts).where(keyword_alerts.c.chat_id == chat_id))
    await cancel_pending(session, chat_id, reason="chat stopped")
    return await update_chat(session, chat_id, now=now, active=False, digest_time=None)


# --------------------------------------------------------------------------------------------------
# Topic subscriptions


async def chat_topics(session: AsyncSession, chat_id: int) -> tuple[str, ...]:
    """The topics the chat follows, sorted by id (callers show them in the configured order)."""
    result = await session.execute(
        select(subscriptions.c.topic).where(subscriptions.c.chat_id == chat_id).order_by(subscriptions.c.topic))
    return tuple(result.scalars())


async def subscribe(session: AsyncSession, chat_id: int, topics: Iterable[str], *, now: datetime) -> tuple[str, ...]:
    """Follow `topics`; returns those that were not followed before, in the order given."""
    wanted = list(dict.fromkeys(topics))
    already = set(await chat_topics(session, chat_id))
    added = [topic for topic in wanted if topic not in already]
    if added:
        await session.execute(insert(subscriptions),
                              [{"chat_id": chat_id, "topic": topic, "created_at": now} for topic in added])
    return tuple(added)


async def unsubscribe(session: AsyncSession, chat_id: int, topics: Collection[str] | None) -> tuple[str, ...]:
    """Stop following `topics` (None: all of them); returns those that were followed, sorted by id."""
    query = delete(subscriptions).where(subscriptions.c.chat_id == chat_id)
    if topics is not None:
        if not topics:
            return ()
        query = query.where(subscriptions.c.topic.in_(list(topics)))
    result = await session.execute(query.returning(subscriptions.c.topic))
    return tuple(sorted(result.scalars()))


async def toggle_topic(session: AsyncSession, chat_id: int, topic: str, *, now: datetime) -> bool:
    """Follow `topic` if the chat does not, else stop; returns whether the chat follows it now."""
    if await unsubscribe(session, chat_id, [topic]):
        return False
    await subscribe(session, chat_id, [topic], now=now)
    return True


# --------------------------------------------------------------------------------------------------
# Keyword alerts


def _alert(row: Row) -> KeywordAlert:  # type: ignore[type-arg]
    return KeywordAlert(id=row.id, chat_id=row.chat_id, phrase=row.phrase, typed=row.typed)


async def list_alerts(session: AsyncSession, chat_id: int) -> list[KeywordAlert]:
    """The chat's alerts, oldest first: the numbering /alerts shows and /alert remove NUMBER uses."""
    result = await session.execute(
        select(keyword_alerts).where(keyword_alerts.c.chat_id == chat_id).order_by(keyword_alerts.c.id))
    return [_alert(row) for row in result]


async def count_alerts(session: AsyncSession, chat_id: int) -> int:
    return (await session.execute(
        select(func.count()).select_from(keyword_alerts).where(keyword_alerts.c.chat_id == chat_id))).scalar_one()


async def add_alert(session: AsyncSession, chat_id: int, phrase: str, *, now: datetime, limit: int,
                    typed: str | None = None) -> AlertAdded:
    """Store `phrase` (canonical; `typed` is how the user wrote it) unless the chat has it already or already
    has `limit` alerts."""
    existing = await list_alerts(session, chat_id)
    for alert in existing:
        if alert.phrase == phrase:
            return AlertAdded(AlertOutcome.DUPLICATE, alert)
    if len(existing) >= limit:
        return AlertAdded(AlertOutcome.FULL, None)
    alert_id = (await session.execute(
        insert(keyword_alerts).values(chat_id=chat_id, phrase=phrase, typed=typed, created_at=now)
        .returning(keyword_alerts.c.id))).scalar_one()
    return AlertAdded(AlertOutcome.ADDED, KeywordAlert(id=alert_id, chat_id=chat_id, phrase=phrase, typed=typed))


async def remove_alert(session: AsyncSession, chat_id: int, *, number: int | None = None,
                       phrases: Collection[str] = ()) -> KeywordAlert | None:
    """Remove the `number`-th alert (1-based, as listed) or the one stored as any of `phrases`."""
    alerts = await list_alerts(session, chat_id)
    if number is not None:
        target = alerts[number - 1] if 1 <= number <= len(alerts) else None
    else:
        target = next((alert for alert in alerts if alert.phrase in phrases or alert.typed in phrases), None)
    if target is not None:
        await session.execute(delete(keyword_alerts).where(keyword_alerts.c.id == target.id))
    return target
