"""/latest through the stand-in: newest first, title, source(s), local time and link, escaped; the chat's
topics when none is given; at most 20; an empty result says so."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from storage import chats as chat_store
from storage.engine import Database
from tests.handlers.conftest import GROUP, MEMBER, USER, Driver
from tests.support.builders import add_story

OTHER_USER = USER + 50
T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # 06:00 in Caracas, 11:00 in Madrid


async def _sanctions(database: Database, count: int) -> None:
    for n in range(count):
        await add_story(database, title=f"Sanción número {n}", published_at=T0 - timedelta(hours=n),
                        topics={"sanctions": ("sancion*",)}, feed="Efecto Cocuyo")


def _links(message) -> list[str]:  # type: ignore[no-untyped-def]
    return [entity.argument for entity in message.entities if entity.kind == "text_link"]


async def test_latest_topic_shows_the_five_newest_with_source_local_time_and_link(bot: Driver, database: Database) -> None:
    await _sanctions(database, 7)
    [reply] = await bot.send("/latest sanciones", language_code="es")
    lines = reply.plain_text.split("\n")
    assert lines[0] == "Últimas noticias: Sanciones"
    titles = [line for line in lines if line.startswith("Sanción número")]
    assert titles == [f"Sanción número {n}" for n in range(5)]
    assert "Efecto Cocuyo · 23/11 06:00" in lines
    assert _links(reply)[0].startswith("https://efectococuyo.example/")
    assert reply.disable_preview


async def test_latest_with_a_count(bot: Driver, database: Database) -> None:
    await _sanctions(database, 7)
    [reply] = await bot.send("/latest 2 sanctions")
    assert reply.plain_text.count("Sanción número") == 2


async def test_more_than_twenty_is_capped_at_twenty_and_says_so(bot: Driver, database: Database) -> None:
    await _sanctions(database, 25)
    replies = await bot.send("/latest sanctions 100")
    text = "\n".join(reply.plain_text for reply in replies)
    assert "I show 20 at most." in text
    assert text.count("Sanción número") == 20


async def test_without_a_topic_latest_uses_the_chats_topics(bot: Driver, database: Database) -> None:
    await _sanctions(database, 2)
    await add_story(database, title="El CNE fija la fecha", published_at=T0 - timedelta(minutes=30),
                    topics={"cne": ("cne",)})
    await bot.say("/subscribe cne")
    answer = await bot.say("/latest")
    assert answer.startswith("Latest news: CNE and elections")
    assert "El CNE fija la fecha" in answer and "Sanción" not in answer


async def test_times_follow_the_chats_time_zone(bot: Driver, database: Database) -> None:
    await _sanctions(database, 1)
    await bot.say("/timezone Europe/Madrid")
    assert "Efecto Cocuyo · 23 Nov 11:00" in await bot.say("/latest sanctions")


async def test_a_story_from_several_outlets_names_each_of_them(bot: Driver, database: Database) -> None:
    story = await add_story(database, title="OFAC sanciona", published_at=T0, topics={"sanctions": ("ofac",)},
                            feed="El Pitazo")
    await add_story(database, title="EE. UU. sanciona", published_at=T0, topics={"sanctions": ("sanciona",)},
                    feed="Runrunes", story_id=story)
    assert (await bot.say("/latest sanctions")).endswith("El Pitazo, Runrunes · 23 Nov 06:00")


async def test_feed_text_is_escaped(bot: Driver, database: Database) -> None:
    await add_story(database, title="<b>Maduro</b> & </a> sanciones", published_at=T0,
                    topics={"sanctions": ("sanciones",)}, feed="<i>Outlet</i>")
    [reply] = await bot.send("/latest sanctions")
    assert "<b>Maduro</b> & </a> sanciones" in reply.plain_text
    assert "<i>Outlet</i>" in reply.plain_text


async def test_an_empty_topic_says_so(bot: Driver, database: Database) -> None:
    await _sanctions(database, 3)
    assert await bot.say("/latest protestas", language_code="es") == "Todavía no hay noticias de Protestas."


async def test_a_group_member_may_read_latest(bot: Driver, database: Database) -> None:
    await _sanctions(database, 3)
    answer = await bot.group("/latest sanctions", user_id=MEMBER)
    assert answer.count("Sanción número") == 3
    assert bot.api.calls_to("getChatMember") == []  # reading needs no admin check
    assert bot.api.messages_for(GROUP)


async def test_latest_answers_while_a_writer_holds_the_database_and_the_chat_waiting_for_it_answers_after(
        bot: Driver, database: Database) -> None:
    await _sanctions(database, 2)
    await bot.say("/subscribe sanctions")  # USER is stored, following sanctions
    writer = OTHER_USER
    async with bot.app.bot_data.database.transaction() as session:
        # Ingestion storing a batch: the database's write lock is taken (SQLite) or the chats table
        # closed to writers (PostgreSQL) until this block ends.
        if database.dialect == "sqlite":
            await session.execute(text("UPDATE chats SET title = title WHERE id = -1"))
        else:
            await session.execute(text("LOCK TABLE chats IN EXCLUSIVE MODE"))
        bot.clock.advance(seconds=1)
        bot.api.inject_message(writer, "/subscribe cne", user_id=writer)  # a command that writes: it waits
        [reply] = await bot.send("/latest")  # a command that reads answers meanwhile, and a new chat's too
        [stranger] = await bot.send("/latest", chat_id=OTHER_USER + 1)
        assert bot.api.messages_for(writer) == []  # still waiting for the writer
    assert "Sanción número 0" in reply.plain_text
    assert stranger.plain_text.startswith("This chat follows no topic yet.")
    [saved] = await bot.api.wait_for_messages(writer, 1)
    assert saved.plain_text.startswith("You now follow: CNE and elections.")
    async with database.transaction() as session:  # the stranger only read: nothing was stored for it
        assert await chat_store.get_chat(session, OTHER_USER + 1) is None
