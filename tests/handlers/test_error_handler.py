"""The error handler: an unexpected failure is logged once with the update's context and never the token,
and the user is told something went wrong, in the chat's language."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from telegram import Chat, Message, Update, User

from handlers.error_handler import describe, redact
from tests.handlers.conftest import GROUP, MEMBER, TOKEN, USER, Driver
from tests.support.botapi import blocked, disconnect, server_error

SECRET = TOKEN.split(":")[1]


def ours(caplog: pytest.LogCaptureFixture) -> str:
    """What the bot's own code logged, traceback included. (httpx logs request URLs, which hold the token;
    bot.py silences and redacts those, and tests/test_logging.py checks that.)"""
    return "\n".join(record.getMessage() for record in caplog.records if record.name.startswith("handlers"))


@pytest.mark.parametrize(("lang", "expected"), [
    pytest.param("es", "Algo salió mal al procesar tu mensaje.", id="es"),
    pytest.param("en", "Something went wrong while handling your message.", id="en"),
])
async def test_a_failed_reply_is_logged_and_the_user_told(bot: Driver, caplog: pytest.LogCaptureFixture,
                                                          lang: str, expected: str) -> None:
    await bot.say(f"/language {lang}")  # the chat is stored in its language
    bot.api.fail_next("sendMessage", error=server_error(502), chat_id=USER)
    caplog.set_level(logging.INFO)
    [told] = await bot.send("/topics")
    assert told.plain_text.startswith(expected)
    [record] = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert record.name == "handlers.error_handler"
    assert f"command /topics, chat {USER} (private), user {USER}" in record.getMessage()
    assert "BadGateway" in record.getMessage() or "Bad Gateway" in record.getMessage()
    assert SECRET not in ours(caplog)


async def test_a_dropped_connection_is_logged_without_the_token(bot: Driver, caplog: pytest.LogCaptureFixture) -> None:
    bot.api.fail_next("sendMessage", error=disconnect(), chat_id=USER)
    caplog.set_level(logging.DEBUG)
    [told] = await bot.send("/help")
    assert told.plain_text.startswith("Something went wrong")
    assert any(record.levelno == logging.ERROR for record in caplog.records)
    assert SECRET not in ours(caplog)


async def test_a_broken_database_is_reported_in_the_chats_language(bot: Driver, caplog: pytest.LogCaptureFixture) -> None:
    await bot.group("/language es")  # the group is stored, in Spanish
    async with bot.app.bot_data.database.transaction() as session:
        await session.execute(text("DROP TABLE keyword_alerts"))
    answer = await bot.group("/alerts", user_id=MEMBER, language_code="en")
    assert answer.startswith("Algo salió mal al procesar tu mensaje.")
    assert any("keyword_alerts" in record.getMessage() and f"chat {GROUP} (supergroup)" in record.getMessage()
               for record in caplog.records if record.levelno == logging.ERROR)


async def test_a_chat_that_blocked_the_bot_is_not_written_to_again(bot: Driver, caplog: pytest.LogCaptureFixture) -> None:
    await bot.say("/settings")
    bot.api.fail_next("sendMessage", error=blocked(), chat_id=USER)
    caplog.set_level(logging.INFO)
    bot.clock.advance(seconds=1)
    bot.api.inject_message(USER, "/help")
    await bot.api.wait_for_calls("sendMessage", 2)
    assert (await bot.say("/settings")).startswith("This chat's settings")
    assert len(bot.api.calls_to("sendMessage")) == 3  # the refused reply was not followed by an apology
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert any("Telegram refused to answer" in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize(("value", "expected"), [
    pytest.param(f"https://api.telegram.org/bot{TOKEN}/sendMessage", "https://api.telegram.org/bot[REDACTED]/sendMessage",
                 id="the-whole-token"),
    pytest.param(f"secret part {SECRET} alone", "secret part [REDACTED] alone", id="the-secret-half"),
    pytest.param("nothing to hide", "nothing to hide", id="no-token"),
])
def test_redact(value: str, expected: str) -> None:
    assert redact(value, TOKEN) == expected


def test_describe_names_ids_and_the_command_but_not_the_rest_of_the_text() -> None:
    chat = Chat(id=-5, type="group", title="Vecinos")
    message = Message(message_id=3, date=datetime(2026, 11, 23, tzinfo=UTC), chat=chat,
                      from_user=User(id=9, first_name="Ana", is_bot=False), text="/alert add my private words")
    assert describe(Update(update_id=77, message=message)) == (
        "update 77, command /alert, chat -5 (group), user 9")
    assert describe(None) == "no update (a job or the network loop)"
