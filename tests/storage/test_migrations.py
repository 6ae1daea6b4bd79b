"""The schema exists only through Alembic migrations, the newest migration matches storage/tables.py, and
rows written at the first migration are all there, readable by the bot, after upgrading to the newest."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, MetaData, insert, select
from sqlalchemy.exc import IntegrityError

from model import FeedOrigin, FeedSpec, Scope
from storage import chats, engine
from storage import feeds as feed_store
from storage.engine import MIGRATIONS, Database
from storage.tables import metadata


def head_revision() -> str:
    return ScriptDirectory(str(MIGRATIONS)).get_current_head() or ""


def differences(connection: Connection) -> list[object]:
    return compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), metadata)


async def test_the_newest_migration_builds_exactly_the_declared_schema(database_url: str) -> None:
    database = Database(database_url)
    try:
        assert await database.revision() is None
        await database.upgrade()
        assert await database.revision() == head_revision()
        async with database.engine.connect() as connection:
            assert await connection.run_sync(differences) == []
    finally:
        await database.close()


def test_the_head_read_from_the_migration_files_is_alembics() -> None:
    # `upgrade` skips Alembic for a database already at this revision: it must be the one Alembic would reach.
    assert engine.head_revision() == head_revision()


async def test_upgrading_twice_is_harmless(database_url: str) -> None:
    database = Database(database_url)
    try:
        await database.upgrade()
        await database.upgrade()
        assert await database.revision() == head_revision()
    finally:
        await database.close()


# --------------------------------------------------------------------------------------------------
# Data survives upgrades: a database made at the first migration, filled, then upgraded to the newest.

T = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
CHAT = -1001234567890  # a supergroup id: more than 32 bits


def _fill_first_schema(connection: Connection) -> dict[str, list[dict[str, Any]]]:
    """One row in every table of revision 0001 (two stories and items, three deliveries), written through
    the tables as that revision made them (reflected, not storage/tables.py). Returns what was written,
    with the ids the database gave."""
    schema = MetaData()
    schema.reflect(connection)
    written: dict[str, list[dict[str, Any]]] = {}

    def put(table: str, **row: Any) -> Any:
        result = connection.execute(insert(schema.tables[table]).values(**row))
        key = result.inserted_primary_key
        if table in ("feeds", "stories", "items", "keyword_alerts", "deliveries"):
            row = {"id": key[0], **row}
        written.setdefault(table, []).append(row)
        return key[0]

    put("chats", id=CHAT, type="supergroup", title="Grupo «Vzla» & co", language="es", timezone="America/Caracas",
        digest_time="07:30", mode="instant", active=True, origin="user", last_digest_at=T - timedelta(days=1),
        created_at=T, updated_at=T)
    feed = put("feeds", url="https://efectococuyo.com/feed/", name="Efecto Cocuyo", scope="venezuela", language="es",
               origin="admin", active=True, etag='"e1"', last_modified="Mon, 23 Nov 2026 11:00:00 GMT",
               body_hash="a" * 64, last_fetched_at=T, last_success_at=T, last_error_at=None, last_error_kind=None,
               last_error_detail=None, consecutive_failures=0, next_fetch_at=T + timedelta(minutes=15),
               created_at=T)
    stories = [put("stories", title=title, title_key=title.lower(), link=f"https://efectococuyo.com/{n}",
                   published_at=T - timedelta(hours=n), first_seen_at=T, source_count=1)
               for n, title in enumerate(("OFAC sanciona a funcionarios", "El CNE fija la fecha"), start=1)]
    items = [put("items", feed_id=feed, guid=f"guid-{n}", story_id=story, link=f"https://efectococuyo.com/{n}",
                 title=f"Título {n}", summary="Resumen", language="es", published_at=T - timedelta(hours=n),
                 fetched_at=T, content_hash=str(n) * 64)
             for n, story in enumerate(stories, start=1)]
    put("item_topics", item_id=items[0], topic="sanctions", story_id=stories[0], published_at=T - timedelta(hours=1),
        terms="ofac|sanciona")
    put("subscriptions", chat_id=CHAT, topic="sanctions", created_at=T)
    put("keyword_alerts", chat_id=CHAT, phrase='"edmundo gonzalez" -futbol', created_at=T)
    for story, kind, status in ((stories[0], "topic", "sent"), (stories[0], "keyword", "pending"),
                                (stories[1], "keyword", "pending")):
        put("deliveries", chat_id=CHAT, story_id=story, kind=kind, reason=kind, status=status, attempts=1,
            not_before=T, created_at=T, sent_at=T if status == "sent" else None, last_error=None)
    assert set(written) == set(schema.tables) - {"alembic_version"}, "a row in every table of 0001"
    return written


def _read(connection: Connection, names: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Every row of the named tables through storage/tables.py, as the bot reads them (aware UTC times)."""
    return {name: [dict(row._mapping) for row in connection.execute(select(metadata.tables[name]))]
            for name in names}


