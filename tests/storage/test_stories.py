"""Stories as the read side sees them: sources in order, topics with the terms that fired, newest first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from model import FeedSpec, Item, NewItem, Scope
from storage import feeds as feed_store
from storage import stories as story_store
from storage.engine import Database
from tests.support.builders import add_story

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


async def test_a_second_outlet_joins_the_story_and_is_listed_as_a_source(database: Database) -> None:
    story = await add_story(database, title="OFAC sanciona a funcionarios", published_at=T0,
                            topics={"sanctions": ("ofac", "sanciona")}, feed="El Pitazo")
    joined = await add_story(database, title="EE.UU. sanciona a funcionarios venezolanos", published_at=T0,
                             topics={"sanctions": ("sanciona",)}, feed="Efecto Cocuyo", story_id=story)
    assert joined == story
    async with database.transaction() as session:
        found = await story_store.stories_by_id(session, [story])
    loaded = found[story]
    assert [source.feed_name for source in loaded.sources] == ["El Pitazo", "Efecto Cocuyo"]
    assert loaded.topics == ("sanctions",)
    assert loaded.matched_terms == (("sanctions", ("ofac", "sanciona")),)
    assert loaded.published_at == T0 and loaded.published_at.tzinfo is not None


async def test_latest_lists_newest_first_only_in_the_asked_topics(database: Database) -> None:
    for hours, (title, topic) in enumerate([("CNE fija fecha", "cne"), ("Marcha en Caracas", "protests"),
                                            ("Nuevas sanciones", "sanctions"), ("CNE audita", "cne")]):
        await add_story(database, title=title, published_at=T0 + timedelta(hours=hours), topics={topic: (topic,)})
    async with database.transaction() as session:
        latest = await story_store.latest_stories(session, ["cne", "sanctions"], 2)
        everything = await story_store.latest_stories(session, ["cne"], 10)
    assert [story.title for story in latest] == ["CNE audita", "Nuevas sanciones"]
    assert [story.title for story in everything] == ["CNE audita", "CNE fija fecha"]


async def test_a_guid_already_stored_for_a_feed_is_reported(database: Database) -> None:
    await add_story(database, title="Uno", published_at=T0, topics={}, link="https://elpitazo.example/uno")
    async with database.transaction() as session:
        assert await story_store.stored_guids(session, 1, ["https://elpitazo.example/uno", "otro"]) == {
            "https://elpitazo.example/uno"}


def item(guid: str, title: str, *, fetched_at: datetime = T0) -> Item:
    return Item(guid=guid, link=f"https://outlet.example/{guid}", title=title, summary="", language="es",
                published_at=T0, fetched_at=fetched_at, content_hash=guid)


async def test_a_batch_starts_and_joins_stories_and_only_inserted_items_are_returned(database: Database) -> None:
    async with database.transaction() as session:
        feed_id = await feed_store.ensure_feed(session, FeedSpec("https://outlet.example/feed", "Outlet",
                                                                 Scope.VENEZUELA), now=T0)
        stored = await story_store.add_items(session, [
            NewItem(feed_id, item("a", "CNE fija fecha"), "cne fija fecha", (("cne", ("cne",)),)),
            NewItem(feed_id, item("b", "CNE fija la fecha"), "cne fija fecha", joins=0),
            NewItem(feed_id, item("c", "Marcha en Caracas"), "marcha caraca", (("protests", ("marcha",)),)),
        ])
        assert [(s.guid, s.started_story) for s in stored] == [("a", True), ("b", False), ("c", True)]
        assert stored[0].story_id == stored[1].story_id != stored[2].story_id
        again = await story_store.add_items(session, [
            NewItem(feed_id, item("a", "CNE fija fecha"), "cne fija fecha"),
            NewItem(feed_id, item("d", "Marcha en Caracas (video)"), "marcha caraca video",
                    story_id=stored[2].story_id),
        ])
        assert [(s.guid, s.story_id) for s in again] == [("d", stored[2].story_id)]
        found = await story_store.stories_by_id(session, [stored[0].story_id, stored[2].story_id])
        keys = await story_store.recent_story_keys(session, T0)
    assert len(found[stored[0].story_id].sources) == 2 and found[stored[0].story_id].topics == ("cne",)
    assert len(found[stored[2].story_id].sources) == 2
    assert len(keys) == 2, "the re-sent item started no story of its own"


async def test_a_join_must_point_to_an_earlier_item_that_starts_a_story(database: Database) -> None:
    async with database.transaction() as session:
        feed_id = await feed_store.ensure_feed(session, FeedSpec("https://outlet.example/feed", "Outlet",
                                                                 Scope.VENEZUELA), now=T0)
        with pytest.raises(ValueError, match="joins"):
            await story_store.add_items(session, [NewItem(feed_id, item("a", "x"), "x", joins=1),
                                                  NewItem(feed_id, item("b", "y"), "y")])


async def test_one_batch_can_hold_several_feeds_and_the_same_guid_in_two_feeds(database: Database) -> None:
    async with database.transaction() as session:
        first = await feed_store.ensure_feed(session, FeedSpec("https://a.example/feed", "A", Scope.VENEZUELA), now=T0)
        second = await feed_store.ensure_feed(session, FeedSpec("https://b.example/feed", "B", Scope.WORLD), now=T0)
        stored = await story_store.add_items(session, [
            NewItem(first, item("same", "Uno"), "uno"),
            NewItem(second, item("same", "Uno"), "uno", joins=0),
            NewItem(second, item("other", "Dos"), "dos"),
        ])
        assert [(s.feed_id, s.guid, s.started_story) for s in stored] == [
            (first, "same", True), (second, "same", False), (second, "other", True)]
        assert await story_store.stored_guid_pairs(session, {first: ["same", "other"], second: ["same"]}) == {
            (first, "same"), (second, "same")}
        found = await story_store.stories_by_id(session, [stored[0].story_id])
    assert [source.feed_name for source in found[stored[0].story_id].sources] == ["A", "B"]
