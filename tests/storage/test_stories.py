"""Stories as the read side sees them: sources in order, topics with the terms that fired, newest first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

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
