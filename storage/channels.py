"""Channels named in config.toml: stored as chats with origin `config`, whose topics and mode the config,
not a command, decides. The bot then posts there exactly as to a subscribed chat."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from model import ConfiguredChannel
from storage.engine import upsert_into
from storage.tables import chats, subscriptions

CONFIG = "config"



async def upsert_channel(session: AsyncSession, channel: ConfiguredChannel, *, now: datetime) -> None:
    """Store the channel as config says: active, its mode, language and topics (exactly those)."""
    values = {"type": channel.type, "title": channel.title, "language": channel.language,
              "timezone": channel.timezone,
              "digest_time": None if channel.digest_time is None else f"{channel.digest_time:%H:%M}",
              "mode": channel.mode.value, "active": True, "origin": CONFIG, "updated_at": now}
    statement = upsert_into(session, chats).values(id=channel.chat_id, created_at=now, **values)
    await session.execute(statement.on_conflict_do_update(index_elements=[chats.c.id], set_=values))
    stored: set[str] = set((await session.execute(
        select(subscriptions.c.topic).where(subscriptions.c.chat_id == channel.chat_id))).scalars())
    wanted = set(channel.topics)
    if stored - wanted:
        await session.execute(delete(subscriptions).where(subscriptions.c.chat_id == channel.chat_id,
                                                          subscriptions.c.topic.in_(sorted(stored - wanted))))
    if wanted - stored:
        await session.execute(subscriptions.insert(), [
            {"chat_id": channel.chat_id, "topic": topic, "created_at": now} for topic in sorted(wanted - stored)])


async def retire_channels(session: AsyncSession, keep: Collection[int], *, now: datetime) -> Sequence[int]:
    """Deactivate configured channels that config no longer names; returns their ids."""
    gone: list[int] = list((await session.execute(
        select(chats.c.id).where(chats.c.origin == CONFIG, chats.c.active.is_(True),
                                 chats.c.id.not_in(sorted(keep))))).scalars())
    if gone:
        await session.execute(update(chats).where(chats.c.id.in_(gone)).values(active=False, updated_at=now))
    return gone
