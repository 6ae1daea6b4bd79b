"""The command menu (setMyCommands), in Spanish and English, published once at start-up.

Private chats see every command. In groups, members see what they may use (read-only commands) and
administrators see everything (Telegram picks the administrators' scope for them).
"""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScope, BotCommandScopeAllChatAdministrators, \
    BotCommandScopeAllGroupChats, BotCommandScopeDefault
from telegram.error import TelegramError

from handlers import format
from handlers.texts import COMMANDS, READ_COMMANDS
from model import Lang

log = logging.getLogger(__name__)

# language_code "" is the list for every language without its own: English.
LANGUAGE_CODES: tuple[tuple[str, Lang], ...] = (("", "en"), ("es", "es"))


def menus() -> list[tuple[BotCommandScope, str, list[BotCommand]]]:
    """(scope, language_code, commands) for every list the bot publishes."""
    scopes: list[tuple[BotCommandScope, tuple[str, ...]]] = [
        (BotCommandScopeDefault(), COMMANDS),
        (BotCommandScopeAllGroupChats(), READ_COMMANDS),
        (BotCommandScopeAllChatAdministrators(), COMMANDS),
    ]
    return [(scope, code, [BotCommand(name, description) for name, description in format.command_menu(lang, names)])
            for scope, names in scopes for code, lang in LANGUAGE_CODES]


async def publish_commands(bot: Bot) -> None:
    """Set every menu. A failure is logged, not raised: the bot works without its menu."""
    for scope, language_code, commands in menus():
        try:
            await bot.set_my_commands(commands, scope=scope, language_code=language_code or None)
        except TelegramError as exc:
            log.warning("setMyCommands failed for %s/%s: %s", scope.type, language_code or "default",
                        type(exc).__name__)
