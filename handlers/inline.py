"""Inline mode: `@bot sanciones` (a topic by id or name in either language, or any words) in any chat offers
the latest matching stories, each a ready message with its title, sources and link in the user's language.

Results are in the asker's language and time zone, so Telegram caches them per user (`is_personal=True`)
for `CACHE_SECONDS`: new stories show within that.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from telegram import (
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.ext import InlineQueryHandler

from handlers import args, format
from handlers.services import Context
from handlers.texts import text, user_language
from model import Story
from storage import chats as chat_store
from storage import stories as story_store
from text import shorten

RESULTS = 10
CACHE_SECONDS = 30
SEARCH_WINDOW = 500  # words are looked for in the titles of this many newest stories
MAX_RESULT_TITLE = 120


async def matching_stories(session: Any, search: args.InlineSearch,
                           every_topic: Sequence[str]) -> list[Story]:
    """The newest stories `search` asks for, at most `RESULTS`, newest first."""
    if not search.words:
        return await story_store.latest_stories(session, search.topics or every_topic, RESULTS)
    titles = await story_store.recent_titles(session, SEARCH_WINDOW)
    ids = [story_id for story_id, title in titles if args.title_matches(title, search.words)][:RESULTS]
    found = await story_store.stories_by_id(session, ids)
    return [found[story_id] for story_id in ids if story_id in found]


async def inline_query(update: Update, context: Context) -> None:
    query = update.inline_query
    assert query is not None
    services = context.bot_data
    search = args.parse_inline(query.query, services.settings.topics)
    async with services.database.transaction(serving=True) as session:
        stories = await matching_stories(session, search, [topic.id for topic in services.settings.topics])
        own = await chat_store.get_chat(session, query.from_user.id)  # the user's private chat with the bot
    lang = own.language if own else user_language(query.from_user.language_code)
    timezone = own.timezone if own else services.settings.schedule.timezone
    results = [InlineQueryResultArticle(
        id=str(story.id), title=shorten(story.title, MAX_RESULT_TITLE),
        description=format.inline_description(story, lang=lang, timezone=timezone),
        input_message_content=InputTextMessageContent(format.shared_story(story, lang), parse_mode=ParseMode.HTML,
                                                      link_preview_options=LinkPreviewOptions(url=story.link)))
        for story in stories]
    button = None if results else InlineQueryResultsButton(text(lang, "inline.nothing"), start_parameter="inline")
    await query.answer(results, cache_time=CACHE_SECONDS, is_personal=True, button=button)


HANDLERS = [InlineQueryHandler(inline_query)]
