"""What every command handler shares: the chat it talks to, how it replies, and how it is registered.

In a supergroup with topics, the chat a command talks to is the forum topic it was sent in (a stored chat
of its own, `storage.forum`); the General topic is the group itself.

Kept small on purpose: a handler reads as parse -> one storage call -> format -> `reply`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
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
async def chat_transaction(update: Update, context: Context, *,
                           reactivate: bool = False) -> AsyncIterator[tuple[Any, Chat]]:
    """The prologue of every command: one transaction, and in it the stored chat of `update`, created on
    first contact in the sender's language with the configured time zone and digest time. `reactivate`
    brings back a chat that used /stop. In a forum topic, the chat is the topic's, created in the group's
    language and time zone. Use as `async with chat_transaction(update, context) as (session, chat):`."""
    chat = update.effective_chat
    assert chat is not None, "command handlers only run on updates with a chat"
    user = update.effective_user
    services = context.bot_data
    thread = forum_thread(update)
    now = services.clock()
    async with services.database.transaction() as session:
        stored = await chat_store.get_or_create_chat(
            session, chat_id=chat.id, type=chat.type, title=chat.title or None,
            language=user_language(user.language_code if user else None),
            timezone=services.settings.schedule.timezone, digest_time=services.settings.schedule.digest_time,
            now=now, reactivate=reactivate and thread is None)
        if thread is not None:
            stored = await chat_store.get_or_create_chat(
                session, chat_id=await forum.topic_chat_key(session, chat.id, thread, now=now), type=chat.type,
                title=chat.title or None, language=stored.language, timezone=stored.timezone,
                digest_time=services.settings.schedule.digest_time, now=now, reactivate=reactivate)
        yield session, stored


async def command_chat(update: Update, context: Context, *, reactivate: bool = False) -> Chat:
    """`chat_transaction` for a command that needs only the chat."""
    async with chat_transaction(update, context, reactivate=reactivate) as (_, chat):
        return chat


async def reply(update: Update, messages: str | Sequence[str], *, keyboard: Keyboard | None = None) -> None:
    """Send HTML `messages` to the update's chat, in order; the keyboard goes under the last one."""
    message = update.effective_message
    assert message is not None
    chunks = [messages] if isinstance(messages, str) else list(messages)
    for index, chunk in enumerate(chunks):
        await message.reply_html(chunk, link_preview_options=NO_PREVIEW,
                                 reply_markup=markup(keyboard) if index == len(chunks) - 1 else None)
