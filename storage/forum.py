"""Forum topics as chats of their own: the key of a topic's chat row, and where that row's messages go.

A supergroup with topics keeps one chat row per topic that someone configured, keyed below every id
Telegram can give (its chat ids have at most 52 significant bits), so subscriptions, alerts, deliveries
and digests need no change to belong to a topic. The group's own row (the General topic) keeps its id.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from model import Destination
from storage.engine import upsert_into
from storage.tables import forum_topics

TOPIC_KEYS_BELOW = -(2**53)
"""Keys below this are forum topics (`topic_key`); Telegram's chat ids all lie above it."""
UNSTORED_TOPIC = TOPIC_KEYS_BELOW
"""The chat key a command that only reads sees in a topic nobody configured: no stored chat has it."""


def topic_key(topic_id: int) -> int:
    """The chat key of the forum topic stored as `topic_id`."""
    return TOPIC_KEYS_BELOW - topic_id


def is_topic_key(chat_id: int) -> bool:
    return chat_id < TOPIC_KEYS_BELOW


async def find_topic_key(session: AsyncSession, chat_id: int, thread_id: int) -> int | None:
    """The chat key of the group's topic `thread_id`, if anyone configured it."""
    topic_id = (await session.execute(
        select(forum_topics.c.id).where(forum_topics.c.chat_id == chat_id, forum_topics.c.thread_id == thread_id))
    ).scalar()
    return None if topic_id is None else topic_key(topic_id)


async def topic_chat_key(session: AsyncSession, chat_id: int, thread_id: int, *, now: datetime) -> int:
    """The chat key of the group's topic `thread_id`, stored on first use; the group's row must exist."""
    await session.execute(
        upsert_into(session, forum_topics).values(chat_id=chat_id, thread_id=thread_id, created_at=now)
        .on_conflict_do_nothing(index_elements=[forum_topics.c.chat_id, forum_topics.c.thread_id]))
    key = await find_topic_key(session, chat_id, thread_id)
    assert key is not None
    return key


async def destination(session: AsyncSession, chat_id: int) -> Destination:
    """Where messages for the stored chat `chat_id` go: the chat itself, or a topic's group and thread."""
    if not is_topic_key(chat_id):
        return Destination(chat_id)
    row = (await session.execute(select(forum_topics.c.chat_id, forum_topics.c.thread_id)
                                 .where(forum_topics.c.id == TOPIC_KEYS_BELOW - chat_id))).first()
    if row is None:
        raise LookupError(f"forum topic {chat_id} is not stored")
    return Destination(row.chat_id, row.thread_id)


async def topic_keys_of(session: AsyncSession, chat_id: int) -> list[int]:
    """The chat keys of every configured topic of the group `chat_id`."""
    result = await session.execute(select(forum_topics.c.id).where(forum_topics.c.chat_id == chat_id))
    return [topic_key(row.id) for row in result]
