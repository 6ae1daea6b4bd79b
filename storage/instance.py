"""One active bot per database: the database itself says which process that is.

Two processes sending from one outbox would each send every alert. So `bot.py run` holds a lock that the
database system releases by itself when its holder dies, however it dies (SIGKILL, the OOM killer, a lost
machine's TCP connection timing out):
- PostgreSQL: a session-level advisory lock, held by a connection of its own for the life of the process;
- SQLite: an exclusive `flock` on `<database file>.lock` beside the database file.

A second process either says so and stops, or (standby) waits and takes over within `STANDBY_POLL` of the
lock being released.
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

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from errors import AnotherInstance

log = logging.getLogger(__name__)

STANDBY_POLL = 1.0  # seconds between a standby's attempts
# The advisory lock's key: the same for every Centinela on a PostgreSQL database, unlikely to be another's.
LOCK_KEY = int.from_bytes(hashlib.sha256(b"centinela: the active bot").digest()[:8], "big", signed=True)


@contextlib.asynccontextmanager
async def active_instance(url: str, *, standby: bool = False) -> AsyncIterator[None]:
    """Hold the database's "active bot" lock for the duration of the block. Raises AnotherInstance when
    another process holds it, unless `standby`: then wait for it to be released."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            yield  # a database of this process alone
            return
        async with _file_lock(Path(parsed.database).with_name(Path(parsed.database).name + ".lock"),
                              standby=standby):
            yield
    else:
        async with _advisory_lock(url, standby=standby):
            yield


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


@contextlib.asynccontextmanager
async def _advisory_lock(url: str, *, standby: bool) -> AsyncIterator[None]:
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:

            async def try_lock() -> bool:
                taken = bool((await connection.execute(text("SELECT pg_try_advisory_lock(:key)"),
                                                       {"key": LOCK_KEY})).scalar_one())
                await connection.commit()  # the lock is the session's: no transaction stays open
                return taken

            await _take(try_lock, standby=standby, where=make_url(url).render_as_string(hide_password=True))
            yield
    finally:
        await engine.dispose()  # the session ends, and with it the lock


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
