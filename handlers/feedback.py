"""Readers' feedback: the "not about <topic>" button under every alert, and /flagged, which sends the bot's
administrators what readers flagged as a JSON Lines document for review.

Anyone in a chat may press the button (it states an opinion, it changes no setting); it counts once per
chat, story and topic. Every press is answered, so the reader's client stops waiting.
"""

from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import CallbackQueryHandler

from delivery.render import FEEDBACK_PREFIX, day_label, parse_feedback_data, topic_names
from handlers import args, format
from handlers.admins import require_bot_admin
from handlers.common import chat_transaction, command, command_chat, reply
from handlers.services import Context
from handlers.texts import text
from model import FeedbackOutcome
from storage import feedback as feedback_store


async def not_about(update: Update, context: Context) -> None:
    """A press of "not about <topic>": store it once per chat, and say whether it was new."""
    services = context.bot_data
    query = update.callback_query
    assert query is not None
    pressed = parse_feedback_data(query.data)
    async with chat_transaction(update, context) as (session, chat):
        outcome = FeedbackOutcome.UNKNOWN
        if pressed is not None:
            story_id, topic = pressed
            outcome = await feedback_store.record(session, chat_id=chat.id, story_id=story_id, topic=topic,
                                                  now=services.clock())
    name = "" if pressed is None else topic_names([pressed[1]], services.settings.topics, chat.language)[0]
    await query.answer(text(chat.language, f"feedback.{outcome.value}", topic=name),
                       show_alert=outcome is FeedbackOutcome.UNKNOWN)


async def flagged(update: Update, context: Context) -> None:
    """/flagged [7d | FROM [TO]]: the stories readers flagged in the period, as a .jsonl document."""
    require_bot_admin(update, context)
    services = context.bot_data
    chat = await command_chat(update, context)
    since, until = args.parse_period(context.args, now=services.clock(), timezone=chat.timezone)
    async with services.database.transaction(serving=True) as session:
        found = await feedback_store.flagged(session, since=since, until=until)
    first, last = format.period_days(since, until, timezone=chat.timezone)
    period = {"since": day_label(first, chat.language), "until": day_label(last, chat.language)}
    if not found:
        await reply(update, text(chat.language, "flagged.none", **period))
        return
    message = update.effective_message
    assert message is not None
    await message.reply_document(document=format.flagged_jsonl(found).encode("utf-8"),
                                 filename=f"flagged-{first.isoformat()}-{last.isoformat()}.jsonl",
                                 caption=text(chat.language, "flagged.caption", count=len(found), **period),
                                 parse_mode=ParseMode.HTML)

HANDLERS = [
    CallbackQueryHandler(not_about, pattern=rf"^{FEEDBACK_PREFIX}:"),
    command("flagged", flagged),
]
