"""Alembic's environment: runs migrations on the connection that `storage.engine` hands it.

Run through `Database.upgrade()` (`python bot.py db upgrade`, and `run` on start); it is not meant to be
pointed at a database by an alembic.ini of its own.
"""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext

from storage.tables import UtcDateTime, metadata


def _render_item(kind: str, item: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Write our UTC column type as the plain DateTime it is in the database, so that a migration
    never imports application code that may change after it was written."""
    if kind == "type" and isinstance(item, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
    compare_type=True,
    render_item=_render_item,
)
with context.begin_transaction():
    context.run_migrations()
