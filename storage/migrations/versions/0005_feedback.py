"""Readers' feedback: "not about this topic", once per chat, story and topic.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 00:45:00

Every alert carries a button to say it is not about one of its topics; `feedback` records each press once
per chat, so /stats can show the share of a topic's alerts that readers flagged and /flagged can export
them for review as labelled items. An index on deliveries (status, sent_at) lets /stats count the alerts of
the last days without reading the whole outbox history.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feedback",
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["chat_id"], ["chats.id"], name=op.f("fk_feedback_chat_id_chats"),
                                ondelete="CASCADE", onupdate="CASCADE"),
        sa.ForeignKeyConstraint(["story_id"], ["stories.id"], name=op.f("fk_feedback_story_id_stories"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("chat_id", "story_id", "topic", name=op.f("pk_feedback")),
    )
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feedback_created_at"), ["created_at"], unique=False)
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deliveries_status_sent_at"), ["status", "sent_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deliveries_status_sent_at"))
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_created_at"))
    op.drop_table("feedback")
