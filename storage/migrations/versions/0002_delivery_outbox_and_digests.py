"""Delivery: one outbox row per chat and story (whatever matched); digests and their rendered texts.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 15:00:00

The unique key of `deliveries` becomes (chat_id, story_id): a story that fires both a topic and a keyword
alert of a chat is one row, so the database, not the sender, guarantees a chat never hears of it twice.
`digests` holds one row per chat and local day: the claim that makes a daily digest go out once;
`digest_texts` holds each distinct rendered digest once, however many chats receive it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Rows that the new key would reject cannot exist yet in a database at 0001 in practice (nothing
    # wrote two kinds for one chat and story); drop the younger of any such pair to be safe.
    op.execute(
        "DELETE FROM deliveries WHERE id IN (SELECT newer.id FROM deliveries AS newer JOIN deliveries AS older "
        "ON newer.chat_id = older.chat_id AND newer.story_id = older.story_id AND newer.id > older.id)")
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_deliveries_chat_id_story_id_kind"), type_="unique")
        batch_op.create_unique_constraint(batch_op.f("uq_deliveries_chat_id_story_id"), ["chat_id", "story_id"])

    op.create_table(
        "digest_texts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("parts", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digest_texts")),
        sa.UniqueConstraint("hash", name=op.f("uq_digest_texts_hash")),
    )
    op.create_table(
        "digests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("local_date", sa.String(length=10), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("text_id", sa.Integer(), nullable=True),
        sa.Column("parts_total", sa.Integer(), nullable=False),
        sa.Column("parts_sent", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["chat_id"], ["chats.id"], name=op.f("fk_digests_chat_id_chats"),
                                onupdate="CASCADE", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["text_id"], ["digest_texts.id"], name=op.f("fk_digests_text_id_digest_texts"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digests")),
        sa.UniqueConstraint("chat_id", "local_date", name=op.f("uq_digests_chat_id_local_date")),
    )
    with op.batch_alter_table("digests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_digests_status_not_before"), ["status", "not_before"], unique=False)
        batch_op.create_index(batch_op.f("ix_digests_text_id"), ["text_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("digests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_digests_text_id"))
        batch_op.drop_index(batch_op.f("ix_digests_status_not_before"))
    op.drop_table("digests")
    op.drop_table("digest_texts")
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_deliveries_chat_id_story_id"), type_="unique")
        batch_op.create_unique_constraint(batch_op.f("uq_deliveries_chat_id_story_id_kind"),
                                          ["chat_id", "story_id", "kind"])
