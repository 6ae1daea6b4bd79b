"""/start and /help, the command menu, commands addressed to this bot by name, and what the bot ignores."""

from __future__ import annotations

import pytest

from handlers.menu import menus
from handlers.texts import COMMANDS, READ_COMMANDS
from tests.handlers.conftest import ADMIN, BOT_USERNAME, GROUP, MEMBER, Driver


@pytest.mark.parametrize(("language_code", "greeting", "button"), [
    pytest.param("es", "¡Hola! Soy Centinela", "▫️ Sanciones", id="es"),
    pytest.param("es-AR", "¡Hola! Soy Centinela", "▫️ Sanciones", id="es-with-region"),
    pytest.param("en", "Hi! I'm Centinela", "▫️ Sanctions", id="en"),
    pytest.param("pt-BR", "Hi! I'm Centinela", "▫️ Sanctions", id="other-languages-get-english"),
])
async def test_start_greets_in_the_users_language_with_three_lines_and_topic_buttons(
        bot: Driver, language_code: str, greeting: str, button: str) -> None:
    [reply] = await bot.send("/start", language_code=language_code)
    lines = reply.plain_text.split("\n")
    assert lines[0].startswith(greeting)
    assert len(lines[:lines.index("")]) == 3  # three lines say what the bot does, then a blank line
    labels = [label for label, _ in bot.buttons(reply)]
    assert button in labels and len(labels) == len(bot.settings.topics)


async def test_a_start_button_toggles_the_topic_and_redraws_only_the_buttons(bot: Driver) -> None:
    [reply] = await bot.send("/start")
    answer = await bot.press(reply, "topic:start:sanctions")
    assert answer["text"] == "You now follow Sanctions."
    assert ("✅ Sanctions", "topic:start:sanctions") in bot.buttons(reply)
    assert bot.current(reply).edited_texts == []  # the greeting itself is not rewritten
    assert "Topics: Sanctions" in await bot.say("/settings")

    await bot.press(reply, "topic:start:sanctions")
    assert ("▫️ Sanctions", "topic:start:sanctions") in bot.buttons(reply)
    assert "Topics: none" in await bot.say("/settings")


async def test_help_lists_every_command_with_an_example(bot: Driver) -> None:
    answer = await bot.say("/help", language_code="es")
    for example in ("/start", "/topics", "/subscribe sanctions cne", "/unsubscribe all", "/latest sanctions 10",
                    '/alert add "Edmundo González" -fútbol', "/alerts", "/digest 07:30", "/mode digest",
                    "/timezone Europe/Madrid", "/language en", "/settings", "/stop"):
        assert example in answer


async def test_the_menu_is_published_in_both_languages_with_read_only_commands_for_group_members(
        bot: Driver) -> None:
    def names(scope: dict | None, code: str) -> list[str]:  # type: ignore[type-arg]
        return [command["command"] for command in bot.api.commands_for(scope, code)]

    # Published once polling has begun, one setMyCommands per list.
    await bot.api.wait_for_calls("setMyCommands", len(menus(bot.settings.telegram.admin_ids)))
    assert names(None, "") == list(COMMANDS) == names(None, "es")
    assert names({"type": "all_group_chats"}, "") == list(READ_COMMANDS) == names({"type": "all_group_chats"}, "es")
    assert names({"type": "all_chat_administrators"}, "es") == list(COMMANDS)
    spanish = {command["command"]: command["description"] for command in bot.api.commands_for(None, "es")}
    english = {command["command"]: command["description"] for command in bot.api.commands_for(None, "")}
    assert (spanish["subscribe"], english["subscribe"]) == ("Seguir temas", "Follow topics")


async def test_a_command_addressed_to_this_bot_by_name_works_in_a_group(bot: Driver) -> None:
    assert (await bot.group(f"/help@{BOT_USERNAME}", user_id=MEMBER)).startswith("Comandos")
    assert "Ahora sigues: Sanciones." in await bot.group(f"/subscribe@{BOT_USERNAME} sanciones")


async def test_a_command_for_another_bot_and_plain_messages_are_ignored_in_a_group(bot: Driver) -> None:
    await bot.group("/settings")
    for ignored in ("/help@SomeOtherBot", "hola a todos", "/subscribe@SomeOtherBot cne"):
        bot.clock.advance(seconds=1)
        bot.api.inject_message(GROUP, ignored, user_id=ADMIN, chat_type="supergroup", language_code="es")
    answer = await bot.group("/settings")  # the next reply is the one to this, nothing came in between
    assert "Temas: ninguno" in answer
    assert len(bot.api.messages_for(GROUP)) == 2


async def test_an_unknown_command_in_a_private_chat_points_to_help(bot: Driver) -> None:
    assert await bot.say("/weather", language_code="es") == "No conozco ese comando. /help muestra todos."


async def test_start_brings_a_stopped_chat_back(bot: Driver) -> None:
    await bot.say("/subscribe cne")
    await bot.say("/stop")
    assert "State: stopped (/start to come back)" in await bot.say("/settings")
    await bot.say("/start")
    settings = await bot.say("/settings")
    assert "State: active" in settings and "Daily digest: 08:00" in settings and "Topics: none" in settings


async def test_a_group_member_starting_a_stopped_group_does_not_bring_it_back(bot: Driver) -> None:
    await bot.group("/stop")
    await bot.group("/start", user_id=MEMBER)
    assert "Estado: detenido" in await bot.group("/settings", user_id=MEMBER)
    await bot.group("/start")
    assert "Estado: activo" in await bot.group("/settings", user_id=MEMBER)

