"""Read-only counts over the whole database, for health checks, metrics and the admin /stats command."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from model import Stats
from storage.forum import TOPIC_KEYS_BELOW
from storage.tables import chats, deliveries, feeds, items, subscriptions


async def snapshot(session: AsyncSession, now: datetime) -> Stats:
    feeds_ok, feeds_failing = (await session.execute(
        select(func.count().filter(feeds.c.consecutive_failures == 0),
               func.count().filter(feeds.c.consecutive_failures > 0))
        .where(feeds.c.active.is_(True)))).one()
    items_total = (await session.execute(select(func.count()).select_from(items))).scalar_one()
    items_today = (await session.execute(
        select(func.count()).select_from(items).where(items.c.fetched_at >= now - timedelta(days=1)))).scalar_one()
    chats_active, forum_topics_active = (await session.execute(
        select(func.count().filter(chats.c.id >= TOPIC_KEYS_BELOW), func.count().filter(chats.c.id < TOPIC_KEYS_BELOW))
        .where(chats.c.active.is_(True)))).one()
    per_topic = (await session.execute(
        select(subscriptions.c.topic, func.count())
        .join(chats, chats.c.id == subscriptions.c.chat_id)
        .where(chats.c.active.is_(True))
        .group_by(subscriptions.c.topic).order_by(subscriptions.c.topic))).all()
    per_status = (await session.execute(
        select(deliveries.c.status, func.count()).group_by(deliveries.c.status)
        .order_by(deliveries.c.status))).all()
    last_fetch = (await session.execute(select(func.max(feeds.c.last_fetched_at)))).scalar_one()
    return Stats(
        feeds_ok=feeds_ok,
        feeds_failing=feeds_failing,
        items_total=items_total,
        items_today=items_today,
        chats_active=chats_active,
        forum_topics_active=forum_topics_active,
        subscriptions=tuple((row[0], row[1]) for row in per_topic),
        deliveries=tuple((row[0], row[1]) for row in per_status),
        last_fetch_at=last_fetch,
    )
