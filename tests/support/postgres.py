"""A fresh PostgreSQL database per test, when CENTINELA_TEST_POSTGRES_URL names a server (see .ci/run)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

ENV = "CENTINELA_TEST_POSTGRES_URL"


def server_url() -> str | None:
    return os.environ.get(ENV) or None


@asynccontextmanager
async def fresh_database(admin_url: str) -> AsyncIterator[str]:
    """Create an empty database on the server, yield its URL, and drop it afterwards."""
    name = f"centinela_test_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()
