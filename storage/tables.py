"""The database schema as SQLAlchemy Core tables, with the unique constraints that make duplicates impossible.

One item per feed+guid, one delivery per chat+story+kind, one subscription per chat+topic. Telegram chat ids
can exceed 32 bits, so they are BIGINT. Times are stored as aware UTC datetimes.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.engine import Dialect

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)



class UtcDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and always gives back aware UTC, on SQLite (which keeps no zone) too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; pass aware UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

feeds = Table(
    "feeds",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("url", Text, nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("scope", String(16), nullable=False),
    Column("language", String(2)),
    Column("origin", String(16), nullable=False, default="config"),  # config | admin
    Column("active", Boolean, nullable=False, default=True),
    # conditional GET and "same body as last time"
    Column("etag", Text),
    Column("last_modified", Text),
    Column("body_hash", String(64)),
    # health
    Column("last_fetched_at", UtcDateTime()),
    Column("last_success_at", UtcDateTime()),
    Column("last_error_at", UtcDateTime()),
    Column("last_error_kind", String(32)),
    Column("last_error_detail", Text),
    Column("consecutive_failures", Integer, nullable=False, default=0),
    Column("next_fetch_at", UtcDateTime()),
    Column("created_at", UtcDateTime(), nullable=False),
)

stories = Table(
    "stories",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("title", Text, nullable=False),
    Column("title_key", Text, nullable=False),  # normalised title used for near-duplicate clustering
    Column("link", Text, nullable=False),
    Column("published_at", UtcDateTime(), nullable=False),
    Column("first_seen_at", UtcDateTime(), nullable=False),
    Column("source_count", Integer, nullable=False, default=1),
    Index(None, "first_seen_at"),
    Index(None, "published_at"),
)

items = Table(
    "items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("feed_id", Integer, ForeignKey("feeds.id", ondelete="CASCADE"), nullable=False),
    Column("guid", Text, nullable=False),
    Column("story_id", Integer, ForeignKey("stories.id"), nullable=False),
    Column("link", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("summary", Text, nullable=False, default=""),
    Column("language", String(2)),
    Column("outlet", Text),  # the outlet an aggregator credits the item to (migration 0003)
    Column("published_at", UtcDateTime(), nullable=False),
    Column("fetched_at", UtcDateTime(), nullable=False),
    Column("content_hash", String(64), nullable=False),
    UniqueConstraint("feed_id", "guid"),
    Index(None, "story_id"),
    Index(None, "link"),
)

item_topics = Table(
    "item_topics",
    metadata,
    Column("item_id", Integer, ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    Column("topic", String(32), primary_key=True),
    # denormalised so that "latest stories of a topic" is one index range scan
    Column("story_id", Integer, ForeignKey("stories.id"), nullable=False),
    Column("published_at", UtcDateTime(), nullable=False),
    Column("terms", Text, nullable=False, default=""),  # the terms that fired, "|"-separated
    Index(None, "topic", "published_at"),
    Index(None, "story_id"),
)

chats = Table(
    "chats",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),  # Telegram's chat id
    Column("type", String(16), nullable=False),
    Column("title", Text),
    Column("language", String(2), nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("digest_time", String(5)),  # "HH:MM" local time; NULL: digest off
    Column("mode", String(16), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("origin", String(16), nullable=False, default="user"),  # user | config (a configured channel)
    Column("last_digest_at", UtcDateTime()),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    # quiet hours, "HH:MM" local time (migration 0006): both NULL, none; silent: sent without a sound, not held
    Column("quiet_start", String(5)),
    Column("quiet_end", String(5)),
    Column("quiet_silent", Boolean, nullable=False, default=False, server_default=false()),
)

subscriptions = Table(
    "subscriptions",
    metadata,
    Column("chat_id", BigInteger, ForeignKey("chats.id", ondelete="CASCADE", onupdate="CASCADE"),
           primary_key=True),
    Column("topic", String(32), primary_key=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Index(None, "topic"),
)

keyword_alerts = Table(
    "keyword_alerts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("chat_id", BigInteger, ForeignKey("chats.id", ondelete="CASCADE", onupdate="CASCADE"),
           nullable=False),
    Column("phrase", Text, nullable=False),  # canonical: what is matched, and unique per chat
    Column("typed", Text),  # as the user typed it, markup stripped (migration 0006; NULL for older alerts)
    Column("created_at", UtcDateTime(), nullable=False),
    UniqueConstraint("chat_id", "phrase"),
)

forum_topics = Table(
    "forum_topics",
    metadata,
    # One topic (message thread) of a supergroup with topics. Its settings, subscriptions, alerts,
    # deliveries and digests belong to the chat row keyed `storage.chats.topic_key(id)` (migration 0004).
    Column("id", Integer, primary_key=True),
    Column("chat_id", BigInteger, ForeignKey("chats.id", ondelete="CASCADE", onupdate="CASCADE"),
           nullable=False),  # the group's own chat id
    Column("thread_id", BigInteger, nullable=False),  # Telegram's message_thread_id
    Column("created_at", UtcDateTime(), nullable=False),
    UniqueConstraint("chat_id", "thread_id"),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("chat_id", BigInteger, ForeignKey("chats.id", ondelete="CASCADE", onupdate="CASCADE"),
           nullable=False),
    Column("story_id", Integer, ForeignKey("stories.id"), nullable=False),
    Column("kind", String(16), nullable=False),  # topic | keyword
    Column("reason", Text, nullable=False, default=""),  # topic ids or the keyword phrase that matched
    Column("status", String(16), nullable=False),  # pending | sent | failed | cancelled
    Column("attempts", Integer, nullable=False, default=0),
    Column("not_before", UtcDateTime(), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("sent_at", UtcDateTime()),
    Column("last_error", Text),
    # One delivery per chat and story, whatever matched: a story that fires a topic and a keyword alert of
    # the same chat is one row (kind: topic, reason: the topics, then the phrases), never two messages.
    UniqueConstraint("chat_id", "story_id"),
    Index(None, "status", "not_before"),
    Index(None, "status", "sent_at"),  # /stats: the alerts sent in the last days (migration 0005)
)

digest_texts = Table(
    "digest_texts",
    metadata,
    # The rendered messages of a digest, stored once however many chats get the very same digest (same
    # topics, alerts, language, zone and window), and deleted once no pending digest needs them.
    Column("id", Integer, primary_key=True),
    Column("hash", String(64), nullable=False, unique=True),  # sha256 of `parts`
    Column("parts", Text, nullable=False),  # JSON list of the messages, in order
    Column("created_at", UtcDateTime(), nullable=False),
)

digests = Table(
    "digests",
    metadata,
    # One scheduled digest per chat and local day: the row is the claim on that day, so a restart, a
    # second tick or a changed digest time cannot send a second one.
    Column("id", Integer, primary_key=True),
    Column("chat_id", BigInteger, ForeignKey("chats.id", ondelete="CASCADE", onupdate="CASCADE"),
           nullable=False),
    Column("local_date", String(10), nullable=False),  # YYYY-MM-DD in the chat's time zone
    Column("due_at", UtcDateTime(), nullable=False),
    Column("since", UtcDateTime(), nullable=False),  # the stories first seen in [since, until)
    Column("until", UtcDateTime(), nullable=False),
    Column("status", String(16), nullable=False),  # pending | sent | empty | failed | cancelled | expired
    Column("text_id", Integer, ForeignKey("digest_texts.id", ondelete="SET NULL")),  # while pending
    Column("parts_total", Integer, nullable=False, default=0),
    Column("parts_sent", Integer, nullable=False, default=0),
    Column("attempts", Integer, nullable=False, default=0),
    Column("not_before", UtcDateTime(), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("sent_at", UtcDateTime()),
    Column("last_error", Text),
    UniqueConstraint("chat_id", "local_date"),
    Index(None, "status", "not_before"),
    Index(None, "text_id"),
)

feedback = Table(
    "feedback",
    metadata,
    # A reader said an alert was not about one of its topics: one row per chat, story and topic, however
    # many members of the chat press the button (migration 0005).
    Column("chat_id", BigInteger, ForeignKey("chats.id", ondelete="CASCADE", onupdate="CASCADE"),
           primary_key=True),
    Column("story_id", Integer, ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True),
    Column("topic", String(32), primary_key=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Index(None, "created_at"),
)
