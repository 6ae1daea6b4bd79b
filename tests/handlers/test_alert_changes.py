"""Keyword alerts take effect for the next story stored, and a new one catches the last hour's stories at once;
an alert is shown as typed (markup stripped), through the stand-in and the runtime's own fan-out hook."""

from __future__ import annotations

import pytest

from handlers.services import Services
from tests.handlers.conftest import USER, Driver

TITLE = "María Corina Machado convoca a una concentración en Petare"


async def alerts_sent(bot: Driver, count: int) -> list[str]:
    services: Services = bot.app.bot_data
    before = len(bot.api.messages_for(USER))
    await services.sender.drain()
    messages = await bot.api.wait_for_messages(USER, before + count)
    return [message.plain_text for message in messages[before:]]


@pytest.mark.parametrize(("lang", "fired"), [
    pytest.param("es", "Alerta: «\"María Corina Machado\"»", id="es"),
    pytest.param("en", "Alert: “\"María Corina Machado\"”", id="en"),
])
async def test_an_added_alert_counts_and_a_removed_one_stops_for_the_very_next_story(
        bot: Driver, lang: str, fired: str) -> None:
    await bot.say("/alert add petare", language_code=lang)
    await bot.new_story("Lluvias en Caracas")  # the hook has now loaded the alerts of the moment
    await bot.say("/alert remove petare", language_code=lang)
    await bot.say('/alert add "María Corina Machado"', language_code=lang)
    bot.clock.advance(seconds=20)
    await bot.new_story(TITLE)
    [alert] = await alerts_sent(bot, 1)
    assert TITLE in alert and fired in alert
    assert "petare»" not in alert and "petare”" not in alert


@pytest.mark.parametrize("lang", ["es", "en"])
async def test_a_new_alert_catches_a_story_of_the_last_hour_at_once(bot: Driver, lang: str) -> None:
    await bot.new_story(TITLE)
    bot.clock.advance(seconds=20)
    await bot.say('/alert add "maría corina machado" petare', language_code=lang)
    [alert] = await alerts_sent(bot, 1)
    assert TITLE in alert


async def test_a_story_older_than_an_hour_is_not_caught_by_a_new_alert(bot: Driver) -> None:
    await bot.new_story(TITLE)
    bot.clock.advance(hours=1, minutes=1)
    await bot.say("/alert add petare")
    services: Services = bot.app.bot_data
    report = await services.sender.drain()
    assert report.messages == 0


@pytest.mark.parametrize(("lang", "saved"), [
    pytest.param("es", "Alerta guardada: negrita alert(1)", id="es"),
    pytest.param("en", "Alert saved: negrita alert(1)", id="en"),
])
async def test_markup_in_an_alert_is_stripped_before_it_is_parsed(bot: Driver, lang: str, saved: str) -> None:
    answer = await bot.say("/alert add <b>negrita</b> <script>alert(1)</script>", language_code=lang)
    assert answer.startswith(saved)
    listed = await bot.say("/alerts", language_code=lang)
    assert "1. negrita alert(1)\n" in listed and "script" not in listed and "<b>" not in listed
