"""Fan-out: the stories of a cycle become pending deliveries for the chats that follow their topics or whose
keyword alerts they fire, one per chat and story, in ingestion's transaction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from delivery.fanout import (
    FanOut,
    FanOutHook,
    KeywordAlertIndex,
    deliveries_for,
    enqueue_deliveries,
    load_keyword_index,
)
from model import DeliveryKind, KeywordAlert, NewStory
from storage import deliveries as outbox
from storage.engine import Database
from tests.support.builders import add_story
from tests.support.chats import add_chat, new_story_events
from tests.support.clock import FakeClock

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def event(story_id: int, title: str, *topics: str, summary: str = "") -> NewStory:
    return NewStory(story_id=story_id, title=title, summary=summary,
                    topics=tuple((topic, (topic,)) for topic in topics), is_new=True, published_at=NOW)


@pytest.mark.parametrize(
    ("stories", "alerts", "expected"),
    [
        pytest.param([event(1, "OFAC sanciona", "sanctions")], [],
                     [outbox.NewDelivery(10, 1, ("sanctions",)), outbox.NewDelivery(11, 1, ("sanctions",))],
                     id="every follower of the topic"),
        pytest.param([event(1, "El CNE y las sanciones", "sanctions", "cne")], [],
                     [outbox.NewDelivery(10, 1, ("sanctions",)), outbox.NewDelivery(11, 1, ("sanctions", "cne"))],
                     id="a chat following two of its topics gets one delivery naming both"),
        pytest.param([event(1, "Marcha en Caracas", "protests")], [KeywordAlert(1, 12, "caracas")],
                     [outbox.NewDelivery(12, 1, (), ("caracas",))], id="a keyword alert alone"),
        pytest.param([event(1, "OFAC sanciona a Cabello", "sanctions")],
                     [KeywordAlert(1, 10, "cabello"), KeywordAlert(2, 10, "ofac")],
                     [outbox.NewDelivery(10, 1, ("sanctions",), ("cabello", "ofac")),
                      outbox.NewDelivery(11, 1, ("sanctions",))],
                     id="topic and keywords of one chat: one delivery with all of them"),
        pytest.param([event(1, "Protestas en Chile", "protests")], [KeywordAlert(1, 12, "protestas -chile")], [],
                     id="an excluded word stops the alert"),
        pytest.param([event(1, "Nada que ver")], [KeywordAlert(1, 12, "maduro")], [], id="no match, nothing"),
    ],
)
def test_deliveries_for(stories: list[NewStory], alerts: list[KeywordAlert],
                        expected: list[outbox.NewDelivery]) -> None:
    subscribers = {"sanctions": (10, 11), "cne": (11,)}
    assert deliveries_for(stories, subscribers, KeywordAlertIndex(alerts)) == expected


def test_a_stored_alert_the_parser_now_refuses_is_skipped_not_fatal() -> None:
    index = KeywordAlertIndex([KeywordAlert(1, 10, '"unclosed'), KeywordAlert(2, 10, "machado")])
    assert len(index) == 1
    assert index.matching("María Corina MACHADO habla") == [KeywordAlert(2, 10, "machado")]


async def test_fan_out_writes_one_pending_delivery_per_chat_and_story(database: Database) -> None:
    await add_chat(database, 1, topics=["sanctions"])
    await add_chat(database, 2, topics=["sanctions"], mode="digest")  # digest only: nothing instant
    await add_chat(database, 3, topics=["sanctions"], active=False)
    await add_chat(database, 4, alerts=["funcionarios"])
    story_id = await add_story(database, title="OFAC sanciona a funcionarios", published_at=NOW,
                               topics={"sanctions": ("ofac",)})
    events = await new_story_events(database, [story_id])

    async with database.transaction() as session:
        index = await load_keyword_index(session)
        first = await enqueue_deliveries(session, events, keyword_index=index, now=NOW)
        refetched = await enqueue_deliveries(session, events, keyword_index=index, now=NOW)
        found = await outbox.records(session)

    assert (first, refetched) == (2, 0)
    assert [(row.chat_id, row.kind, row.topics, row.phrases) for row in found] == [
        (1, DeliveryKind.TOPIC, ("sanctions",), ()), (4, DeliveryKind.KEYWORD, (), ("funcionarios",))]


async def test_a_story_published_more_than_a_day_ago_is_not_an_instant_alert(database: Database) -> None:
    """A newly added feed's backlog goes to the digest and /latest, not to everyone's phone at once."""
    await add_chat(database, 1, topics=["sanctions"])
    fresh = await add_story(database, title="OFAC sanciona hoy", published_at=NOW - timedelta(hours=23),
                            topics={"sanctions": ("ofac",)})
    stale = await add_story(database, title="OFAC sancionó la semana pasada", published_at=NOW - timedelta(days=6),
                            topics={"sanctions": ("ofac",)})
    events = await new_story_events(database, [fresh, stale])
    async with database.transaction() as session:
        assert await enqueue_deliveries(session, events, keyword_index=None, now=NOW) == 1
        assert [row.story_id for row in await outbox.records(session)] == [fresh]


async def test_a_second_outlet_joining_the_story_adds_nothing_for_chats_already_served(database: Database) -> None:
    await add_chat(database, 1, topics=["sanctions"])
    await add_chat(database, 2, topics=["cne"])
    story_id = await add_story(database, title="OFAC sanciona a funcionarios", published_at=NOW,
                               topics={"sanctions": ("ofac",)})
    fan_out = FanOut(now=NOW)
    async with database.transaction() as session:
        assert await fan_out(session, await new_story_events(database, [story_id])) == 1
    # The second outlet's version also mentions the elections: chat 2 hears of the story for the first time.
    await add_story(database, title="Sanciones antes de las elecciones del CNE", published_at=NOW, feed="Tal Cual",
                    topics={"sanctions": ("sanciones",), "cne": ("cne",)}, story_id=story_id)
    joined = NewStory(story_id=story_id, title="Sanciones antes de las elecciones del CNE", summary="",
                      topics=(("sanctions", ("sanciones",)), ("cne", ("cne",))), is_new=False,
                      published_at=NOW)
    async with database.transaction() as session:
        assert await fan_out.on_new(session, [joined]) == 1
        assert [row.chat_id for row in await outbox.records(session, story_id=story_id)] == [1, 2]
    assert fan_out.enqueued == 2


async def test_keyword_alerts_are_loaded_once_per_cycle(database: Database) -> None:
    await add_chat(database, 1, alerts=["machado"])
    first = await add_story(database, title="Machado habla", published_at=NOW, topics={})
    second = await add_story(database, title="Machado vuelve a hablar", published_at=NOW, topics={})
    fan_out = FanOut(now=NOW)
    async with database.transaction() as session:
        assert await fan_out(session, await new_story_events(database, [first])) == 1
    await add_chat(database, 2, alerts=["machado"])  # added mid-cycle: seen from the next cycle on
    async with database.transaction() as session:
        assert await fan_out(session, await new_story_events(database, [second])) == 1
        assert await FanOut(now=NOW)(session, await new_story_events(database, [second])) == 1


async def test_the_hook_ingestion_is_built_with_reloads_keyword_alerts_once_a_minute(
        database: Database, clock: FakeClock) -> None:
    await add_chat(database, 1, alerts=["machado"])
    stories = [await add_story(database, title=f"Machado habla por {n}.a vez", published_at=NOW, topics={})
               for n in range(3)]
    hook = FanOutHook(clock)
    async with database.transaction() as session:
        assert await hook(session, await new_story_events(database, stories[:1])) == 1
    await add_chat(database, 2, alerts=["machado"])
    async with database.transaction() as session:
        assert await hook(session, await new_story_events(database, stories[1:2])) == 1  # same cycle
    clock.advance(minutes=1)
    async with database.transaction() as session:
        assert await hook(session, await new_story_events(database, stories[2:])) == 2  # reloaded
        [first] = await outbox.records(session, story_id=stories[0])
    assert first.not_before == NOW and hook.enqueued == 4
