"""The schema exists only through Alembic migrations, and the newest migration matches storage/tables.py."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

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


async def test_upgrading_twice_is_harmless(database_url: str) -> None:
    database = Database(database_url)
    try:
        await database.upgrade()
        await database.upgrade()
        assert await database.revision() == head_revision()
    finally:
        await database.close()
