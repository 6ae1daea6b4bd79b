"""/topics, /subscribe, /unsubscribe and the topic buttons, which edit their message in place."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import CallbackQueryHandler

from delivery.render import topic_names
from handlers import args, format
from handlers.admins import may_change_settings, require_admin
from handlers.common import NO_PREVIEW, chat_transaction, command, markup, reply
from handlers.services import Context
from handlers.texts import text
from storage import chats as chat_store


async def topics(update: Update, context: Context) -> None:
    services = context.bot_data
    async with chat_transaction(update, context) as (session, chat):
        followed = await chat_store.chat_topics(session, chat.id)
    await reply(update, format.topics_message(services.settings.topics, followed, chat.language),
                keyboard=format.topic_keyboard(services.settings.topics, followed, chat.language, view="list",
                                               data=args.toggle_data))


async def subscribe(update: Update, context: Context) -> None:
    wanted = args.parse_subscribe(context.args, context.bot_data.settings.topics)
    await require_admin(update, context)
    await follow(update, context, wanted)


async def follow(update: Update, context: Context, wanted: Sequence[str]) -> None:
    """Follow `wanted` and say so (/subscribe, and the button under a reply to a topic's name)."""
    services = context.bot_data
    async with chat_transaction(update, context, saves=True, reactivate=True) as (session, chat):
        added = await chat_store.subscribe(session, chat.id, wanted, now=services.clock())
        followed = await chat_store.chat_topics(session, chat.id)
    already = [topic for topic in wanted if topic not in added]
    await reply(update, format.subscribed(added, already, followed, services.settings.topics, chat.language))


async def unsubscribe(update: Update, context: Context) -> None:
    services = context.bot_data
    request = args.parse_unsubscribe(context.args, services.settings.topics)
    await require_admin(update, context)
    async with chat_transaction(update, context) as (session, chat):
        removed = await chat_store.unsubscribe(session, chat.id, None if request.everything else request.topics)
        followed = await chat_store.chat_topics(session, chat.id)
        alert_count = await chat_store.count_alerts(session, chat.id)
    not_followed = [topic for topic in request.topics if topic not in removed]
    await reply(update, format.unsubscribed(removed, not_followed, followed, services.settings.topics,
                                            chat.language, everything=request.everything, alert_count=alert_count))


async def toggle(update: Update, context: Context) -> None:
    """A topic button: follow or unfollow, then redraw the message it belongs to."""
    services = context.bot_data
    query = update.callback_query
    assert query is not None
    request = args.parse_toggle(query.data, services.settings.topics)
    allowed = request is not None and await may_change_settings(update, context)
    async with chat_transaction(update, context, saves=allowed, reactivate=allowed) as (session, chat):
        if request is None or not allowed:
            await query.answer(text(chat.language, "topics.gone" if request is None else "common.admin_only"),
                               show_alert=True)
            return
        now_following = await chat_store.toggle_topic(session, chat.id, request.topic, now=services.clock())
        followed = await chat_store.chat_topics(session, chat.id)
    all_topics, lang = services.settings.topics, chat.language
    keyboard = markup(format.topic_keyboard(all_topics, followed, lang, view=request.view, data=args.toggle_data))
    if request.view == "list":
        await query.edit_message_text(format.topics_message(all_topics, followed, lang), parse_mode=ParseMode.HTML,
                                      link_preview_options=NO_PREVIEW, reply_markup=keyboard)
    else:
        await query.edit_message_reply_markup(reply_markup=keyboard)
    [name] = topic_names([request.topic], all_topics, lang)  # plain text: a callback answer is not HTML
    await query.answer(text(lang, "topics.toggled_on" if now_following else "topics.toggled_off", name=name))


HANDLERS = [
    command("topics", topics),
    command("subscribe", subscribe),
    command("unsubscribe", unsubscribe),
    CallbackQueryHandler(toggle, pattern=rf"^{args.TOGGLE_PREFIX}:"),
]
