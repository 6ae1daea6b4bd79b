"""Builders for chats, subscriptions and keyword alerts, written straight into a test database.

Delivery tests need many chats in exact states (digest mode, inactive, in another time zone) without going
through the command handlers.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from model import NewStory
from storage.engine import Database
from storage.stories import stories_by_id
from storage.tables import chats, keyword_alerts, subscriptions

CREATED = datetime(2026, 1, 1, tzinfo=UTC)


async def add_chat(
    database: Database,
    chat_id: int,
    *,
    topics: Sequence[str] = (),
    alerts: Sequence[str] = (),
    mode: str = "instant",
    language: str = "es",
    timezone: str = "America/Caracas",
    digest_time: str | None = "08:00",
    active: bool = True,
    type: str | None = None,
    last_digest_at: datetime | None = None,
) -> int:
    async with database.transaction() as session:
        await session.execute(chats.insert().values(
            id=chat_id, type=type or ("private" if chat_id > 0 else "group"), title=None, language=language,
            timezone=timezone, digest_time=digest_time, mode=mode, active=active, origin="user",
            last_digest_at=last_digest_at, created_at=CREATED, updated_at=CREATED))
        if topics:
            await session.execute(subscriptions.insert(), [
                {"chat_id": chat_id, "topic": topic, "created_at": CREATED} for topic in topics])
        if alerts:
            await session.execute(keyword_alerts.insert(), [
                {"chat_id": chat_id, "phrase": phrase, "created_at": CREATED} for phrase in alerts])
    return chat_id


async def add_chats(database: Database, chat_ids: Sequence[int], *, topics: Sequence[str]) -> None:
    """Many subscribed private chats at once (benchmarks, fairness tests)."""
    async with database.transaction() as session:
        await session.execute(chats.insert(), [
            {"id": chat_id, "type": "private", "title": None, "language": "es", "timezone": "America/Caracas",
             "digest_time": None, "mode": "instant", "active": True, "origin": "user", "created_at": CREATED,
             "updated_at": CREATED} for chat_id in chat_ids])
        await session.execute(subscriptions.insert(), [
            {"chat_id": chat_id, "topic": topic, "created_at": CREATED} for chat_id in chat_ids for topic in topics])


async def new_story_events(database: Database, story_ids: Sequence[int], *, is_new: bool = True) -> list[NewStory]:
    """The events ingestion would hand to fan-out for these stored stories."""
    async with database.transaction() as session:
        found = await stories_by_id(session, story_ids)
    return [NewStory(story_id=story.id, title=story.title, summary=story.summary, topics=story.matched_terms,
                     is_new=is_new, published_at=story.published_at) for story in (found[story_id] for story_id in story_ids)]
