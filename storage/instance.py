"""One active bot per database: the database itself says which process that is.

Two processes sending from one outbox would each send every alert. So `bot.py run` holds a lock that the
database system releases by itself when its holder dies, however it dies (SIGKILL, the OOM killer, a lost
machine's TCP connection timing out):
- PostgreSQL: a session-level advisory lock, held by a connection of its own for the life of the process;
- SQLite: an exclusive `flock` on `<database file>.lock` beside the database file.

A second process either says so and stops, or (standby) waits and takes over within `STANDBY_POLL` of the
lock being released.

A PostgreSQL lock lives as long as its session, and a server restart or a dropped connection ends the session
without telling the holder. So the holder confirms the lock (`ActiveLock.confirm`) before every send round:
while the database is unreachable it is not active and sends nothing; when the database is back it takes the
lock again, or, if a standby took it meanwhile, learns that it has been superseded and stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

from errors import AnotherInstance

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)

STANDBY_POLL = 1.0  # seconds between a standby's attempts
CONFIRM_TIMEOUT = 5.0  # seconds a confirmation may take before the database counts as unreachable
# The advisory lock's key: the same for every Centinela on a PostgreSQL database, unlikely to be another's.
LOCK_KEY = int.from_bytes(hashlib.sha256(b"centinela: the active bot").digest()[:8], "big", signed=True)


class ActiveLock:
    """The lock this process holds. `confirm` says whether it still does: always for the file lock, which
    lives as long as the process; for PostgreSQL's, as long as the session that took it."""

    superseded = False  # True once another process holds the lock this one lost

    async def confirm(self) -> bool:
        return True


@contextlib.asynccontextmanager
async def active_instance(url: str, *, standby: bool = False) -> AsyncIterator[ActiveLock]:
    """Hold the database's "active bot" lock for the duration of the block. Raises AnotherInstance when
    another process holds it, unless `standby`: then wait for it to be released."""
    if url.partition("://")[0].split("+")[0] == "sqlite":
        database = sqlite_file(url)
        if database is None:
            yield ActiveLock()  # a database of this process alone
            return
        async with _file_lock(database.with_name(database.name + ".lock"), standby=standby):
            yield ActiveLock()
    else:
        lock = _AdvisoryLock(url)
        try:
            await _take(lock.try_take, standby=standby, where=lock.where)
            yield lock
        finally:
            await lock.release()


def sqlite_file(url: str) -> Path | None:
    """The file of an SQLite URL (`sqlite+aiosqlite:///relative/path`, `...:////absolute/path`), None for an
    in-memory database. Parsed here, not by SQLAlchemy: importing it takes longer than the rest of `run`'s start,
    and the lock comes before the first poll."""
    database = url.partition("://")[2].partition("?")[0].removeprefix("/")
    return Path(database) if database and database != ":memory:" else None


@contextlib.asynccontextmanager
async def _file_lock(path: Path, *, standby: bool) -> AsyncIterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)

    async def try_lock() -> bool:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    try:
        await _take(try_lock, standby=standby, where=str(path))
        os.ftruncate(descriptor, 0)
        os.write(descriptor, f"{os.getpid()}\n".encode())  # who holds it, for an operator's eyes
        yield
    finally:
        os.close(descriptor)  # closing the file releases the lock


class _AdvisoryLock(ActiveLock):
    """A session-level advisory lock, on a connection of its own (not the pool's)."""

    def __init__(self, url: str) -> None:
        from sqlalchemy.engine import make_url
        from sqlalchemy.ext.asyncio import create_async_engine
        from sqlalchemy.pool import NullPool

        self.where = make_url(url).render_as_string(hide_password=True)
        self._engine: AsyncEngine = create_async_engine(url, poolclass=NullPool)
        self._connection: AsyncConnection | None = None
        self._told_unreachable = False
        self._confirming = asyncio.Lock()  # the send round and the watch job may ask at the same moment

    async def try_take(self) -> bool:
        from sqlalchemy import text

        if self._connection is None:
            self._connection = await self._engine.connect()
        taken = bool((await self._connection.execute(text("SELECT pg_try_advisory_lock(:key)"),
                                                     {"key": LOCK_KEY})).scalar_one())
        await self._connection.commit()  # the lock is the session's: no transaction stays open
        return taken

    async def confirm(self) -> bool:
        """True while this process holds the lock: its session answers, or, when that session was lost, the
        lock could be taken again. False while the database cannot be reached, and for good once another
        process has taken the lock (`superseded`)."""
        async with self._confirming:
            return await self._confirm()

    async def _confirm(self) -> bool:
        from sqlalchemy import text
        from sqlalchemy.exc import SQLAlchemyError

        if self.superseded:
            return False
        try:
            async with asyncio.timeout(CONFIRM_TIMEOUT):
                if self._connection is not None:
                    try:
                        await self._connection.execute(text("SELECT 1"))
                        await self._connection.commit()
                        return True
                    except (OSError, SQLAlchemyError) as exc:
                        log.warning("the database session holding the active-instance lock was lost (%s); "
                                    "nothing is sent until the lock is held again", type(exc).__name__)
                        await self._drop_connection()
                taken = await self.try_take()
        except (OSError, SQLAlchemyError, TimeoutError) as exc:
            await self._drop_connection()
            if not self._told_unreachable:
                log.warning("the database cannot be reached to take the active-instance lock again (%s)",
                            type(exc).__name__)
                self._told_unreachable = True
            return False
        self._told_unreachable = False
        if not taken:
            self.superseded = True
            return False
        log.warning("the active-instance lock is held again: sending resumes")
        return True

    async def _drop_connection(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.invalidate()

    async def release(self) -> None:
        await self._drop_connection()
        await self._engine.dispose()  # the session ends, and with it the lock


async def _take(attempt: Callable[[], Awaitable[bool]], *, standby: bool, where: str) -> None:
    told = False
    while not await attempt():
        if not standby:
            raise AnotherInstance(where)
        if not told:
            log.warning("standing by: another instance is active on this database (%s)", where)
            told = True
        await asyncio.sleep(STANDBY_POLL)
    if told:
        log.warning("the active instance is gone: this one takes over")
