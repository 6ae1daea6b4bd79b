"""/alert add|remove and /alerts: keyword alerts on any story, whether the chat follows its topic or not.

The query syntax (words, "quoted phrases", -exclusions) is parsed by `delivery.keywords`; what is stored is
its canonical form, so that two spellings of one alert are one alert.
"""

from __future__ import annotations

from telegram import Update

from handlers import args, format
from handlers.admins import require_admin
from handlers.common import chat_transaction, command, reply
from handlers.services import Context
from model import AlertOutcome
from storage import chats as chat_store


async def alerts(update: Update, context: Context) -> None:
    async with chat_transaction(update, context) as (session, chat):
        listed = await chat_store.list_alerts(session, chat.id)
    await reply(update, format.alerts_message(listed, chat.language, maximum=args.MAX_ALERTS))


async def alert(update: Update, context: Context) -> None:
    request = args.parse_alert(context.args)
    if isinstance(request, args.AlertList):
        await alerts(update, context)
        return
    await require_admin(update, context)
    if isinstance(request, args.AlertAdd):
        await add(update, context, request)
    else:
        await _remove(update, context, request)


async def add(update: Update, context: Context, request: args.AlertAdd) -> None:
    """Store the alert and say so (/alert add, and the button under a reply to a short phrase)."""
    services = context.bot_data
    async with chat_transaction(update, context, saves=True, reactivate=True) as (session, chat):
        added = await chat_store.add_alert(session, chat.id, request.phrase, now=services.clock(),
                                           limit=args.MAX_ALERTS, typed=request.typed)
    if added.outcome is AlertOutcome.ADDED and added.alert is not None:
        # Once it is stored: the next story is checked against it, and so are the last hour's.
        services.fanout.alerts_changed()
        async with services.database.transaction(serving=True) as session:
            await services.fanout.catch_up(session, chat, added.alert)
    key = {AlertOutcome.ADDED: "alert.added", AlertOutcome.DUPLICATE: "alert.duplicate",
           AlertOutcome.FULL: "alert.full"}[added.outcome]
    shown = added.alert.shown if added.alert is not None else request.typed
    await reply(update, format.say(chat.language, key, phrase=shown, max=args.MAX_ALERTS))


async def _remove(update: Update, context: Context, request: args.AlertRemove) -> None:
    phrases = [phrase for phrase in (request.phrase, request.raw) if phrase]
    async with chat_transaction(update, context) as (session, chat):
        removed = await chat_store.remove_alert(session, chat.id, number=request.number, phrases=phrases)
        remaining = await chat_store.list_alerts(session, chat.id)
    if removed is not None:
        context.bot_data.fanout.alerts_changed()
    await reply(update, format.alert_removed(removed, remaining, request, chat.language, maximum=args.MAX_ALERTS))


HANDLERS = [command("alert", alert), command("alerts", alerts)]
