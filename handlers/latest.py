"""/latest [TOPIC] [N]: the newest stories of a topic, or of the chat's topics, in the chat's time zone."""

from __future__ import annotations

from telegram import Update

from handlers import args, format
from handlers.common import command, reading_chat_transaction, reply
from handlers.services import Context
from handlers.texts import text
from storage import stories as story_store


async def latest(update: Update, context: Context) -> None:
    services = context.bot_data
    request = args.parse_latest(context.args, services.settings.topics)
    async with reading_chat_transaction(update, context) as (session, chat, followed):
        topic_ids = request.topics or followed
        stories = await story_store.latest_stories(session, topic_ids, request.count)
    if not topic_ids:
        await reply(update, text(chat.language, "latest.no_topics"))
        return
    await reply(update, format.latest_messages(stories, topic_ids, services.settings.topics, lang=chat.language,
                                               timezone=chat.timezone, capped=request.capped,
                                               maximum=args.MAX_LATEST))


HANDLERS = [command("latest", latest)]
