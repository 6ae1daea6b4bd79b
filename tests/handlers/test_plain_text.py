"""Plain text in a private chat and buttons the bot does not know, through the stand-in: every message and
every press gets an answer, in the chat's language."""

from __future__ import annotations

import pytest

from tests.handlers.conftest import GROUP, USER, Driver

REPLY = {"es": "Solo entiendo comandos: /help los muestra todos, con ejemplos.",
         "en": "I only understand commands: /help lists them all, with examples."}
OUTDATED = {"es": "Este mensaje es antiguo y su botón ya no hace nada. /help muestra lo que puedo hacer.",
            "en": "This message is outdated and its button no longer does anything. /help shows what I can do."}


@pytest.mark.parametrize("lang", ["es", "en"])
async def test_a_button_nobody_knows_is_answered_as_outdated(bot: Driver, lang: str) -> None:
    [message] = await bot.send("/start", language_code=lang)
    answer = await bot.press(message, "feature-since-removed:42", language_code=lang)
    assert answer["text"] == OUTDATED[lang] and answer["show_alert"] is True


@pytest.mark.parametrize(("lang", "label", "done"), [
    pytest.param("es", "➕ /subscribe: Sanciones", "Ahora sigues: Sanciones.", id="es"),
    pytest.param("en", "➕ /subscribe: Sanctions", "You now follow: Sanctions.", id="en"),
])
async def test_a_topic_name_is_answered_with_a_subscribe_button_that_works(
        bot: Driver, lang: str, label: str, done: str) -> None:
    [message] = await bot.send("sanciones", language_code=lang)
    assert message.plain_text == REPLY[lang]
    assert bot.buttons(message) == [(label, "offer:subscribe:sanctions")]
    before = len(bot.api.messages_for(USER))
    await bot.press(message, "offer:subscribe:sanctions", language_code=lang)
    [confirmation] = (await bot.api.wait_for_messages(USER, before + 1))[before:]
    assert confirmation.plain_text.startswith(done)
    assert bot.buttons(message) == []
    assert ("Sanciones" if lang == "es" else "Sanctions") in await bot.say("/settings", language_code=lang)


@pytest.mark.parametrize(("lang", "saved"), [
    pytest.param("es", "Alerta guardada: \"maria corina machado\"", id="es"),
    pytest.param("en", "Alert saved: \"maria corina machado\"", id="en"),
])
async def test_a_short_phrase_is_answered_with_an_alert_button_that_works(bot: Driver, lang: str, saved: str) -> None:
    [message] = await bot.send('"María Corina Machado"', language_code=lang)
    assert message.plain_text == REPLY[lang]
    [(label, data)] = bot.buttons(message)
    assert label == '🔔 /alert add "maria corina machado"' and data == 'offer:alert:"maria corina machado"'
    before = len(bot.api.messages_for(USER))
    await bot.press(message, data, language_code=lang)
    [confirmation] = (await bot.api.wait_for_messages(USER, before + 1))[before:]
    assert confirmation.plain_text.startswith(saved)
    assert '1. "maria corina machado"' in await bot.say("/alerts", language_code=lang)


@pytest.mark.parametrize("lang", ["es", "en"])
async def test_a_sentence_gets_only_the_pointer_to_help(bot: Driver, lang: str) -> None:
    [message] = await bot.send("hola, ¿qué puedes hacer por mí cuando hay noticias nuevas?", language_code=lang)
    assert message.plain_text == REPLY[lang]
    assert bot.buttons(message) == []


async def test_plain_text_in_a_group_is_left_alone(bot: Driver) -> None:
    bot.api.inject_message(GROUP, "sanciones", user_id=502, chat_type="supergroup", title="Grupo")
    await bot.say("/help", chat_id=GROUP, chat_type="supergroup")  # answered, and only this one
    assert len(bot.api.messages_for(GROUP)) == 1
