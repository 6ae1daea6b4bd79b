"""Feeds: the configured and admin-added sources, their conditional-GET state and their health."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from model import FeedSpec
from storage.tables import feeds


async def ensure_feed(session: AsyncSession, spec: FeedSpec, *, now: datetime, origin: str = "config") -> int:
    """Store `spec` unless a feed with its URL exists; returns the feed's id either way."""
    dialect = postgresql if session.bind.dialect.name == "postgresql" else sqlite
    await session.execute(
        dialect.insert(feeds)
        .values(url=spec.url, name=spec.name, scope=spec.scope.value, language=spec.language, origin=origin,
                active=True, consecutive_failures=0, created_at=now)
        .on_conflict_do_nothing(index_elements=[feeds.c.url]))
    return (await session.execute(select(feeds.c.id).where(feeds.c.url == spec.url))).scalar_one()
