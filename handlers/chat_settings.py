"""/digest, /mode, /timezone, /language, /settings and /stop: a chat's settings, one command each.

`/digest now` sends the digest through `delivery.digests`, the same path as the scheduled one.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from telegram import Update

from errors import UsageError
from handlers import args, format
from handlers.admins import require_admin
from handlers.common import chat_transaction, command, command_chat, reply
from handlers.services import Context
from handlers.texts import text
from model import Chat, QuietHours
from storage import chats as chat_store
from storage import deliveries as outbox
from storage import forum

DIGEST_NOW_WINDOW = timedelta(hours=24)


async def digest_now(update: Update, context: Context, chat: Chat) -> None:
    """Send the chat's digest now; when there is nothing new since its last digest, say so."""
    services = context.bot_data
    if await services.digests.send_now(chat.id):  # through the runtime's one Sender
        return
    now = services.clock()
    async with services.database.transaction(serving=True) as session:
        followed = await chat_store.chat_topics(session, chat.id)
        since = max(await chat_store.last_digest_at(session, chat.id) or now - DIGEST_NOW_WINDOW,
                    now - DIGEST_NOW_WINDOW)
    await reply(update, format.digest_now_empty(followed, services.settings.topics, since=since,
                                                lang=chat.language, timezone=chat.timezone))


async def digest(update: Update, context: Context) -> None:
    services = context.bot_data
    request = args.parse_digest(context.args)
    if isinstance(request, args.DigestNow):
        chat = await command_chat(update, context)
        await digest_now(update, context, chat)
        return
    await require_admin(update, context)
    async with chat_transaction(update, context, saves=True, reactivate=True) as (session, chat):
        at = request.at if isinstance(request, args.DigestAt) else None
        chat = await chat_store.update_chat(session, chat.id, now=services.clock(), digest_time=at)
    await reply(update, format.digest_set(chat) if at else format.digest_off(chat))


async def mode(update: Update, context: Context) -> None:
    services = context.bot_data
    chosen = args.parse_mode(context.args)
    await require_admin(update, context)
    async with chat_transaction(update, context, saves=True, reactivate=True) as (session, chat):
        chat = await chat_store.update_chat(session, chat.id, now=services.clock(), mode=chosen)
    services.fanout.alerts_changed()  # a chat's alerts fire instantly only in instant mode
    await reply(update, format.mode_set(chat))


async def quiet(update: Update, context: Context) -> None:
    """Quiet hours: a new window, silent or held alerts, or none. What was held for the old window is due now
    (the sender holds it again if the new window still covers it)."""
    services = context.bot_data
    request = args.parse_quiet(context.args)
    await require_admin(update, context)
    now = services.clock()
    async with chat_transaction(update, context, saves=True) as (session, chat):
        if isinstance(request, args.QuietStyle) and chat.quiet is None:
            raise UsageError("quiet", "quiet.no_window")
        if isinstance(request, args.QuietWindow):
            wanted = QuietHours(request.start, request.end, silent=chat.quiet is not None and chat.quiet.silent)
        elif isinstance(request, args.QuietStyle) and chat.quiet is not None:
            wanted = dataclasses.replace(chat.quiet, silent=request.silent)
        else:
            wanted = None
        chat = await chat_store.update_chat(session, chat.id, now=now, quiet=wanted)
        await outbox.release_held(session, chat.id, now=now)
    await reply(update, format.quiet_set(chat))


async def timezone(update: Update, context: Context) -> None:
    services = context.bot_data
    zone = args.parse_timezone(context.args)
    await require_admin(update, context)
    async with chat_transaction(update, context, saves=True) as (session, chat):
        chat = await chat_store.update_chat(session, chat.id, now=services.clock(), timezone=zone)
    await reply(update, format.timezone_set(chat, services.clock()))


async def language(update: Update, context: Context) -> None:
    services = context.bot_data
    lang = args.parse_language(context.args)
    await require_admin(update, context)
    async with chat_transaction(update, context, saves=True) as (session, chat):
        chat = await chat_store.update_chat(session, chat.id, now=services.clock(), language=lang)
    await reply(update, text(chat.language, "language.set"))


async def settings(update: Update, context: Context) -> None:
    services = context.bot_data
    async with chat_transaction(update, context) as (session, chat):
        followed = await chat_store.chat_topics(session, chat.id)
        alert_count = await chat_store.count_alerts(session, chat.id)
    await reply(update, format.settings_message(chat, followed, alert_count, services.settings.topics,
                                                forum_topic=forum.is_topic_key(chat.id)))


async def stop(update: Update, context: Context) -> None:
    services = context.bot_data
    await require_admin(update, context)
    async with chat_transaction(update, context, saves=True) as (session, chat):
        chat = await chat_store.stop_chat(session, chat.id, now=services.clock())
    services.fanout.alerts_changed()
    await reply(update, text(chat.language, "stop.done"))


HANDLERS = [
    command("digest", digest),
    command("mode", mode),
    command("quiet", quiet),
    command("timezone", timezone),
    command("language", language),
    command("settings", settings),
    command("stop", stop),
]
