"""Builds the async engine for SQLite (aiosqlite) or PostgreSQL (asyncpg) and hands out transactions.

A failure of the database itself (unreachable, locked, out of disk: SQLAlchemy's OperationalError and
InterfaceError) leaves a transaction as `errors.StorageError`, with the driver's own message; a statement
the database refuses (a constraint, a bug) keeps its own exception.

Commands go first (`CommandsFirst`): a command's transaction is opened with `serving=True`, and ingestion,
which shares the event loop and the interpreter's lock with it, waits at its pauses while one is open.
"""

from __future__ import annotations

import asyncio
import functools
import re
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, event, inspect, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, CursorResult, Result, make_url
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from errors import StorageError
from storage.tables import metadata

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_REVISION = re.compile(r"""^revision\s*=\s*["']([^"']+)["']""", re.MULTILINE)
_REVISES = re.compile(r"""^down_revision\s*=\s*["']([^"']+)["']""", re.MULTILINE)


def _alembic_config(connection: Connection) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _upgrade(connection: Connection, revision: str) -> None:
    """Run the migrations up to `revision`; at "head", a database already there is only read (Alembic and
    its templates, about a fifth of a second of imports, are not needed for that)."""
    if revision == "head" and head_revision() is not None and _stored_revisions(connection) == [head_revision()]:
        return
    from alembic import command

    command.upgrade(_alembic_config(connection), revision)


