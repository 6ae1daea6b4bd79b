"""/feeds, /feed add|remove and /stats (with readers' feedback per topic): the bot's own administration, for the user ids in
`telegram.admin_ids` only (anyone else is told it is not allowed), in a private chat or a group.

/feed add fetches the address once and can take as long as `fetch.timeout_seconds`, so its handler does
not block the updates of other chats (`block=False`). config.toml owns its feeds: /feed remove refuses
them (see `feeds.sources`, reached through `Services.ingestion`).
"""

from __future__ import annotations

from datetime import timedelta

from telegram import Update

from handlers import args, format
from handlers.admins import require_bot_admin
from handlers.common import chat_transaction, command, command_chat, reply
from handlers.services import Context
from model import FeedAdded, FeedKnown, FeedRefused, Removal
from storage import feedback as feedback_store
from storage import feeds as feed_store
from storage import stats as stats_store

FEEDBACK_DAYS = 7  # /stats shows readers' feedback on the alerts of this many days


async def feeds(update: Update, context: Context) -> None:
    require_bot_admin(update, context)
    async with chat_transaction(update, context) as (session, chat):
        listed = await feed_store.feed_statuses(session, active_only=True)
    await reply(update, format.feeds_message(listed, lang=chat.language, timezone=chat.timezone))


async def feed(update: Update, context: Context) -> None:
    require_bot_admin(update, context)
    request = args.parse_feed(context.args)
    services = context.bot_data
    chat = await command_chat(update, context)
    lang = chat.language
    if isinstance(request, args.FeedAdd):
        match await services.ingestion.add_feed(request.url, request.scope, now=services.clock()):
            case FeedAdded(feed=added, entries=entries):
                answer = format.feed_added(added, entries, lang)
            case FeedKnown(feed=known):
                answer = format.feed_known(known, lang)
            case FeedRefused(kind=kind, detail=detail):
                answer = format.feed_refused(kind, detail, lang)
    else:
        removal = await services.ingestion.remove_feed(request.feed_id)
        if removal.feed is None:
            answer = format.feed_not_found(request.feed_id, lang)
        elif removal.outcome is Removal.CONFIG:
            answer = format.feed_from_config(removal.feed, lang)
        else:
            answer = format.feed_removed(removal.feed, lang)
    await reply(update, answer)


async def stats(update: Update, context: Context) -> None:
    require_bot_admin(update, context)
    services = context.bot_data
    now, topics = services.clock(), services.settings.topics
    async with chat_transaction(update, context) as (session, chat):
        snapshot = await stats_store.snapshot(session, now)
        feedback = await feedback_store.topic_feedback(session, since=now - timedelta(days=FEEDBACK_DAYS),
                                                       topics=[topic.id for topic in topics])
    await reply(update, format.stats_message(snapshot, topics, lang=chat.language, timezone=chat.timezone,
                                             feedback=feedback, feedback_days=FEEDBACK_DAYS))


HANDLERS = [command("feeds", feeds), command("feed", feed, block=False), command("stats", stats)]
