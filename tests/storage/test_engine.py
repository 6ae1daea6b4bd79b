"""The database layer's own failures: a database that cannot be reached is a StorageError, which ingestion
records as the feed's `storage` error; a statement the database refuses keeps its own exception."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from errors import StorageError
from storage.engine import CommandsFirst, Database
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


@pytest.mark.parametrize(("serving", "order"), [
    (True, ["the transaction ends", "ingestion goes on"]),  # a command's: ingestion waits for it
    (False, ["ingestion goes on", "the transaction ends"]),  # the sender's, a job's: ingestion does not wait
], ids=["a command's transaction", "a background transaction"])
async def test_ingestion_waits_at_its_pause_only_while_a_command_is_being_served(
        database: Database, serving: bool, order: list[str]) -> None:
    happened: list[str] = []

    async def ingestion() -> None:
        await database.commands_first.pause(most=60)
        happened.append("ingestion goes on")

    async with database.transaction(serving=serving) as session:
        waiting = asyncio.create_task(ingestion())
        await session.execute(text("SELECT 1"))
        for _ in range(10):
            await asyncio.sleep(0)
        happened.append("the transaction ends")
    await waiting
    assert happened == order


async def test_a_stream_of_commands_slows_ingestion_but_never_stops_it(database: Database) -> None:
    async with database.transaction(serving=True):
        # returns, though the command is still being served (the bound only makes a failure visible)
        await asyncio.wait_for(database.commands_first.pause(most=0), 10)
        async with database.transaction(serving=True):
            await asyncio.wait_for(database.commands_first.pause(most=0), 10)


async def test_a_pause_that_gives_up_as_the_command_ends_goes_on_quietly() -> None:
    commands = CommandsFirst()
    with commands.serving():
        pausing = asyncio.create_task(commands.pause(most=0))
        await asyncio.sleep(0)  # the pause is waiting, and gives up, while the command ends
    await asyncio.wait_for(pausing, 10)
