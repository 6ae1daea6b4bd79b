"""Quiet hours per chat, and keyword alerts remember how they were typed.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 01:00:00

`chats.quiet_start` / `quiet_end` ("HH:MM" local time, both NULL: no quiet hours) and `quiet_silent` (alerts in
the window go out at once without a sound instead of being held). `keyword_alerts.typed` is the phrase as the
user wrote it, which the bot shows back; `phrase` stays the canonical form that is matched and kept unique.
Older alerts have no typed form and are shown in their canonical one.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN, not a batch: rebuilding `chats` on SQLite would drop it, and its ON DELETE CASCADE
    # would take every subscription and alert with it.
    op.add_column("chats", sa.Column("quiet_start", sa.String(length=5), nullable=True))
    op.add_column("chats", sa.Column("quiet_end", sa.String(length=5), nullable=True))
    op.add_column("chats", sa.Column("quiet_silent", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("keyword_alerts", sa.Column("typed", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("keyword_alerts", "typed")
    for column in ("quiet_silent", "quiet_end", "quiet_start"):
        op.drop_column("chats", column)
