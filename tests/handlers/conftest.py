"""The real Application from `bot.build_application`, polling the Bot API stand-in, and a small
driver that talks to it the way users do: send a command, read what the bot answered.

Every message a test sends moves the fake clock one second on, like a person typing, so the flood
throttle (two updates a second per user) never mistakes a test for a flood.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from telegram.ext import Application

from handlers.services import Services
from settings import Settings
from tests.support.botapi import BotApiStandIn, SentMessage
from tests.support.builders import add_story
from tests.support.chats import new_story_events
from tests.support.clock import FakeClock
from tests.support.running import running_bot

TOKEN = "424242:handlers-test-SECRET-token"
BOT_USERNAME = "CentinelaTestBot"

USER = 1001  # a private chat: the chat id is the user's id
GROUP = -100200300
ADMIN = 501
MEMBER = 502
CHANNEL = -100900900


@dataclass
class Driver:
    """Talks to the running bot through the stand-in."""

    api: BotApiStandIn
    app: Application  # type: ignore[type-arg]
    clock: FakeClock
    settings: Settings

    async def send(self, text: str, *, chat_id: int = USER, user_id: int | None = None, chat_type: str = "private",
                   language_code: str = "en", expect: int = 1, title: str | None = None) -> list[SentMessage]:
        """Send `text` as a user and return the `expect` messages the bot sent back."""
        before = len(self.api.messages_for(chat_id))
        self.clock.advance(seconds=1)
        if chat_type in ("group", "supergroup"):
            title = title or "Grupo de prueba"
            user_id = user_id if user_id is not None else ADMIN
        self.api.inject_message(chat_id, text, user_id=user_id, chat_type=chat_type, language_code=language_code,
                                title=title)
        messages = await self.api.wait_for_messages(chat_id, before + expect)
        return messages[before:]

    async def say(self, text: str, **kwargs: Any) -> str:
        """Send `text` and return the visible text of the one reply."""
        [reply] = await self.send(text, **kwargs)
        return reply.plain_text

    async def group(self, text: str, *, user_id: int = ADMIN, language_code: str = "es", **kwargs: Any) -> str:
        """Send `text` in the test group as `user_id` and return the visible text of the one reply."""
        return await self.say(text, chat_id=GROUP, chat_type="supergroup", user_id=user_id,
                              language_code=language_code, **kwargs)

    async def press(self, message: SentMessage, data: str, *, user_id: int | None = None,
                    language_code: str = "en") -> dict[str, Any]:
        """Press the button with callback `data` under `message` (in a group, as ADMIN unless `user_id`
        says otherwise); return the answerCallbackQuery parameters."""
        answered = len(self.api.callback_answers)
        if user_id is None and message.chat_id < 0:
            user_id = ADMIN
        self.clock.advance(seconds=1)
        self.api.inject_callback(message.chat_id, message.message_id, data, user_id=user_id,
                                 language_code=language_code)
        await self.api.wait_for_calls("answerCallbackQuery", answered + 1)
        return self.api.callback_answers[answered]

    def buttons(self, message: SentMessage) -> list[tuple[str, str]]:
        """(label, callback data) of every inline button of `message`, as it is now."""
        current = next(sent for sent in self.api.sent
                       if (sent.chat_id, sent.message_id) == (message.chat_id, message.message_id))
        rows = (current.reply_markup or {}).get("inline_keyboard", [])
        return [(button["text"], button["callback_data"]) for row in rows for button in row]

    async def new_story(self, title: str, topics: Mapping[str, Sequence[str]] | None = None) -> int:
        """Store a story first seen now, as ingestion does, and hand it to the running bot's fan-out hook."""
        services: Services = self.app.bot_data
        now = self.clock()
        story_id = await add_story(services.database, title=title, published_at=now - timedelta(minutes=2),
                                   fetched_at=now, topics=topics or {})
        events = await new_story_events(services.database, [story_id])
        async with services.database.transaction() as session:
            await services.fanout(session, events)
        return story_id

    def current(self, message: SentMessage) -> SentMessage:
        return next(sent for sent in self.api.sent
                    if (sent.chat_id, sent.message_id) == (message.chat_id, message.message_id))


@pytest.fixture
async def api() -> AsyncIterator[BotApiStandIn]:
    async with BotApiStandIn(token=TOKEN, bot_username=BOT_USERNAME) as stand_in:
        stand_in.set_admins(GROUP, [ADMIN])
        yield stand_in


@pytest.fixture
async def bot(api: BotApiStandIn, settings: Settings, clock: FakeClock) -> AsyncIterator[Driver]:
    """The real bot, started with polling against the stand-in, stopped cleanly after the test."""
    async with running_bot(settings, api, token=TOKEN, clock=clock) as app:
        yield Driver(api=api, app=app, clock=clock, settings=settings)
