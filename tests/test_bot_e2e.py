"""End to end: the real Application, pointed at the Bot API stand-in through base_url, answers a user's
/start with the greeting in the user's language and the topics as buttons."""

from __future__ import annotations

from settings import Settings
from tests.support.botapi import BotApiStandIn
from tests.support.clock import FakeClock
from tests.support.running import running_bot

TOKEN = "777000:e2e-test-token"


async def test_a_user_sends_start_and_reads_the_greeting(settings: Settings, clock: FakeClock) -> None:
    async with BotApiStandIn(token=TOKEN) as api, running_bot(settings, api, token=TOKEN, clock=clock):
        api.inject_message(4242, "/start", language_code="es-VE")
        [reply] = await api.wait_for_messages(4242)

    assert reply.plain_text.startswith("¡Hola! Soy Centinela")
    assert reply.parse_mode == "HTML"
    buttons = [button["text"] for row in reply.reply_markup["inline_keyboard"] for button in row]  # type: ignore[index]
    assert buttons == [f"▫️ {topic.name.es}" for topic in settings.topics]
