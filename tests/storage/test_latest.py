"""`latest_stories` ranks stories by their newest item in the asked topics, each story once, however many
items it has and however many of the asked topics it is in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage import stories as story_store
from storage.engine import Database
from tests.support.builders import add_story

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


async def _titles(database: Database, topics: list[str], limit: int, since: datetime | None = None) -> list[str]:
    async with database.transaction() as session:
        return [story.title for story in await story_store.latest_stories(session, topics, limit, since=since)]


async def test_a_story_in_two_asked_topics_is_listed_once(database: Database) -> None:
    await add_story(database, title="Both", published_at=T0, topics={"cne": ("cne",), "sanctions": ("ofac",)})
    await add_story(database, title="Older", published_at=T0 - timedelta(hours=1), topics={"cne": ("cne",)})
    assert await _titles(database, ["cne", "sanctions"], 5) == ["Both", "Older"]


async def test_a_story_ranks_by_its_newest_item(database: Database) -> None:
    early = await add_story(database, title="Early story", published_at=T0 - timedelta(hours=5),
                            topics={"cne": ("cne",)})
    await add_story(database, title="Middle story", published_at=T0 - timedelta(hours=2), topics={"cne": ("cne",)})
    await add_story(database, title="Late report of the early story", published_at=T0, topics={"cne": ("cne",)},
                    feed="Runrunes", story_id=early)
    assert await _titles(database, ["cne"], 5) == ["Early story", "Middle story"]


async def test_a_story_with_many_items_does_not_hide_the_others(database: Database) -> None:
    busy = await add_story(database, title="Busy", published_at=T0, topics={"cne": ("cne",)})
    for n in range(12):  # more rows than the first window of four per story asked for
        await add_story(database, title=f"Busy again {n}", published_at=T0 - timedelta(minutes=n),
                        topics={"cne": ("cne",)}, feed=f"Outlet {n}", story_id=busy)
    for n in range(3):
        await add_story(database, title=f"Quiet {n}", published_at=T0 - timedelta(days=1, hours=n),
                        topics={"cne": ("cne",)})
    assert await _titles(database, ["cne"], 3) == ["Busy", "Quiet 0", "Quiet 1"]


async def test_equal_times_rank_the_newer_story_first(database: Database) -> None:
    for title in ("First stored", "Second stored"):
        await add_story(database, title=title, published_at=T0, topics={"protests": ("marcha",)})
    assert await _titles(database, ["protests"], 2) == ["Second stored", "First stored"]


async def test_since_leaves_out_older_stories(database: Database) -> None:
    await add_story(database, title="New", published_at=T0, topics={"cne": ("cne",)})
    await add_story(database, title="Old", published_at=T0 - timedelta(days=2), topics={"cne": ("cne",)})
    assert await _titles(database, ["cne"], 5, since=T0 - timedelta(days=1)) == ["New"]


async def test_fewer_stories_than_asked_for_returns_what_there_is(database: Database) -> None:
    await add_story(database, title="Only", published_at=T0, topics={"dialogue": ("dialogo",)})
    assert await _titles(database, ["dialogue", "cne"], 20) == ["Only"]
    assert await _titles(database, [], 20) == []
