"""Items remember the outlet an aggregator credits them to (Google News' <source>).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 22:00:00

A Google News item is one outlet's report passed on by Google: the alert names that outlet as its source,
not "Google News". Older items have no outlet and keep being shown under their feed's name.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("outlet", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.drop_column("outlet")
