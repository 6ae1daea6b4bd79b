"""Throw-away subscriber chats for the offline demo (`python bot.py demo`), which never touches a real database."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from model import ChatMode
from storage.tables import chats, keyword_alerts, stories, subscriptions


async def add_demo_chat(session: AsyncSession, chat_id: int, *, topics: Sequence[str], phrases: Sequence[str],
                        language: str, timezone: str, digest_time: time, now: datetime) -> None:
    await session.execute(insert(chats).values(
        id=chat_id, type="private", title=None, language=language, timezone=timezone,
        digest_time=f"{digest_time:%H:%M}", mode=ChatMode.INSTANT.value, active=True, origin="user",
        created_at=now, updated_at=now))
    if topics:
        await session.execute(insert(subscriptions), [
            {"chat_id": chat_id, "topic": topic, "created_at": now} for topic in topics])
    if phrases:
        await session.execute(insert(keyword_alerts), [
            {"chat_id": chat_id, "phrase": phrase, "created_at": now} for phrase in phrases])


async def all_story_ids(session: AsyncSession) -> list[int]:
    """Every stored story, first seen first."""
    return list((await session.execute(
        select(stories.c.id).order_by(stories.c.first_seen_at, stories.c.id))).scalars())
