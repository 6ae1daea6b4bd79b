"""Readers' feedback: what a press of "not about <topic>" stores, and what /stats and /flagged read back.

A press counts only for a story the chat was alerted of for that topic, and once per chat, story and topic
(the primary key): a second press, by the same member or another, changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from model import DeliveryKind, DeliveryStatus, FeedbackOutcome, FlaggedStory, TopicFeedback
from storage.deliveries import decode_reason
from storage.engine import upsert_into
from storage.stories import stories_by_id
from storage.tables import deliveries, feedback

SENT = DeliveryStatus.SENT.value


async def record(session: AsyncSession, *, chat_id: int, story_id: int, topic: str, now: datetime) -> FeedbackOutcome:
    """Store that this chat says the story is not about `topic`, unless it had said so already."""
    row = (await session.execute(
        select(deliveries.c.kind, deliveries.c.reason)
        .where(deliveries.c.chat_id == chat_id, deliveries.c.story_id == story_id))).first()
    if row is None or topic not in decode_reason(row.kind, row.reason)[0]:
        return FeedbackOutcome.UNKNOWN
    inserted = await session.execute(
        upsert_into(session, feedback)
        .values(chat_id=chat_id, story_id=story_id, topic=topic, created_at=now)
        .on_conflict_do_nothing(index_elements=[feedback.c.chat_id, feedback.c.story_id, feedback.c.topic])
        .returning(feedback.c.story_id))
    return FeedbackOutcome.NOTED if inserted.first() is not None else FeedbackOutcome.ALREADY


async def topic_feedback(session: AsyncSession, *, since: datetime, topics: Iterable[str]) -> list[TopicFeedback]:
    """For each of `topics` (then any other topic that has alerts), the topic alerts sent since `since` and
    how many of those alerts their chat flagged as not about it."""
    sent: dict[str, int] = dict.fromkeys(topics, 0)
    # Reasons repeat (the same topics for thousands of chats): counted by the database, decoded here.
    for row in (await session.execute(
            select(deliveries.c.reason, func.count().label("alerts"))
            .where(deliveries.c.kind == DeliveryKind.TOPIC.value, deliveries.c.status == SENT,
                   deliveries.c.sent_at >= since)
            .group_by(deliveries.c.reason))).all():
        for topic in decode_reason(DeliveryKind.TOPIC.value, row.reason)[0]:
            sent[topic] = sent.get(topic, 0) + row.alerts
    flagged: dict[str, int] = {row.topic: row.alerts for row in (await session.execute(
        select(feedback.c.topic, func.count().label("alerts"))
        .join(deliveries, and_(deliveries.c.chat_id == feedback.c.chat_id, deliveries.c.story_id == feedback.c.story_id))
        .where(deliveries.c.status == SENT, deliveries.c.sent_at >= since)
        .group_by(feedback.c.topic))).all()}
    return [TopicFeedback(topic, count, flagged.get(topic, 0)) for topic, count in sent.items()]


async def flagged(session: AsyncSession, *, since: datetime, until: datetime) -> list[FlaggedStory]:
    """The stories flagged in [since, until), the most flagged first (then the newest), with their flags."""
    rows = (await session.execute(
        select(feedback.c.story_id, feedback.c.topic, func.count().label("chats"))
        .where(feedback.c.created_at >= since, feedback.c.created_at < until)
        .group_by(feedback.c.story_id, feedback.c.topic)
        .order_by(feedback.c.story_id, feedback.c.topic))).all()
    flags: dict[int, list[tuple[str, int]]] = {}
    for row in rows:
        flags.setdefault(row.story_id, []).append((row.topic, row.chats))
    stories = await stories_by_id(session, flags)
    found = [FlaggedStory(stories[story_id], tuple(story_flags)) for story_id, story_flags in flags.items()
             if story_id in stories]
    return sorted(found, key=lambda item: (-sum(chats for _, chats in item.flags), -item.story.published_at.timestamp(),
                                           item.story.id))
