"""Inline mode through the stand-in: `@bot QUERY` in any chat offers the latest matching stories as ready
messages (title, sources, link) in the user's language; any query text is answered safely."""

from __future__ import annotations

from datetime import timedelta

from storage.engine import Database
from tests.handlers.conftest import USER, Driver
from tests.support.botapi import InlineAnswer
from tests.support.builders import add_story

READER = 2002  # has never written to the bot


async def ask(bot: Driver, query: str, *, user_id: int = READER, language_code: str = "es") -> InlineAnswer:
    bot.clock.advance(seconds=1)
    query_id = bot.api.inject_inline_query(user_id, query, language_code=language_code)
    return await bot.api.wait_for_inline_answer(query_id)


async def stories(bot: Driver, database: Database) -> dict[str, int]:
    """Three stories, the sanctions one reported by two outlets; newest last."""
    now = bot.clock()
    sanctions = await add_story(database, title="OFAC sanciona a tres funcionarios venezolanos",
                                published_at=now - timedelta(hours=3), topics={"sanctions": ("ofac",)},
                                link="https://elpitazo.example/ofac")
    await add_story(database, title="OFAC sanciona a tres funcionarios", published_at=now - timedelta(hours=2),
                    topics={"sanctions": ("ofac",)}, feed="Efecto Cocuyo", story_id=sanctions)
    dialogue = await add_story(database, title="Gobierno y oposición retoman el diálogo en Barbados",
                               published_at=now - timedelta(minutes=150), topics={"dialogue": ("dialogo",)})
    rally = await add_story(database, title="María Corina Machado convoca a una concentración en Petare",
                            published_at=now - timedelta(hours=1), topics={"protests": ("concentracion",)})
    return {"sanctions": sanctions, "dialogue": dialogue, "rally": rally}


async def test_a_topic_name_offers_its_latest_stories_as_ready_messages_in_spanish(
        bot: Driver, database: Database) -> None:
    ids = await stories(bot, database)
    answer = await ask(bot, "sanciones")
    assert [result["id"] for result in answer.results] == [str(ids["sanctions"])]
    [result] = answer.results
    assert result["type"] == "article"
    assert result["title"] == "OFAC sanciona a tres funcionarios venezolanos"
    assert "Fuentes: El Pitazo, Efecto Cocuyo" in result["description"]
    assert answer.texts[0].plain == ("OFAC sanciona a tres funcionarios venezolanos\n"
                                     "Fuentes: El Pitazo, Efecto Cocuyo\nhttps://elpitazo.example/ofac")
    assert answer.params["cache_time"] == 30 and answer.params["is_personal"] is True


async def test_an_english_topic_name_answers_in_english(bot: Driver, database: Database) -> None:
    ids = await stories(bot, database)
    answer = await ask(bot, "Dialogue", language_code="en")
    assert [result["id"] for result in answer.results] == [str(ids["dialogue"])]
    assert answer.texts[0].plain.splitlines()[1] == "Sources: El Pitazo"


async def test_the_language_the_user_chose_in_the_bot_wins_over_the_apps(bot: Driver, database: Database) -> None:
    await stories(bot, database)
    await bot.say("/language en", chat_id=USER, language_code="es")
    answer = await ask(bot, "sanciones", user_id=USER, language_code="es")
    assert answer.texts[0].plain.splitlines()[1] == "Sources: El Pitazo, Efecto Cocuyo"


async def test_free_words_find_titles_with_all_of_them_accents_case_and_unfinished_words_aside(
        bot: Driver, database: Database) -> None:
    ids = await stories(bot, database)
    assert [r["id"] for r in (await ask(bot, "machado PETARE")).results] == [str(ids["rally"])]
    assert [r["id"] for r in (await ask(bot, "maría conc")).results] == [str(ids["rally"])]
    assert [r["id"] for r in (await ask(bot, "funcionarios")).results] == [str(ids["sanctions"])]
    assert (await ask(bot, "machado barbados")).results == []


async def test_an_empty_query_offers_the_latest_stories_newest_first(bot: Driver, database: Database) -> None:
    ids = await stories(bot, database)
    answer = await ask(bot, "")
    assert [result["id"] for result in answer.results] == [str(ids["rally"]), str(ids["sanctions"]),
                                                           str(ids["dialogue"])]


async def test_nothing_found_offers_a_button_to_the_bot_in_the_users_language(bot: Driver, database: Database) -> None:
    await stories(bot, database)
    answer = await ask(bot, "terremoto", language_code="en")
    assert answer.results == []
    assert answer.params["button"] == {"text": "Nothing recent matches. Open Centinela", "start_parameter": "inline"}
    spanish = await ask(bot, "terremoto")
    assert spanish.params["button"]["text"] == "Nada reciente coincide. Abrir Centinela"


async def test_hostile_query_text_and_titles_are_answered_safely(bot: Driver, database: Database) -> None:
    story = await add_story(database, title='Fiscal <b>"acusa"</b> & <script>alert(1)</script> a Machado',
                            published_at=bot.clock() - timedelta(hours=1), topics={"protests": ("machado",)})
    for query in ("<script>alert(1)</script>", "' OR 1=1 --", "%_\\", "machado " + "x" * 240, "🙂" * 64):
        answer = await ask(bot, query)
        assert all(result["id"] == str(story) for result in answer.results)
    [result] = (await ask(bot, "<b>machado</b>")).results
    assert result["title"] == 'Fiscal <b>"acusa"</b> & <script>alert(1)</script> a Machado'
    assert (await ask(bot, "<b>machado</b>")).texts[0].plain.startswith(
        'Fiscal <b>"acusa"</b> & <script>alert(1)</script> a Machado\n')
    assert bot.api.failures == []
