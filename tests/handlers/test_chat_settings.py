"""/digest, /mode, /timezone, /language, /settings and /stop through the stand-in: each change shows in
/settings, /digest now sends the digest at once, and /stop turns everything off."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage import chats as chat_store
from storage.engine import Database
from tests.handlers.conftest import GROUP, MEMBER, USER, Driver
from tests.support.builders import add_story


async def test_settings_show_the_defaults_of_a_new_chat(bot: Driver) -> None:
    assert await bot.say("/settings", language_code="es") == (
        "Configuración de este chat\nIdioma: español\nZona horaria: America/Caracas\nResumen diario: 08:00\n"
        "Modo: instantáneo (cada noticia en cuanto llega)\nHoras de silencio: ninguno\nTemas: ninguno\n"
        "Alertas de palabras: 0 (/alerts)\n"
        "Estado: activo")


async def test_each_setting_shows_in_settings(bot: Driver) -> None:
    await bot.say("/subscribe sanctions cne")
    await bot.say("/digest 7:05")
    await bot.say("/mode digest")
    await bot.say("/timezone europe/madrid")
    await bot.say("/quiet 23:30-6:45")
    assert await bot.say("/settings") == (
        "This chat's settings\nLanguage: English\nTime zone: Europe/Madrid\nDaily digest: 07:05\n"
        "Mode: daily digest only\nQuiet hours: 23:30 to 06:45\nTopics: Sanctions, CNE and elections\n"
        "Keyword alerts: 0 (/alerts)\n"
        "State: active")


async def test_turning_the_digest_off_in_digest_mode_warns_that_nothing_will_arrive(bot: Driver) -> None:
    await bot.say("/mode digest")
    assert await bot.say("/digest off") == (
        "Daily digest off. /digest 08:00 turns it back on.\n"
        "Note: in digest mode with the digest off, this chat will receive nothing. /mode instant changes the mode.")
    assert "Digest mode: only the daily digest, which is off now." in await bot.say("/mode digest")


async def test_digest_now_sends_the_chats_topics_of_the_last_24_hours(bot: Driver, database: Database) -> None:
    now = bot.clock()
    await add_story(database, title="Nuevas sanciones", published_at=now - timedelta(hours=3),
                    topics={"sanctions": ("sanciones",)})
    await add_story(database, title="Sanciones de hace dos días", published_at=now - timedelta(days=2),
                    topics={"sanctions": ("sanciones",)})
    await add_story(database, title="Marcha en Caracas", published_at=now - timedelta(hours=1),
                    topics={"protests": ("marcha",)})
    await bot.say("/subscribe sanctions", language_code="es")
    answer = await bot.say("/digest now")
    assert answer.startswith("📰 Resumen diario · 23/11/2026\n\n▸ Sanciones")
    assert "Nuevas sanciones" in answer
    assert "dos días" not in answer and "Marcha" not in answer


async def test_digest_now_starts_at_the_last_digest_when_that_is_more_recent(bot: Driver, database: Database) -> None:
    now = bot.clock()
    await add_story(database, title="Antes del resumen", published_at=now - timedelta(hours=5),
                    topics={"cne": ("cne",)})
    await bot.say("/subscribe cne")
    async with database.transaction() as session:
        await session.execute(chat_store.chats.update().values(last_digest_at=now - timedelta(hours=2)))
    answer = await bot.say("/digest now")
    assert answer.startswith("No news about CNE and elections since 23 Nov")


async def test_a_group_member_may_ask_for_the_digest_now_but_not_change_it(bot: Driver) -> None:
    assert "no sigue ningún tema" in await bot.group("/digest now", user_id=MEMBER)
    assert "solo los administradores" in await bot.group("/digest 09:00", user_id=MEMBER)
    assert "Resumen diario: 08:00" in await bot.group("/settings", user_id=MEMBER)


async def test_language_changes_every_later_reply(bot: Driver) -> None:
    await bot.say("/language español")
    assert (await bot.say("/settings")).startswith("Configuración de este chat\nIdioma: español")


async def test_stop_turns_everything_off_and_says_how_to_come_back(bot: Driver, database: Database) -> None:
    await bot.say("/subscribe sanctions", language_code="es")  # the first contact sets the chat's language
    async with database.transaction() as session:
        await chat_store.add_alert(session, USER, "maduro", now=bot.clock(), limit=20)
    assert await bot.say("/stop") == (
        "Listo: dejé de escribir en este chat. Borré sus temas, sus alertas de palabras y el resumen diario.\n"
        "Para volver, escribe /start.")
    settings = await bot.say("/settings")
    assert "Temas: ninguno" in settings and "Alertas de palabras: 0" in settings
    assert "Resumen diario: desactivado" in settings and "Estado: detenido (/start para volver)" in settings


async def test_a_group_member_cannot_stop_the_group(bot: Driver) -> None:
    await bot.group("/subscribe cne")
    assert "solo los administradores" in await bot.group("/stop", user_id=MEMBER)
    assert "Estado: activo" in await bot.group("/settings", user_id=MEMBER)
    async with database_of(bot).transaction() as session:
        assert await chat_store.chat_topics(session, GROUP) == ("cne",)


def database_of(bot: Driver) -> Database:
    return bot.app.bot_data.database


async def test_settings_changes_keep_the_chats_updated_at_moving(bot: Driver) -> None:
    await bot.say("/mode digest")
    bot.clock.set(datetime(2026, 12, 1, tzinfo=UTC))
    await bot.say("/mode instant")
    async with database_of(bot).transaction() as session:
        updated = (await session.execute(chat_store.chats.select())).one().updated_at
    assert updated == datetime(2026, 12, 1, 0, 0, 1, tzinfo=UTC)
