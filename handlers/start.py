"""/start greets in the chat's language and shows the topics as buttons; /help lists every command.

/start is also how a chat that used /stop comes back.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import MessageHandler, filters

from handlers import format
from handlers.admins import is_bot_admin, may_change_settings
from handlers.args import toggle_data
from handlers.common import COMMAND_UPDATES, chat_transaction, command, command_chat, reply
from handlers.services import Context
from handlers.texts import text
from storage import chats as chat_store


async def start(update: Update, context: Context) -> None:
    services = context.bot_data
    allowed = await may_change_settings(update, context)
    async with chat_transaction(update, context, reactivate=allowed) as (session, chat):
        followed = await chat_store.chat_topics(session, chat.id)
    keyboard = format.topic_keyboard(services.settings.topics, followed, chat.language, view="start",
                                     data=toggle_data)
    await reply(update, format.start_message(chat.language), keyboard=keyboard)


async def help_command(update: Update, context: Context) -> None:
    chat = await command_chat(update, context)
    await reply(update, format.help_message(chat.language, admin=is_bot_admin(update, context)))


async def unknown_command(update: Update, context: Context) -> None:
    """A private chat's unknown /command gets a pointer to /help; in groups it may be another bot's."""
    chat = await command_chat(update, context)
    await reply(update, text(chat.language, "common.unknown_command"))


HANDLERS = [command("start", start), command("help", help_command)]

FALLBACK = MessageHandler(filters.COMMAND & filters.ChatType.PRIVATE & COMMAND_UPDATES, unknown_command)
"""Registered after every command handler, so it only sees commands nobody else took."""
