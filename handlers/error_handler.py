"""The Application's error handler: answers refusals, logs the unexpected and tells the user.

A `UsageError` is answered with the command's usage and an example, `AdminOnly` with who may change
settings and `NotAllowed` with "not allowed"; none is logged as an error. Anything else is logged once
with the update's context (ids, the command, never the message text or the token) and the user is told
something went wrong.
"""

from __future__ import annotations

import logging
import traceback

from telegram import Update
from telegram.error import Conflict, Forbidden, TelegramError

from errors import StorageError, UsageError
from handlers import format
from handlers.admins import AdminOnly, NotAllowed
from handlers.services import Context
from handlers.texts import text, user_language
from handlers.threads import forum_thread
from model import Lang
from storage import chats as chat_store
from storage import forum

log = logging.getLogger(__name__)

CONFLICTS_PER_REPORT = 150  # PTB polls again every ~2 s after a 409: one line on the first, then one in ~5 min


def describe(update: object) -> str:
    """The update's context for a log line: its id and kind, chat, user and command; no message text."""
    if not isinstance(update, Update):
        return "no update (a job or the network loop)"
    parts = [f"update {update.update_id}"]
    if update.callback_query is not None:
        parts.append(f"callback {update.callback_query.data!r}"[:80])
    message = update.effective_message
    if message is not None and message.text and message.text.startswith("/"):
        parts.append(f"command {message.text.split()[0][:64]}")
    if update.effective_chat is not None:
        parts.append(f"chat {update.effective_chat.id} ({update.effective_chat.type})")
    if update.effective_user is not None:
        parts.append(f"user {update.effective_user.id}")
    return ", ".join(parts)


def redact(value: str, token: str) -> str:
    """`value` without the bot token or its secret half (URLs in httpx errors carry the token)."""
    for secret in (token, token.partition(":")[2]):
        if secret:
            value = value.replace(secret, "[REDACTED]")
    return value


async def _language(update: Update, context: Context) -> Lang:
    """The chat's (or forum topic's) language if it is stored, else the sender's; never fails (the database
    may be the problem)."""
    user = update.effective_user
    fallback = user_language(user.language_code if user else None)
    if update.effective_chat is None:
        return fallback
    thread = forum_thread(update)
    try:
        async with context.bot_data.database.transaction() as session:
            key: int | None = update.effective_chat.id
            if thread is not None:
                key = await forum.find_topic_key(session, update.effective_chat.id, thread)
            chat = await chat_store.get_chat(session, key) if key is not None else None
    except Exception:  # noqa: BLE001 - answering the user matters more than why the lookup failed
        return fallback
    return chat.language if chat else fallback


async def _tell(update: Update, html: str, plain: str) -> None:
    """Answer a button press with a pop-up (plain text) and a message with a message (HTML)."""
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(plain[:200], show_alert=True)
        elif update.effective_message is not None:
            await update.effective_message.reply_html(html)
    except TelegramError as exc:
        log.warning("could not tell %s about an error: %s", describe(update), type(exc).__name__)


async def on_error(update: object, context: Context) -> None:
    error = context.error
    if isinstance(update, Update) and isinstance(error, UsageError):
        lang = await _language(update, context)
        message = format.usage(lang, error.command, error.detail_key, error.detail_args)
        await _tell(update, message, message)
        return
    if isinstance(update, Update) and isinstance(error, (AdminOnly, NotAllowed)):
        lang = await _language(update, context)
        key = "common.admin_only" if isinstance(error, AdminOnly) else "common.not_allowed"
        await _tell(update, text(lang, key), text(lang, key))
        return
    token = context.bot.token
    details = redact("".join(traceback.format_exception(error)) if error else "no exception", token)
    if isinstance(error, Forbidden):  # the chat blocked the bot or removed it: nobody to tell
        log.warning("Telegram refused to answer %s: %s", describe(update), redact(str(error), token))
        return
    if isinstance(error, Conflict) and not isinstance(update, Update):
        _report_poll_conflict(context, redact(str(error), token))
        return
    if isinstance(error, StorageError) and not isinstance(update, Update):  # a job: one line, no traceback
        log.error("the database failed (%s): %s", describe(update), error)
        return
    log.error("unexpected error handling %s:\n%s", describe(update), details)
    if isinstance(update, Update) and update.effective_chat is not None:
        lang = await _language(update, context)
        await _tell(update, text(lang, "common.error"), text(lang, "common.error"))


def _report_poll_conflict(context: Context, detail: str) -> None:
    """getUpdates answered 409: a process elsewhere (another machine, a forgotten terminal, or a webhook set
    for this token) takes updates with the same token. The database lock cannot see it, and PTB keeps polling,
    so the updates are shared between the two. Say so once, then every `CONFLICTS_PER_REPORT` conflicts."""
    services = context.bot_data
    services.poll_conflicts += 1
    if services.poll_conflicts % CONFLICTS_PER_REPORT == 1:
        log.warning("another process is taking this bot's updates (Telegram: %s); %d conflict(s) so far. Stop the "
                    "other process, or delete its webhook: until then each gets only part of the commands",
                    detail, services.poll_conflicts)
