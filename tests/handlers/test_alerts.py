"""/alert add|remove and /alerts through the stand-in: alerts shown as typed, duplicates by canonical form, the cap of 20,
removal by number or phrase, refused phrases with the usage, and groups."""

from __future__ import annotations

import pytest

from tests.handlers.conftest import MEMBER, Driver


@pytest.mark.parametrize(("lang", "saved", "listed"), [
    pytest.param("es", 'Alerta guardada: "Edmundo González" -Fútbol', "Alertas de palabras (1 de 20)", id="es"),
    pytest.param("en", 'Alert saved: "Edmundo González" -Fútbol', "Keyword alerts (1 of 20)", id="en"),
])
async def test_an_alert_is_saved_and_listed_as_typed(bot: Driver, lang: str, saved: str, listed: str) -> None:
    assert (await bot.say('/alert add "Edmundo  González" -Fútbol', language_code=lang)).startswith(saved)
    answer = await bot.say("/alerts")
    assert answer.startswith(f'{listed}\n1. "Edmundo González" -Fútbol\n\n')


async def test_the_same_alert_spelt_differently_is_a_duplicate(bot: Driver) -> None:
    await bot.say("/alert add Maduro OFAC")
    assert await bot.say("/alert add ofac  MADURO ofac") == "You already had that alert: Maduro OFAC"
    assert "(1 of 20)" in await bot.say("/alerts")


async def test_a_chat_holds_at_most_twenty_alerts(bot: Driver) -> None:
    for n in range(20):
        assert (await bot.say(f"/alert add palabra{n}")).startswith("Alert saved")
    assert await bot.say("/alert add one more") == (
        "This chat already has 20 alerts, the maximum. Remove one with /alert remove NUMBER.")
    assert "(20 of 20)" in await bot.say("/alerts")


async def test_alerts_are_removed_by_number_or_by_phrase_in_any_spelling(bot: Driver) -> None:
    for phrase in ("maduro", "ofac licencia", '"acuerdo de barbados"'):
        await bot.say(f"/alert add {phrase}")
    assert await bot.say("/alert remove 2") == "Alert removed: ofac licencia"
    assert await bot.say('/alert remove "Acuerdo de Barbados"') == 'Alert removed: "acuerdo de barbados"'
    assert (await bot.say("/alerts")).startswith("Keyword alerts (1 of 20)\n1. maduro\n")


async def test_removing_what_is_not_there_shows_the_list(bot: Driver) -> None:
    await bot.say("/alert add maduro", language_code="es")
    assert (await bot.say("/alert remove 7")).startswith(
        "No hay alerta número 7.\n\nAlertas de palabras (1 de 20)\n1. maduro")
    assert (await bot.say("/alert borrar cabello")).startswith("No hay ninguna alerta cabello.\n\n")


@pytest.mark.parametrize(("phrase", "lang", "detail"), [
    pytest.param("-futbol", "es", "Hace falta al menos una palabra que deba aparecer", id="only-exclusions-es"),
    pytest.param("-futbol", "en", "At least one word must be required", id="only-exclusions-en"),
    pytest.param('"Edmundo González', "es", "Faltan unas comillas de cierre.", id="unclosed-quote-es"),
    pytest.param('"Edmundo González', "en", "A closing quote is missing.", id="unclosed-quote-en"),
    pytest.param("x" * 101, "es", "Una alerta tiene como mucho 100 caracteres.", id="too-long-es"),
    pytest.param("x" * 101, "en", "An alert has at most 100 characters.", id="too-long-en"),
    pytest.param("¿?", "en", "The phrase has no words.", id="no-words"),
])
async def test_a_phrase_that_cannot_match_is_refused_with_the_usage(bot: Driver, phrase: str, lang: str,
                                                                    detail: str) -> None:
    answer = await bot.say(f"/alert add {phrase}", language_code=lang)
    assert answer.startswith(detail)
    assert "/alert add PHRASE" in answer or "/alert add FRASE" in answer
    assert "1." not in await bot.say("/alerts")


async def test_a_phrase_is_never_a_regular_expression(bot: Driver) -> None:
    assert (await bot.say("/alert add (a+)+$ .*")).startswith("Alert saved: (a+)+$ .*")
    assert "Keyword alerts (1 of 20)\n1. (a+)+$ .*\n" in await bot.say("/alerts")


async def test_a_phrase_as_typed_is_escaped(bot: Driver) -> None:
    [reply] = await bot.send("/alert remove maduro < 3 & co")
    assert reply.plain_text.startswith("There is no alert maduro < 3 & co.")
    assert "maduro &lt; 3 &amp; co" in reply.text


async def test_in_a_group_members_read_alerts_and_admins_change_them(bot: Driver) -> None:
    assert (await bot.group("/alert add maduro")).startswith("Alerta guardada: maduro")
    assert "solo los administradores" in await bot.group("/alert add cabello", user_id=MEMBER)
    assert "solo los administradores" in await bot.group("/alert remove 1", user_id=MEMBER)
    assert "1. maduro" in await bot.group("/alerts", user_id=MEMBER)
    assert "1. maduro" in await bot.group("/alert list", user_id=MEMBER)
