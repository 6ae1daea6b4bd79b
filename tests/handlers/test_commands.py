"""Every command, through the Bot API stand-in, in Spanish and English, in a private chat and in a group
as an administrator and as a plain member: readers get their answer, settings are for administrators,
and a missing or bad argument is answered with the command's usage and an example."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.handlers.conftest import ADMIN, GROUP, MEMBER, USER, Driver


@dataclass(frozen=True)
class Where:
    chat_id: int
    chat_type: str
    user_id: int | None
    admin: bool


PLACES = {
    "private": Where(USER, "private", None, True),
    "group-admin": Where(GROUP, "supergroup", ADMIN, True),
    "group-member": Where(GROUP, "supergroup", MEMBER, False),
}
ADMIN_ONLY = {"es": "solo los administradores pueden cambiar la configuración",
              "en": "only administrators may change settings"}

# command, whether it changes settings, what the reply starts with or contains in (es, en)
COMMANDS = [
    ("/start", False, ("¡Hola! Soy Centinela", "Hi! I'm Centinela")),
    ("/help", False, ("Comandos", "Commands")),
    ("/topics", False, ("Temas  (✅ = este chat lo sigue)", "Topics  (✅ = this chat follows it)")),
    ("/subscribe sanctions", True, ("Ahora sigues: Sanciones.", "You now follow: Sanctions.")),
    ("/unsubscribe all", True, ("Dejaste de seguir todos los temas.", "You unfollowed every topic.")),
    ("/latest sanctions", False, ("Todavía no hay noticias de Sanciones.", "No news about Sanctions yet.")),
    ("/latest", False, ("Este chat no sigue ningún tema todavía.", "This chat follows no topic yet.")),
    ("/alerts", False, ("Este chat no tiene alertas de palabras.", "This chat has no keyword alerts.")),
    ("/alert add maduro -futbol", True, ("Alerta guardada: maduro -futbol", "Alert saved: maduro -futbol")),
    ("/alert remove maduro", True, ("No hay ninguna alerta maduro.", "There is no alert maduro.")),
    ("/digest 07:30", True, ("Resumen diario a las 07:30 (America/Caracas).", "Daily digest at 07:30 (America/Caracas).")),
    ("/digest off", True, ("Resumen diario desactivado.", "Daily digest off.")),
    ("/digest now", False, ("Este chat no sigue ningún tema, así que no hay resumen.",
                            "This chat follows no topic, so there is no digest.")),
    ("/mode digest", True, ("Modo resumen: solo el resumen diario, a las 08:00.",
                            "Digest mode: only the daily digest, at 08:00.")),
    ("/mode instant", True, ("Modo instantáneo", "Instant mode")),
    ("/timezone Europe/Madrid", True, ("Zona horaria: Europe/Madrid. Aquí son las 23/11 13:0",
                                       "Time zone: Europe/Madrid. It is 23 Nov 13:0")),
    ("/settings", False, ("Configuración de este chat", "This chat's settings")),
    ("/stop", True, ("Listo: dejé de escribir en este chat.", "Done: I stopped writing to this chat")),
]


def _cases():  # type: ignore[no-untyped-def]
    for text, changes, expected in COMMANDS:
        for place in PLACES:
            for index, lang in enumerate(("es", "en")):
                yield pytest.param(text, changes, expected[index], place, lang,
                                   id=f"{text}-{place}-{lang}".replace(" ", "_"))


@pytest.mark.parametrize(("text", "changes", "expected", "place", "lang"), list(_cases()))
async def test_every_command_answers_in_the_chats_language_and_settings_are_for_admins(
        bot: Driver, text: str, changes: bool, expected: str, place: str, lang: str) -> None:
    where = PLACES[place]
    answer = await bot.say(text, chat_id=where.chat_id, chat_type=where.chat_type, user_id=where.user_id,
                           language_code="es-VE" if lang == "es" else "en-GB")
    if changes and not where.admin:
        assert ADMIN_ONLY[lang] in answer
    else:
        assert expected in answer


@pytest.mark.parametrize("lang", ["es", "en"])
async def test_language_switches_the_reply_language(bot: Driver, lang: str) -> None:
    other = "en" if lang == "es" else "es"
    assert await bot.say(f"/language {other}", language_code=lang) == (
        "Done, I'll speak English." if other == "en" else "Listo, te hablo en español.")
    assert (await bot.say("/help", language_code=lang)).startswith("Commands" if other == "en" else "Comandos")


@pytest.mark.parametrize(("user_id", "expected"), [
    pytest.param(ADMIN, "Listo, te hablo en español.", id="admin"),
    pytest.param(MEMBER, ADMIN_ONLY["en"], id="member"),
])
async def test_language_in_a_group(bot: Driver, user_id: int, expected: str) -> None:
    assert await bot.group("/help", language_code="en") != ""
    assert expected in await bot.group("/language es", user_id=user_id, language_code="en")


# command, detail (es, en) or None, then the usage line each language ends with
BAD_INPUT = [
    ("/subscribe", ("¿Qué tema?", "Which topic?"), "/subscribe sanctions cne"),
    ("/subscribe cen", ("¿Quisiste decir cne?", "Did you mean cne?"), "/subscribe sanctions cne"),
    ("/subscribe weather", ("No conozco el tema «weather».", "I don't know the topic “weather”."),
     "/subscribe sanctions cne"),
    ("/unsubscribe", ("¿Qué tema?", "Which topic?"), "/unsubscribe all"),
    ("/unsubscribe sancion", ("¿Quisiste decir sanctions?", "Did you mean sanctions?"), "/unsubscribe all"),
    ("/latest sanctions 0", ("N tiene que ser un número entre 1 y 20.", "N must be a number from 1 to 20."),
     "/latest sanctions 10"),
    ("/latest 3 4", ("Pon un solo número.", "Give one number only."), "/latest sanctions 10"),
    ("/latest wether", ("No conozco el tema «wether».", "I don't know the topic “wether”."), "/latest sanctions 10"),
    ("/alert", None, '/alert add "Edmundo González"'),
    ("/alert maduro", ("Primero di qué hacer", "First say what to do"), '/alert add "Edmundo González"'),
    ("/alert remove", ("Falta la frase.", "The phrase is missing."), '/alert add "Edmundo González"'),
    ("/alert add", ("Falta la frase.", "The phrase is missing."), '/alert add "Edmundo González"'),
    ("/alert add -futbol", ("Hace falta al menos una palabra", "At least one word must be required"),
     '/alert add "Edmundo González"'),
    ("/digest", None, "/digest 07:30"),
    ("/digest 25:00", ("«25:00» no es una hora HH:MM", "“25:00” is not a time HH:MM"), "/digest 07:30"),
    ("/digest 8 now", ("Sobra algo: «now».", "Something is left over: “now”."), "/digest 07:30"),
    ("/mode", None, "/mode digest"),
    ("/mode weekly", None, "/mode digest"),
    ("/timezone", None, "/timezone Europe/Madrid"),
    ("/timezone Caracas", ("¿Quisiste decir America/Caracas?", "Did you mean America/Caracas?"),
     "/timezone Europe/Madrid"),
    ("/timezone Mars/Base", ("«Mars/Base» no es una zona horaria IANA", "“Mars/Base” is not an IANA time zone"),
     "/timezone Europe/Madrid"),
    ("/language", None, "/language "),
    ("/language klingon", None, "/language "),
]


def _bad_cases():  # type: ignore[no-untyped-def]
    for text, detail, example in BAD_INPUT:
        for place in ("private", "group-member"):
            for index, lang in enumerate(("es", "en")):
                yield pytest.param(text, detail[index] if detail else None, example, place, lang,
                                   id=f"{text}-{place}-{lang}".replace(" ", "_"))


@pytest.mark.parametrize(("text", "detail", "example", "place", "lang"), list(_bad_cases()))
async def test_a_missing_or_bad_argument_is_answered_with_the_usage_and_an_example(
        bot: Driver, text: str, detail: str | None, example: str, place: str, lang: str) -> None:
    where = PLACES[place]
    answer = await bot.say(text, chat_id=where.chat_id, chat_type=where.chat_type, user_id=where.user_id,
                           language_code=lang)
    usage, example_word = ("Uso: ", "Ejemplo: ") if lang == "es" else ("Usage: ", "Example: ")
    if detail:
        assert detail in answer
    assert usage + text.split()[0] in answer
    assert example_word + example in answer


async def test_the_usage_reply_escapes_what_the_user_typed(bot: Driver) -> None:
    [reply] = await bot.send("/subscribe <b>&amp;</b>")
    assert "I don't know the topic “<b>&amp;</b>”." in reply.plain_text
    assert "&lt;b&gt;&amp;amp;&lt;/b&gt;" in reply.text
