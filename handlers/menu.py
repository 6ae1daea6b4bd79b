"""The command menu (setMyCommands), in Spanish and English, published once at start-up.

Private chats see every command. In groups, members see what they may use (read-only commands) and
administrators see everything (Telegram picks the administrators' scope for them). The admin commands
are in no public list: a scope cannot name a list of users, so each of the bot's administrators gets
them in the menu of their own private chat (a chat scope; Telegram refuses it for a user who never
wrote to the bot, which is logged, and the next start tries again).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram import (
    Bot,
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeChat,
    BotCommandScopeDefault,
)
from telegram.error import TelegramError

from handlers import format
from handlers.texts import ADMIN_COMMANDS, COMMANDS, READ_COMMANDS
from model import Lang

log = logging.getLogger(__name__)

# language_code "" is the list for every language without its own: English.
LANGUAGE_CODES: tuple[tuple[str, Lang], ...] = (("", "en"), ("es", "es"))


def menus(admin_ids: Sequence[int] = ()) -> list[tuple[BotCommandScope, str, list[BotCommand]]]:
    """(scope, language_code, commands) for every list the bot publishes."""
    scopes: list[tuple[BotCommandScope, tuple[str, ...]]] = [
        (BotCommandScopeDefault(), COMMANDS),
        (BotCommandScopeAllGroupChats(), READ_COMMANDS),
        (BotCommandScopeAllChatAdministrators(), COMMANDS),
    ]
    scopes += [(BotCommandScopeChat(chat_id=admin_id), COMMANDS + ADMIN_COMMANDS) for admin_id in admin_ids]
    return [(scope, code, [BotCommand(name, description) for name, description in format.command_menu(lang, names)])
            for scope, names in scopes for code, lang in LANGUAGE_CODES]


async def publish_commands(bot: Bot, *, admin_ids: Sequence[int] = ()) -> None:
    """Set every menu. A failure is logged, not raised: the bot works without its menu."""
    for scope, language_code, commands in menus(admin_ids):
        try:
            await bot.set_my_commands(commands, scope=scope, language_code=language_code or None)
        except TelegramError as exc:
            log.warning("setMyCommands failed for %s/%s: %s", scope.type, language_code or "default",
                        type(exc).__name__)