def _current(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


@functools.cache
def head_revision() -> str | None:
    """The newest migration, read from the migration files as Alembic would (the one revision no other
    revises); None when that is not exactly one (then Alembic itself decides)."""
    revisions: set[str] = set()
    revised: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        revision = _REVISION.search(source)
        if revision is None:
            return None
        revisions.add(revision.group(1))
        revised.update(_REVISES.findall(source))
    heads = revisions - revised
    return heads.pop() if len(heads) == 1 else None


def _stored_revisions(connection: Connection) -> list[str]:
    """What Alembic's version table says the database is at (nothing for a new database)."""
    if not inspect(connection).has_table("alembic_version"):
        return []
    return [row[0] for row in connection.execute(text("SELECT version_num FROM alembic_version"))]


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # FULL: a commit is on disk before the next message goes out. With NORMAL, WAL commits survive a crash
    # of the process but not of the machine (power, kernel, a file system gone read-only): the outbox rows
    # that said "sent" would be lost and the messages sent again. The sender commits its marks in groups,
    # so the extra fsync is paid once per group, not per message.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def upsert_into(session: AsyncSession, table: Table) -> postgresql.Insert | sqlite.Insert:
    """An INSERT into `table` that can say what to do on a conflict (both dialects spell it alike)."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def rows_changed(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE touched (`execute` types its result as a plain `Result`)."""
    assert isinstance(result, CursorResult), "only a statement without RETURNING counts its rows"
    return int(result.rowcount or 0)


_READ_ONLY = "centinela_read_only"


class ReadOnlyError(Exception):
    """A statement that writes ran in a read-only transaction: a bug (the write would be lost on SQLite)."""


def _refuse_writes(connection: Connection, _cursor: Any, statement: str, _parameters: Any, context: Any,
                   _executemany: bool) -> None:
    if connection.get_execution_options().get(_READ_ONLY) and (context.isinsert or context.isupdate
                                                              or context.isdelete):
        raise ReadOnlyError(f"a read-only transaction ran: {statement.split(None, 3)[:3]}")


class CommandsFirst:
    """Background work in the bot's process steps aside while a command is served.

    A command's transaction makes ~30 round trips between the event loop and the driver (aiosqlite's thread,
    or asyncpg's socket); each waits for whatever runs on the loop at that moment and, for aiosqlite, for the
    interpreter's lock, which a busy loop hands over only every 5 ms. During a first cycle ingestion keeps
    the loop busy (clustering, the bulk statements' parameters), so /latest took 150-250 ms at p95 instead
    of 5 ms. Ingestion calls `pause` between its slices of work: while a command is served it waits there
    (at most `most` seconds, so a stream of commands slows ingestion down but never stops it)."""

    def __init__(self) -> None:
        self._serving = 0
        self._waiting: set[asyncio.Future[None]] = set()

    @contextmanager
    def serving(self) -> Iterator[None]:
        """While this block runs, `pause` waits."""
        self._serving += 1
        try:
            yield
        finally:
            self._serving -= 1
            if not self._serving:
                waiting, self._waiting = self._waiting, set()
                for waiter in waiting:
                    if not waiter.done():
                        waiter.set_result(None)

    async def pause(self, most: float) -> None:
        """Return to the event loop; while a command is served, wait for it to end, up to `most` seconds."""
        if not self._serving:
            await asyncio.sleep(0)
            return
        waiter = asyncio.get_running_loop().create_future()
        self._waiting.add(waiter)
        try:
            await asyncio.wait_for(waiter, most)
        except TimeoutError:
            self._waiting.discard(waiter)  # gone already if the commands ended while it gave up


class Database:
    """The engine and its session factory. One per process, built by `bot.py` (or a test)."""

    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # A PostgreSQL connection can be dropped (a restart, an idle timeout): each checkout pings it. An SQLite
        # connection is a file opened in this process and cannot be, so it is not pinged: each ping cost a
        # command three round trips to aiosqlite's thread.
        self.engine: AsyncEngine = create_async_engine(url, pool_pre_ping=parsed.get_backend_name() != "sqlite")
        event.listen(self.engine.sync_engine, "before_cursor_execute", _refuse_writes)
        self._file: Path | None = None  # the SQLite file, and which file it was when the schema was checked
        self._identity: tuple[int, int] | None = None
        if parsed.get_backend_name() == "sqlite":
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
            if parsed.database and parsed.database != ":memory:":
                self._file = Path(parsed.database)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self.commands_first = CommandsFirst()

    def check_file(self) -> None:
        """Raise StorageError if the SQLite file was deleted or replaced since `upgrade`: the bot would
        otherwise go on writing, for days, into a file that is gone at the next restart."""
        if self._file is None or self._identity is None:
            return
        try:
            found = self._file.stat()
        except FileNotFoundError:
            raise StorageError(f"the database file {self._file} was deleted while the bot ran") from None
        if (found.st_dev, found.st_ino) != self._identity:
            raise StorageError(f"the database file {self._file} was replaced while the bot ran")

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    async def upgrade(self, revision: str = "head") -> None:
        """Create or upgrade the schema by running the Alembic migrations up to `revision`."""
        async with self.engine.begin() as connection:
            await connection.run_sync(_upgrade, revision)
        if self._file is not None:
            found = self._file.stat()
            self._identity = (found.st_dev, found.st_ino)

    async def revision(self) -> str | None:
        """The migration the database is at, or None for an empty database."""
        async with self.engine.connect() as connection:
            return await connection.run_sync(_current)

    async def create_schema(self) -> None:
        """The schema at the newest migration. Tables are never created any other way."""
        await self.upgrade("head")

    @asynccontextmanager
    async def transaction(self, *, serving: bool = False, read_only: bool = False) -> AsyncIterator[AsyncSession]:
        """One unit of work: committed when the block ends, rolled back if it raises. A failure of the
        database itself raises `StorageError`. `serving`: a command's, which background work waits for
        (`CommandsFirst`). `read_only`: the block only reads; a statement that writes raises
        `ReadOnlyError`. Nothing is committed: closing the session ends it (on SQLite one round trip to
        aiosqlite's thread instead of two, commit and the pool's rollback); on PostgreSQL its statements
        run without BEGIN and COMMIT (two round trips fewer), each seeing what was committed when it ran."""
        self.check_file()  # never write on into a new, empty file where the deleted one was
        try:
            with self.commands_first.serving() if serving else nullcontext():
                if read_only:
                    async with self._read_only_session() as session:
                        yield session
                else:
                    async with self._sessions() as session, session.begin():
                        yield session
        except (OperationalError, InterfaceError) as exc:
            cause = exc.orig if exc.orig is not None else exc
            raise StorageError(f"{type(cause).__name__}: {cause}".splitlines()[0]) from exc

    @asynccontextmanager
    async def _read_only_session(self) -> AsyncIterator[AsyncSession]:
        """A session on a connection whose transaction is ended by closing the connection: one rollback (the
        session's own close and the pool's check-in would each roll back otherwise)."""
        options: dict[str, Any] = {_READ_ONLY: True}
        if self.dialect == "postgresql":
            options["isolation_level"] = "AUTOCOMMIT"
        async with self.engine.connect() as connection:
            await connection.execution_options(**options)
            await connection.begin()
            async with AsyncSession(bind=connection, expire_on_commit=False) as session:
                yield session

    async def ping(self) -> None:
        async with self.transaction() as session:
            await session.execute(metadata.tables["chats"].select().limit(1))

    async def close(self) -> None:
        await self.engine.dispose()
