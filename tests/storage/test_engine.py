"""The database layer's own failures: a database that cannot be reached is a StorageError, which ingestion
records as the feed's `storage` error; a statement the database refuses keeps its own exception."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from errors import StorageError
from storage.engine import Database
from storage.tables import chats


async def test_a_database_that_cannot_be_opened_is_a_storage_error(tmp_path: Path) -> None:
    database = Database(f"sqlite+aiosqlite:///{tmp_path}")  # a directory, not a database file
    try:
        with pytest.raises(StorageError, match="OperationalError"):
            async with database.transaction() as session:
                await session.execute(text("SELECT 1"))
    finally:
        await database.close()
        await asyncio.sleep(0.2)  # aiosqlite's thread of the failed connection reports back to this loop


async def test_a_refused_statement_is_not_a_storage_error(database: Database) -> None:
    row = {"id": 1, "type": "private", "language": "es", "timezone": "America/Caracas", "mode": "instant",
           "active": True, "origin": "user"}
    with pytest.raises(IntegrityError):
        async with database.transaction() as session:
            await session.execute(chats.insert(), [row, row])
