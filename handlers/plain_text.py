"""What the bot says to what is not a command: plain text in a private chat gets a pointer to /help, with a
button that follows the topic it names or makes it a keyword alert; a button the bot no longer knows is
answered as outdated, so that no client spins until it gives up.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from handlers import alerts, args, format, subscribe
from handlers.admins import may_change_settings
from handlers.common import command_chat, reply
from handlers.services import Context
from handlers.texts import text, user_language


async def plain_text(update: Update, context: Context) -> None:
    chat = await command_chat(update, context)
    message = update.effective_message
    assert message is not None
    topics = context.bot_data.settings.topics
    offer = args.offer_for(message.text or "", topics)
    await reply(update, text(chat.language, "plain.reply"), keyboard=format.offer_keyboard(offer, topics, chat.language))


async def take_offer(update: Update, context: Context) -> None:
    """The button under a reply to plain text: do what it offered, as the command would, and drop the button."""
    query = update.callback_query
    assert query is not None
    offer = args.parse_offer(query.data, context.bot_data.settings.topics)
    if offer is None:
        await outdated_button(update, context)
        return
    if not await may_change_settings(update, context):  # offered in private chats, but a button may travel
        await query.answer(text(user_language(query.from_user.language_code), "common.admin_only"), show_alert=True)
        return
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    if isinstance(offer, args.SubscribeOffer):
        await subscribe.follow(update, context, offer.topics)
    else:
        await alerts.add(update, context, args.AlertAdd(phrase=offer.phrase, typed=offer.phrase))


async def outdated_button(update: Update, context: Context) -> None:
    """A button whose data no handler knows (an old message, a feature since removed)."""
    query = update.callback_query
    assert query is not None
    if update.effective_chat is not None:
        lang = (await command_chat(update, context)).language
    else:  # a button under an inline message has no chat
        lang = user_language(update.effective_user.language_code if update.effective_user else None)
    await query.answer(text(lang, "common.outdated_button"), show_alert=True)


HANDLERS = [
    MessageHandler(filters.TEXT & ~filters.COMMAND & filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE,
                   plain_text),
    CallbackQueryHandler(take_offer, pattern=rf"^{args.OFFER_PREFIX}:"),
]

OUTDATED = CallbackQueryHandler(outdated_button)
"""Registered after every other button's handler, so it only sees data nobody else took."""
