"""Readers' feedback in the database (SQLite, and PostgreSQL when configured): a press counts only for a
story the chat was alerted of for that topic and once per chat; /stats' counts follow the sent alerts of the
window; /flagged reads the presses of a period with their stories."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from model import FeedbackOutcome, NewDelivery, TopicFeedback
from storage import deliveries as outbox
from storage import feedback as feedback_store
from storage.engine import Database
from tests.support.builders import add_story
from tests.support.chats import add_chat

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
GROUP = -1001234567890  # a supergroup id: more than 32 bits


async def alerted(database: Database, chat_ids: list[int], title: str, topics: tuple[str, ...], *,
                  sent_at: datetime = NOW, phrases: tuple[str, ...] = ()) -> int:
    """A story, alerted (and sent) to each chat for `topics`."""
    story_id = await add_story(database, title=title, published_at=sent_at - timedelta(hours=1),
                               topics={topic: ("x",) for topic in topics})
    async with database.transaction() as session:
        await outbox.enqueue(session, [NewDelivery(chat_id, story_id, topics, phrases) for chat_id in chat_ids],
                             now=sent_at)
        ids = [record.id for record in await outbox.records(session, story_id=story_id)]
        await outbox.mark_sent(session, ids, at=sent_at)
    return story_id


async def press(database: Database, chat_id: int, story_id: int, topic: str, *, at: datetime = NOW) -> FeedbackOutcome:
    async with database.transaction() as session:
        return await feedback_store.record(session, chat_id=chat_id, story_id=story_id, topic=topic, now=at)


async def test_a_press_counts_once_per_chat_and_only_for_an_alerted_topic(database: Database) -> None:
    for chat_id in (7, GROUP):
        await add_chat(database, chat_id, topics=["sanctions"])
    story_id = await alerted(database, [7, GROUP], "Sanciones deportivas", ("sanctions",))
    other = await alerted(database, [7], "Otra", ("cne",))
    assert await press(database, GROUP, story_id, "sanctions") is FeedbackOutcome.NOTED
    assert await press(database, GROUP, story_id, "sanctions") is FeedbackOutcome.ALREADY
    assert await press(database, 7, story_id, "sanctions") is FeedbackOutcome.NOTED
    assert await press(database, 7, story_id, "cne") is FeedbackOutcome.UNKNOWN  # not alerted for cne
    assert await press(database, GROUP, other, "cne") is FeedbackOutcome.UNKNOWN  # never alerted of it
    assert await press(database, 7, 2**31 - 1, "sanctions") is FeedbackOutcome.UNKNOWN
    async with database.transaction() as session:
        [found] = await feedback_store.flagged(session, since=NOW - timedelta(days=1), until=NOW + timedelta(days=1))
    assert (found.story.id, found.flags) == (story_id, (("sanctions", 2),))


async def test_topic_feedback_counts_the_alerts_sent_in_the_window_and_their_flags(database: Database) -> None:
    await add_chat(database, 7, topics=["sanctions", "cne"])
    await add_chat(database, 8, topics=["sanctions"])
    old = await alerted(database, [7, 8], "Vieja", ("sanctions",), sent_at=NOW - timedelta(days=8))
    both = await alerted(database, [7], "Las dos", ("sanctions", "cne"), phrases=("maduro",))
    single = await alerted(database, [7, 8], "Una", ("sanctions",))
    await alerted(database, [8], "Por palabra", (), phrases=("petare",))  # a keyword alert has no topic
    for chat_id, story_id, topic in ((7, old, "sanctions"), (7, both, "cne"), (8, single, "sanctions")):
        assert await press(database, chat_id, story_id, topic) is FeedbackOutcome.NOTED
    async with database.transaction() as session:
        counted = await feedback_store.topic_feedback(session, since=NOW - timedelta(days=7),
                                                      topics=["protests", "sanctions", "cne"])
    assert counted == [TopicFeedback("protests", 0, 0), TopicFeedback("sanctions", 3, 1), TopicFeedback("cne", 1, 1)]


async def test_flagged_reads_the_presses_of_the_period_most_flagged_first(database: Database) -> None:
    for chat_id in (7, 8, 9):
        await add_chat(database, chat_id, topics=["sanctions", "cne"])
    once = await alerted(database, [7], "Una vez", ("sanctions",))
    twice = await alerted(database, [7, 8], "Dos veces", ("sanctions", "cne"))
    earlier = await alerted(database, [9], "Antes", ("cne",))
    await press(database, 7, once, "sanctions")
    await press(database, 7, twice, "sanctions")
    await press(database, 8, twice, "sanctions")
    await press(database, 8, twice, "cne")
    await press(database, 9, earlier, "cne", at=NOW - timedelta(days=3))
    async with database.transaction() as session:
        recent = await feedback_store.flagged(session, since=NOW - timedelta(days=1), until=NOW + timedelta(seconds=1))
        everything = await feedback_store.flagged(session, since=NOW - timedelta(days=7), until=NOW + timedelta(days=1))
        before = await feedback_store.flagged(session, since=NOW - timedelta(days=7), until=NOW - timedelta(days=1))
    assert [(item.story.id, item.flags) for item in recent] == [
        (twice, (("cne", 1), ("sanctions", 2))), (once, (("sanctions", 1),))]
    assert [item.story.title for item in everything] == ["Dos veces", "Una vez", "Antes"]
    assert [(item.story.id, item.flagged_topics) for item in before] == [(earlier, ("cne",))]


async def test_a_group_that_becomes_a_supergroup_keeps_its_feedback(database: Database) -> None:
    old_id, new_id = -4001, GROUP
    await add_chat(database, old_id, topics=["sanctions"])
    await add_chat(database, new_id, topics=["sanctions"])  # someone used the bot in the supergroup already
    kept = await alerted(database, [old_id], "Antes de migrar", ("sanctions",))
    shared = await alerted(database, [old_id, new_id], "En los dos", ("sanctions",))
    await press(database, old_id, kept, "sanctions")
    await press(database, old_id, shared, "sanctions")
    await press(database, new_id, shared, "sanctions")
    async with database.transaction() as session:
        assert await outbox.migrate_chat(session, old_id, new_id, now=NOW)
    assert await press(database, new_id, kept, "sanctions") is FeedbackOutcome.ALREADY
    async with database.transaction() as session:
        found = await feedback_store.flagged(session, since=NOW - timedelta(days=1), until=NOW + timedelta(days=1))
    assert sorted((item.story.id, item.flags) for item in found) == sorted(
        [(kept, (("sanctions", 1),)), (shared, (("sanctions", 1),))])
