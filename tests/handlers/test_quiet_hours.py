"""Quiet hours through the stand-in: /quiet 23:00-07:00 in the chat's time zone holds instant alerts as outbox
rows until the window ends, then sends them as one bundle (a sender with no memory of the night, as after a
restart, does it); /quiet silent sends them at once without a sound; /quiet off ends it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from delivery.sender import Sender
from handlers.services import Services
from model import DeliveryStatus
from storage import deliveries as outbox
from tests.handlers.conftest import USER, Driver

NIGHT = datetime(2026, 11, 24, 3, 30, tzinfo=UTC)  # 23:30 in Caracas
MORNING = datetime(2026, 11, 24, 11, 0, tzinfo=UTC)  # 07:00 in Caracas
SANCTIONS = {"sanctions": ("ofac",)}
TITLES = ("La OFAC sanciona a dos empresas petroleras", "EE. UU. amplía las sanciones a PDVSA")


def last_send_was_silent(bot: Driver) -> bool:
    return bot.api.calls_to("sendMessage")[-1].params.get("disable_notification") in (True, "true")


@pytest.mark.parametrize(("lang", "set_reply", "bundle"), [
    pytest.param("es", "Horas de silencio: de 23:00 a 07:00 (America/Caracas). Las alertas de ese horario te llegan "
                 "juntas", "🔔 2 alertas nuevas", id="es"),
    pytest.param("en", "Quiet hours: 23:00 to 07:00 (America/Caracas). Alerts in that window reach you together",
                 "🔔 2 new alerts", id="en"),
])
async def test_alerts_in_quiet_hours_are_held_in_the_outbox_and_sent_as_one_bundle_when_they_end(
        bot: Driver, lang: str, set_reply: str, bundle: str) -> None:
    await bot.say("/subscribe sanctions", language_code=lang)
    assert (await bot.say("/quiet 23:00-07:00", language_code=lang)).startswith(set_reply)
    services: Services = bot.app.bot_data
    bot.clock.set(NIGHT)
    for title in TITLES:
        await bot.new_story(title, SANCTIONS)
    sent_before = len(bot.api.messages_for(USER))
    await services.sender.drain()
    assert len(bot.api.messages_for(USER)) == sent_before  # nothing at night
    async with services.database.transaction() as session:
        held = await outbox.records(session, chat_id=USER)
    assert [(record.status, record.not_before) for record in held] == [(DeliveryStatus.PENDING, MORNING)] * 2

    bot.clock.set(MORNING)
    await Sender(bot.app.bot, services.database, bot.clock, bot.settings.topics).drain()  # no memory of the night
    [message] = (await bot.api.wait_for_messages(USER, sent_before + 1))[sent_before:]
    assert message.plain_text.startswith(bundle)
    assert all(title in message.plain_text for title in TITLES)
    assert not last_send_was_silent(bot)


@pytest.mark.parametrize(("lang", "silent_reply", "listed"), [
    pytest.param("es", "Horas de silencio: de 23:00 a 07:00 (America/Caracas). Las alertas de ese horario llegan "
                 "al momento, sin sonido.", "Horas de silencio: de 23:00 a 07:00, sin sonido", id="es"),
    pytest.param("en", "Quiet hours: 23:00 to 07:00 (America/Caracas). Alerts in that window arrive at once, "
                 "without a sound.", "Quiet hours: 23:00 to 07:00, without a sound", id="en"),
])
async def test_quiet_silent_sends_at_once_without_a_sound_and_only_in_the_window(
        bot: Driver, lang: str, silent_reply: str, listed: str) -> None:
    await bot.say("/subscribe sanctions", language_code=lang)
    await bot.say("/quiet 23:00-07:00", language_code=lang)
    assert (await bot.say("/quiet silent", language_code=lang)).startswith(silent_reply)
    assert listed in await bot.say("/settings", language_code=lang)
    services: Services = bot.app.bot_data
    bot.clock.set(NIGHT)
    await bot.new_story(TITLES[0], SANCTIONS)
    sent_before = len(bot.api.messages_for(USER))
    await services.sender.drain()
    [night] = (await bot.api.wait_for_messages(USER, sent_before + 1))[sent_before:]
    assert TITLES[0] in night.plain_text and last_send_was_silent(bot)

    bot.clock.set(MORNING)
    await bot.new_story(TITLES[1], SANCTIONS)
    await services.sender.drain()
    [day] = (await bot.api.wait_for_messages(USER, sent_before + 2))[sent_before + 1:]
    assert TITLES[1] in day.plain_text and not last_send_was_silent(bot)


@pytest.mark.parametrize(("lang", "off"), [
    pytest.param("es", "Sin horas de silencio: las alertas llegan a cualquier hora.", id="es"),
    pytest.param("en", "No quiet hours: alerts arrive at any hour.", id="en"),
])
async def test_quiet_off_sends_what_was_held_at_once(bot: Driver, lang: str, off: str) -> None:
    await bot.say("/subscribe sanctions", language_code=lang)
    await bot.say("/quiet 23:00-07:00", language_code=lang)
    services: Services = bot.app.bot_data
    bot.clock.set(NIGHT)
    await bot.new_story(TITLES[0], SANCTIONS)
    await services.sender.drain()
    sent_before = len(bot.api.messages_for(USER))
    assert await bot.say("/quiet off", language_code=lang) == off
    await services.sender.drain()
    [alert] = (await bot.api.wait_for_messages(USER, sent_before + 2))[sent_before + 1:]
    assert TITLES[0] in alert.plain_text


@pytest.mark.parametrize(("lang", "refusal"), [
    pytest.param("es", "«23:00-23:00» no es un horario como 23:00-07:00", id="es"),
    pytest.param("en", "“25:00-07:00” is not a window like 23:00-07:00", id="en"),
])
async def test_a_window_that_is_not_one_is_refused_with_the_usage(bot: Driver, lang: str, refusal: str) -> None:
    window = "23:00-23:00" if lang == "es" else "25:00-07:00"
    answer = await bot.say(f"/quiet {window}", language_code=lang)
    assert answer.startswith(refusal) and "/quiet 23:00-07:00" in answer


@pytest.mark.parametrize(("lang", "first", "none"), [
    pytest.param("es", "Primero elige el horario, por ejemplo /quiet 23:00-07:00.", "Horas de silencio: ninguno",
                 id="es"),
    pytest.param("en", "Choose the hours first, for example /quiet 23:00-07:00.", "Quiet hours: none", id="en"),
])
async def test_silent_without_a_window_asks_for_the_hours_first(bot: Driver, lang: str, first: str,
                                                               none: str) -> None:
    assert (await bot.say("/quiet silent", language_code=lang)).startswith(first)
    assert none in await bot.say("/settings", language_code=lang)
