"""Builds the async engine for SQLite (aiosqlite) or PostgreSQL (asyncpg) and hands out transactions.

A failure of the database itself (unreachable, locked, out of disk: SQLAlchemy's OperationalError and
InterfaceError) leaves a transaction as `errors.StorageError`, with the driver's own message; a statement
the database refuses (a constraint, a bug) keeps its own exception.
"""

from __future__ import annotations

import functools
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
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


class Database:
    """The engine and its session factory. One per process, built by `bot.py` (or a test)."""

    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        self.engine: AsyncEngine = create_async_engine(url, pool_pre_ping=True)
        self._file: Path | None = None  # the SQLite file, and which file it was when the schema was checked
        self._identity: tuple[int, int] | None = None
        if parsed.get_backend_name() == "sqlite":
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
            if parsed.database and parsed.database != ":memory:":
                self._file = Path(parsed.database)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)

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
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One unit of work: committed when the block ends, rolled back if it raises. A failure of the
        database itself raises `StorageError`."""
        self.check_file()  # never write on into a new, empty file where the deleted one was
        try:
            async with self._sessions() as session, session.begin():
                yield session
        except (OperationalError, InterfaceError) as exc:
            cause = exc.orig if exc.orig is not None else exc
            raise StorageError(f"{type(cause).__name__}: {cause}".splitlines()[0]) from exc

    async def ping(self) -> None:
        async with self.transaction() as session:
            await session.execute(metadata.tables["chats"].select().limit(1))

    async def close(self) -> None:
        await self.engine.dispose()
