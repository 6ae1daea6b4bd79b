"""What every command handler shares: the chat it talks to, how it replies, and how it is registered.

In a supergroup with topics, the chat a command talks to is the forum topic it was sent in (a stored chat
of its own, `storage.forum`); the General topic is the group itself.

Kept small on purpose: a handler reads as parse -> one storage call -> format -> `reply`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from telegram import LinkPreviewOptions, Update
from telegram.ext import CommandHandler, filters

from delivery.sender import markup as markup  # the handlers' keyboards are built like the Sender's
from handlers.services import Context
from handlers.texts import user_language
from handlers.threads import forum_thread
from model import Chat, Keyboard
from storage import chats as chat_store
from storage import forum

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)

# Commands come in messages and in channel posts; an edited message does not run its command again.
COMMAND_UPDATES = filters.UpdateType.MESSAGE | filters.UpdateType.CHANNEL_POST

Callback = Callable[[Update, Context], Coroutine[Any, Any, None]]


def command(name: str, callback: Callback, *, block: bool = True) -> CommandHandler[Any, None]:
    """`/name` and `/name@ThisBot` (PTB checks the bot's username), in messages and channel posts.

    `block=False` runs the callback as a task, so that a slow command (one that fetches a URL) does not
    hold up the updates behind it; its errors still reach the error handler."""
    return CommandHandler(name, callback, filters=COMMAND_UPDATES, block=block)


@asynccontextmanager
async def chat_transaction(update: Update, context: Context, *, saves: bool = False,
                           reactivate: bool = False) -> AsyncIterator[tuple[Any, Chat]]:
    """The prologue of every command: one transaction, and in it the chat of `update`.

    A command that only reads (`saves=False`) writes nothing: an unknown chat is the chat as it would be
    created (the sender's language, the configured time zone and digest time), not stored. Reads never
    wait for a writer (SQLite's WAL, PostgreSQL's MVCC), so such a command answers while ingestion holds
    the write lock. `saves=True` stores the chat on first contact (and follows a changed title) before
    the command saves something of its own. `reactivate` brings back a chat that used /stop; it writes only
    when the chat is stored and stopped. In a forum topic, the chat is the topic's, created in the group's
    language and time zone; a topic nobody configured yet reads as an empty chat of its own. Ingestion
    waits while it is open (`storage.engine.CommandsFirst`).
    Use as `async with chat_transaction(update, context) as (session, chat):`."""
    async with _prologue(update, context, saves=saves, reactivate=reactivate, read_only=False) as opened:
        yield opened[0], opened[1]


@asynccontextmanager
async def reading_chat_transaction(update: Update,
                                   context: Context) -> AsyncIterator[tuple[Any, Chat, tuple[str, ...]]]:
    """`chat_transaction` for a command that writes nothing, with the topics the chat follows (sorted by id),
    read in the same statement as the chat. Its transaction is read-only (`Database.transaction`): fewer
    round trips to the driver, and a statement that writes raises.
    Use as `async with reading_chat_transaction(update, context) as (session, chat, topics):`."""
    async with _prologue(update, context, saves=False, reactivate=False, read_only=True) as opened:
        yield opened


@asynccontextmanager
async def _prologue(update: Update, context: Context, *, saves: bool, reactivate: bool,
                    read_only: bool) -> AsyncIterator[tuple[Any, Chat, tuple[str, ...]]]:
    chat = update.effective_chat
    assert chat is not None, "command handlers only run on updates with a chat"
    user = update.effective_user
    services = context.bot_data
    thread = forum_thread(update)
    now = services.clock()
    first = chat_store.unsaved_chat(chat_id=chat.id, type=chat.type, title=chat.title or None,
                                    language=user_language(user.language_code if user else None),
                                    timezone=services.settings.schedule.timezone,
                                    digest_time=services.settings.schedule.digest_time)
    async with services.database.transaction(serving=True, read_only=read_only) as session:
        if thread is None:
            group, followed = await chat_store.chat_with_topics(session, chat.id)
            if saves or (reactivate and group is not None and not group.active):
                group = await _store(session, first, now=now, reactivate=reactivate)
            yield session, group or first, followed
            return
        group = await chat_store.get_chat(session, chat.id)
        key = await forum.find_topic_key(session, chat.id, thread)
        topic, followed = await chat_store.chat_with_topics(session, key) if key is not None else (None, ())
        if saves or (reactivate and topic is not None and not topic.active):
            group = group or await _store(session, first, now=now, reactivate=False)
            key = await forum.topic_chat_key(session, chat.id, thread, now=now)
            topic = await _store(session, dataclasses.replace(first, id=key, language=group.language,
                                                              timezone=group.timezone), now=now, reactivate=reactivate)
        base = group or first
        yield session, topic or dataclasses.replace(first, id=forum.UNSTORED_TOPIC, language=base.language,
                                                    timezone=base.timezone), followed


async def _store(session: Any, chat: Chat, *, now: datetime, reactivate: bool) -> Chat:
    return await chat_store.get_or_create_chat(
        session, chat_id=chat.id, type=chat.type, title=chat.title, language=chat.language, timezone=chat.timezone,
        digest_time=chat.digest_time, now=now, reactivate=reactivate)


async def command_chat(update: Update, context: Context) -> Chat:
    """`chat_transaction` for a command that needs only the chat (and saves nothing)."""
    async with reading_chat_transaction(update, context) as (_, chat, _followed):
        return chat


async def reply(update: Update, messages: str | Sequence[str], *, keyboard: Keyboard | None = None) -> None:
    """Send HTML `messages` to the update's chat, in order; the keyboard goes under the last one."""
    message = update.effective_message
    assert message is not None
    chunks = [messages] if isinstance(messages, str) else list(messages)
    for index, chunk in enumerate(chunks):
        await message.reply_html(chunk, link_preview_options=NO_PREVIEW,
                                 reply_markup=markup(keyboard) if index == len(chunks) - 1 else None)
