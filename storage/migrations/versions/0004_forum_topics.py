"""Forum topics: each topic of a supergroup with topics is a chat of its own for settings and deliveries.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 00:50:00

A row here names one topic (`message_thread_id`) of a group; the chat row that holds the topic's settings,
subscriptions, alerts, deliveries and digests has the key `storage.chats.topic_key(id)`, below every id
Telegram can give, so nothing else in the schema changes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "forum_topics",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("thread_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["chat_id"], ["chats.id"], name=op.f("fk_forum_topics_chat_id_chats"),
                                onupdate="CASCADE", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forum_topics")),
        sa.UniqueConstraint("chat_id", "thread_id", name=op.f("uq_forum_topics_chat_id_thread_id")),
    )


def downgrade() -> None:
    op.drop_table("forum_topics")