def _key(row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(sorted((name, str(value)) for name, value in row.items()))


async def test_every_row_stored_at_the_first_migration_is_there_after_upgrading_to_head(database_url: str) -> None:
    database = Database(database_url)
    try:
        await database.upgrade("0001")
        async with database.engine.begin() as connection:
            written = await connection.run_sync(_fill_first_schema)
        await database.upgrade()
        assert await database.revision() == head_revision()
        async with database.engine.connect() as connection:
            found = await connection.run_sync(_read, list(written))
        # 0002 keys deliveries by chat and story: of the two rows for the first story it keeps the older.
        first_story = written["stories"][0]["id"]
        kept = [row for row in written["deliveries"] if (row["story_id"], row["kind"]) != (first_story, "keyword")]
        assert [(row["story_id"], row["kind"]) for row in kept] == [(first_story, "topic"),
                                                                   (written["stories"][1]["id"], "keyword")]
        for name, rows in written.items():
            expected = kept if name == "deliveries" else rows
            if name == "items":  # 0003 adds the outlet an aggregator credits: none for older items
                expected = [{**row, "outlet": None} for row in rows]
            if name == "chats":  # 0006 adds quiet hours: none for older chats
                expected = [{**row, "quiet_start": None, "quiet_end": None, "quiet_silent": False} for row in rows]
            if name == "keyword_alerts":  # 0006 adds the typed form: older alerts show their canonical one
                expected = [{**row, "typed": None} for row in rows]
            assert sorted(map(_key, found[name])) == sorted(map(_key, expected)), name

        async with database.transaction() as session:  # the bot reads them as its own
            chat = await chats.get_chat(session, CHAT)
            assert chat is not None and chat.title == "Grupo «Vzla» & co" and chat.digest_time == time(7, 30)
            assert await chats.chat_topics(session, CHAT) == ("sanctions",)
            assert [alert.phrase for alert in await chats.list_alerts(session, CHAT)] == ['"edmundo gonzalez" -futbol']
            [feed] = await feed_store.feed_statuses(session)
            assert (feed.name, feed.origin, feed.last_success_at) == ("Efecto Cocuyo", FeedOrigin.ADMIN, T)
            # New rows still get fresh ids after the upgrade (PostgreSQL's sequences, SQLite's rebuilt tables).
            added, _ = await feed_store.add_admin_feed(
                session, FeedSpec(url="https://runrun.es/feed/", name="Runrunes", scope=Scope.VENEZUELA), now=T)
            assert added.id != feed.id
        with pytest.raises(IntegrityError):  # the new key: one delivery per chat and story, whatever its kind
            async with database.engine.begin() as connection:
                await connection.execute(insert(metadata.tables["deliveries"]).values(
                    chat_id=CHAT, story_id=written["stories"][1]["id"], kind="topic", reason="", status="pending",
                    attempts=0, not_before=T, created_at=T))
    finally:
        await database.close()
