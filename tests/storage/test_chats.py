"""Chats as the commands see them: created once with defaults, settings changed one at a time, topics and
keyword alerts added and removed, the alert cap enforced, and /stop turning everything off."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
from sqlalchemy import insert, select

from model import ChatMode, DeliveryStatus
from storage import chats as chat_store
from storage.engine import Database, ReadOnlyError
from storage.tables import deliveries
from tests.support.builders import add_story

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


async def _new_chat(database: Database, chat_id: int = 100, **overrides: object):  # type: ignore[no-untyped-def]
    values = dict(chat_id=chat_id, type="private", title=None, language="es", timezone="America/Caracas",
                  digest_time=time(8, 0), now=NOW)
    values.update(overrides)
    async with database.transaction() as session:
        return await chat_store.get_or_create_chat(session, **values)  # type: ignore[arg-type]


async def test_first_contact_creates_the_chat_with_the_defaults_given(database: Database) -> None:
    chat = await _new_chat(database)
    assert (chat.id, chat.language, chat.timezone, chat.digest_time, chat.mode, chat.active) == (
        100, "es", "America/Caracas", time(8, 0), ChatMode.INSTANT, True)


async def test_a_known_chat_keeps_its_settings_on_the_next_contact(database: Database) -> None:
    await _new_chat(database)
    async with database.transaction() as session:
        await chat_store.update_chat(session, 100, now=NOW, language="en", timezone="Europe/Madrid")
    again = await _new_chat(database, language="es")
    assert (again.language, again.timezone) == ("en", "Europe/Madrid")


async def test_a_group_title_follows_telegram(database: Database) -> None:
    await _new_chat(database, chat_id=-5, type="group", title="Old")
    renamed = await _new_chat(database, chat_id=-5, type="supergroup", title="New")
    assert (renamed.title, renamed.type) == ("New", "supergroup")


@pytest.mark.parametrize(("changes", "expected"), [
    pytest.param({"digest_time": None}, {"digest_time": None}, id="none-turns-the-digest-off"),
    pytest.param({"digest_time": time(7, 30)}, {"digest_time": time(7, 30)}, id="digest-time-is-stored-as-hh-mm"),
    pytest.param({"mode": ChatMode.DIGEST}, {"mode": ChatMode.DIGEST}, id="mode"),
    pytest.param({"language": "en"}, {"language": "en"}, id="language"),
    pytest.param({}, {"digest_time": time(8, 0), "language": "es"}, id="nothing-given-nothing-changed"),
])
async def test_update_changes_only_what_is_given(database: Database, changes: dict, expected: dict) -> None:  # type: ignore[type-arg]
    await _new_chat(database)
    async with database.transaction() as session:
        chat = await chat_store.update_chat(session, 100, now=NOW, **changes)
    assert {key: getattr(chat, key) for key in expected} == expected


async def test_subscribe_reports_only_new_topics_and_unsubscribe_only_followed_ones(database: Database) -> None:
    await _new_chat(database)
    async with database.transaction() as session:
        assert await chat_store.subscribe(session, 100, ["sanctions", "cne"], now=NOW) == ("sanctions", "cne")
        assert await chat_store.subscribe(session, 100, ["cne", "protests", "protests"], now=NOW) == ("protests",)
        assert await chat_store.chat_topics(session, 100) == ("cne", "protests", "sanctions")
        assert await chat_store.unsubscribe(session, 100, ["cne", "dialogue"]) == ("cne",)
        assert await chat_store.unsubscribe(session, 100, None) == ("protests", "sanctions")
        assert await chat_store.chat_topics(session, 100) == ()


async def test_a_chat_reads_with_the_topics_it_follows_and_a_read_only_transaction_refuses_writes(
        database: Database) -> None:
    await _new_chat(database)
    async with database.transaction() as session:
        await chat_store.subscribe(session, 100, ["sanctions", "cne"], now=NOW)
    async with database.transaction(read_only=True) as session:
        chat, followed = await chat_store.chat_with_topics(session, 100)
        assert (chat.id if chat else None, followed) == (100, ("cne", "sanctions"))
        assert await chat_store.chat_with_topics(session, 101) == (None, ())
    with pytest.raises(ReadOnlyError):
        async with database.transaction(read_only=True) as session:
            await chat_store.unsubscribe(session, 100, None)
    async with database.transaction() as session:
        assert await chat_store.chat_topics(session, 100) == ("cne", "sanctions")


async def test_toggle_follows_then_unfollows(database: Database) -> None:
    await _new_chat(database)
    async with database.transaction() as session:
        assert await chat_store.toggle_topic(session, 100, "cne", now=NOW) is True
        assert await chat_store.toggle_topic(session, 100, "cne", now=NOW) is False
        assert await chat_store.chat_topics(session, 100) == ()


async def test_alerts_are_capped_per_chat_and_duplicates_are_reported(database: Database) -> None:
    await _new_chat(database)
    await _new_chat(database, chat_id=200)
    async with database.transaction() as session:
        for index in range(3):
            added = await chat_store.add_alert(session, 100, f"word{index}", now=NOW, limit=3)
            assert added.outcome is chat_store.AlertOutcome.ADDED
        duplicate = await chat_store.add_alert(session, 100, "word1", now=NOW, limit=3)
        full = await chat_store.add_alert(session, 100, "another", now=NOW, limit=3)
        other_chat = await chat_store.add_alert(session, 200, "another", now=NOW, limit=3)
        assert duplicate.outcome is chat_store.AlertOutcome.DUPLICATE and duplicate.alert is not None
        assert duplicate.alert.phrase == "word1"
        assert (full.outcome, full.alert) == (chat_store.AlertOutcome.FULL, None)
        assert other_chat.outcome is chat_store.AlertOutcome.ADDED
        assert await chat_store.count_alerts(session, 100) == 3


async def test_alerts_are_removed_by_their_listed_number_or_by_phrase(database: Database) -> None:
    await _new_chat(database)
    async with database.transaction() as session:
        for phrase in ("uno", "dos", "tres"):
            await chat_store.add_alert(session, 100, phrase, now=NOW, limit=20)
        removed = await chat_store.remove_alert(session, 100, number=2)
        assert removed is not None and removed.phrase == "dos"
        assert await chat_store.remove_alert(session, 100, number=3) is None
        assert await chat_store.remove_alert(session, 100, phrases=["cuatro"]) is None
        by_phrase = await chat_store.remove_alert(session, 100, phrases=["nada", "tres"])
        assert by_phrase is not None and by_phrase.phrase == "tres"
        assert [alert.phrase for alert in await chat_store.list_alerts(session, 100)] == ["uno"]


async def test_stop_turns_everything_off_and_reactivation_starts_afresh(database: Database) -> None:
    await _new_chat(database)
    story = await add_story(database, title="Sanciones", published_at=NOW, topics={"sanctions": ("sanciones",)})
    async with database.transaction() as session:
        await chat_store.subscribe(session, 100, ["sanctions"], now=NOW)
        await chat_store.add_alert(session, 100, "maduro", now=NOW, limit=20)
        await chat_store.update_chat(session, 100, now=NOW, mode=ChatMode.DIGEST, timezone="Europe/Madrid")
        await session.execute(insert(deliveries).values(chat_id=100, story_id=story, kind="topic", reason="sanctions",
                                                        status="pending", not_before=NOW, created_at=NOW))
        stopped = await chat_store.stop_chat(session, 100, now=NOW)
        assert (stopped.active, stopped.digest_time) == (False, None)
        assert await chat_store.chat_topics(session, 100) == ()
        assert await chat_store.list_alerts(session, 100) == []
        statuses = (await session.execute(select(deliveries.c.status))).scalars().all()
        assert statuses == [DeliveryStatus.CANCELLED.value]

    still_stopped = await _new_chat(database)
    assert still_stopped.active is False
    back = await _new_chat(database, reactivate=True)
    assert (back.active, back.digest_time, back.timezone) == (True, time(8, 0), "Europe/Madrid")
