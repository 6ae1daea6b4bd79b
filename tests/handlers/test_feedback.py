"""Readers' feedback through the real bot and the Bot API stand-in, in Spanish and English: the "not about
<topic>" button under alerts and bundles, what a press stores and answers (once per chat, whoever presses),
/stats' share of flagged alerts per topic, and /flagged's JSON Lines document for the bot's administrators."""

from __future__ import annotations

import dataclasses
import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from handlers.services import Services
from model import NewDelivery
from ops.classify import run_evaluate
from settings import Settings
from storage import deliveries as outbox
from storage.tables import feedback
from tests.handlers.conftest import ADMIN, GROUP, MEMBER, USER, Driver
from tests.support.botapi import SentDocument, SentMessage
from tests.support.builders import add_story

OWNER = 777  # the bot's administrator (telegram.admin_ids)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, telegram=dataclasses.replace(settings.telegram, admin_ids=(OWNER,)))


async def story(bot: Driver, title: str, *, topics: dict[str, tuple[str, ...]], summary: str = "",
                feed: str = "El Pitazo", language: str = "es") -> int:
    return await add_story(bot.app.bot_data.database, title=title, summary=summary, feed=feed, language=language,
                           published_at=bot.clock() - timedelta(hours=1), topics=topics)


async def alert(bot: Driver, chat_id: int, story_ids: list[int], topics: tuple[str, ...] = ("sanctions",),
                phrases: tuple[str, ...] = ()) -> list[SentMessage]:
    """Queue the stories for the chat, drain the outbox, and return the messages the chat got."""
    services: Services = bot.app.bot_data
    before = len(bot.api.messages_for(chat_id))
    bot.clock.advance(seconds=5)  # past the chat's next turn: the sender need not wait for it
    async with services.database.transaction() as session:
        await outbox.enqueue(session, [NewDelivery(chat_id, story_id, topics, phrases) for story_id in story_ids],
                             now=bot.clock())
    await services.sender.drain()
    return bot.api.messages_for(chat_id)[before:]


async def flagged_document(bot: Driver, command: str, *, lang: str = "en") -> SentDocument:
    before = len(bot.api.documents)
    bot.clock.advance(seconds=1)
    bot.api.inject_message(OWNER, command, user_id=OWNER, language_code=lang)
    await bot.api.wait_for(lambda: len(bot.api.documents) > before, what="the /flagged document")
    return bot.api.documents[before]


# --------------------------------------------------------------------------------------------------
# The button and what a press does


@pytest.mark.parametrize(("lang", "label", "noted", "already"), [
    ("es", "👎 No es de Sanciones", "Gracias: queda anotado que no es de Sanciones.",
     "Ya estaba anotado que no es de Sanciones."),
    ("en", "👎 Not about Sanctions", "Thanks: noted that this is not about Sanctions.",
     "It was already noted that this is not about Sanctions."),
])
async def test_an_alert_carries_the_button_and_a_press_is_noted_once(
        bot: Driver, lang: str, label: str, noted: str, already: str) -> None:
    await bot.say("/subscribe sanctions", language_code=lang)
    story_id = await story(bot, "Cae la producción de Sanciones Textiles en Maracay", topics={"sanctions": ("sancion",)})
    [message] = await alert(bot, USER, [story_id])
    assert bot.buttons(message) == [(label, f"nt:{story_id}:sanctions")]

    first = await bot.press(message, f"nt:{story_id}:sanctions")
    assert (first["text"], first.get("show_alert", False)) == (noted, False)
    second = await bot.press(message, f"nt:{story_id}:sanctions")
    assert second["text"] == already
    async with bot.app.bot_data.database.transaction() as session:
        [row] = (await session.execute(select(feedback))).all()
    assert (row.chat_id, row.story_id, row.topic) == (USER, story_id, "sanctions")


async def test_a_story_of_two_topics_gets_a_button_for_each(bot: Driver) -> None:
    await bot.say("/subscribe sanctions cne", language_code="es")
    story_id = await story(bot, "El CNE y las sanciones", topics={"sanctions": ("x",), "cne": ("cne",)})
    [message] = await alert(bot, USER, [story_id], topics=("cne", "sanctions"))
    assert bot.buttons(message) == [("👎 No es de Sanciones", f"nt:{story_id}:sanctions"),
                                    ("👎 No es de CNE y elecciones", f"nt:{story_id}:cne")]
    answer = await bot.press(message, f"nt:{story_id}:cne")
    assert answer["text"] == "Gracias: queda anotado que no es de CNE y elecciones."


async def test_anyone_in_a_group_may_press_and_it_counts_once_for_the_group(bot: Driver) -> None:
    await bot.group("/subscribe sanctions", user_id=ADMIN, language_code="es")
    story_id = await story(bot, "Sanciones deportivas a la Vinotinto", topics={"sanctions": ("sancion",)})
    [message] = await alert(bot, GROUP, [story_id])
    member = await bot.press(message, f"nt:{story_id}:sanctions", user_id=MEMBER)
    admin = await bot.press(message, f"nt:{story_id}:sanctions", user_id=ADMIN)
    assert member["text"] == "Gracias: queda anotado que no es de Sanciones."
    assert admin["text"] == "Ya estaba anotado que no es de Sanciones."
    assert "Sanciones 1 de 1 (100,0 %)" in await bot.say("/stats", chat_id=OWNER, language_code="es")


@pytest.mark.parametrize(("lang", "expected"), [("es", "Este botón es de un mensaje antiguo y ya no sirve."),
                                                ("en", "This button belongs to an old message and no longer works.")])
async def test_a_button_for_a_story_this_chat_was_not_alerted_of_is_answered_as_outdated(
        bot: Driver, lang: str, expected: str) -> None:
    await bot.say("/subscribe sanctions", language_code=lang)
    alerted = await story(bot, "OFAC sanciona a dos funcionarios", topics={"sanctions": ("ofac",)})
    other = await story(bot, "Otra noticia", topics={"sanctions": ("x",)})
    [message] = await alert(bot, USER, [alerted])
    for data in (f"nt:{other}:sanctions", f"nt:{alerted}:cne", "nt:abc:sanctions", "nt:99999999999:sanctions"):
        answer = await bot.press(message, data)
        assert (answer["text"], answer["show_alert"]) == (expected, True), data
    assert "Sanctions 0 of 1 (0.0%)" in await bot.say("/stats", chat_id=OWNER)


async def test_a_bundle_has_one_button_per_story_named_by_its_title(bot: Driver) -> None:
    await bot.say("/subscribe sanctions", language_code="en")
    titles = [f"Treasury sanctions official number {index} of the Venezuelan government for corruption"
              for index in range(7)]
    story_ids = [await story(bot, title, topics={"sanctions": ("sanction",)}, language="en") for title in titles]
    [bundle] = await alert(bot, USER, story_ids)
    buttons = bot.buttons(bundle)
    assert [data for _, data in buttons] == [f"nt:{story_id}:sanctions" for story_id in story_ids]
    assert buttons[3][0] == "👎 Not about Sanctions: Treasury sanctions official number 3…"
    answer = await bot.press(bundle, buttons[3][1])
    assert answer["text"] == "Thanks: noted that this is not about Sanctions."


async def test_a_keyword_alert_has_no_topic_to_flag(bot: Driver) -> None:
    await bot.say("/alert add Petare", language_code="es")
    story_id = await story(bot, "Concentración en Petare", topics={})
    [message] = await alert(bot, USER, [story_id], topics=(), phrases=("petare",))
    assert message.reply_markup is None


# --------------------------------------------------------------------------------------------------
# /stats and /flagged


async def test_stats_shows_the_share_flagged_of_the_last_seven_days(bot: Driver) -> None:
    await bot.say("/subscribe sanctions cne", language_code="en")
    await bot.group("/subscribe sanctions", user_id=ADMIN, language_code="es")
    old = await story(bot, "An old sanctions story", topics={"sanctions": ("x",)})
    [old_message] = await alert(bot, USER, [old])
    await bot.press(old_message, f"nt:{old}:sanctions")
    bot.clock.advance(days=8)  # that alert and its flag leave the window
    recent = [await story(bot, f"Sanctions story {index}", topics={"sanctions": ("x",)}) for index in range(3)]
    messages = [message for story_id in recent for message in await alert(bot, USER, [story_id])]
    [group_message] = await alert(bot, GROUP, [recent[0]])
    await bot.press(messages[0], f"nt:{recent[0]}:sanctions")
    await bot.press(group_message, f"nt:{recent[0]}:sanctions", user_id=MEMBER)
    english = await bot.say("/stats", chat_id=OWNER)
    assert english.endswith("Alerts of the last 7 days flagged “not about this topic”: Protests 0 of 0 · "
                            "Sanctions 2 of 4 (50.0%) · CNE and elections 0 of 0 · Dialogue 0 of 0")


@pytest.mark.parametrize("lang", ["es", "en"])
async def test_flagged_sends_the_flagged_stories_as_labelled_json_lines(bot: Driver, lang: str,
                                                                        tmp_path: Path) -> None:
    await bot.say("/subscribe sanctions cne", language_code="es")
    await bot.group("/subscribe sanctions", user_id=ADMIN, language_code="es")
    flagged = await story(bot, "Sanciones deportivas a la Vinotinto", summary="La FIFA multa a la federación.",
                          topics={"sanctions": ("sancion",), "cne": ("eleccion",)}, feed="Tal Cual")
    fine = await story(bot, "OFAC sanciona a dos funcionarios", topics={"sanctions": ("ofac",)})
    [message] = await alert(bot, USER, [flagged], topics=("sanctions", "cne"))
    await alert(bot, USER, [fine])
    [group_message] = await alert(bot, GROUP, [flagged])
    await bot.press(message, f"nt:{flagged}:sanctions")
    await bot.press(group_message, f"nt:{flagged}:sanctions", user_id=MEMBER)
    await bot.say("/start", chat_id=OWNER, language_code=lang)

    document = await flagged_document(bot, "/flagged 7d", lang=lang)
    assert document.chat_id == OWNER and document.filename == "flagged-2026-11-16-2026-11-23.jsonl"
    [line] = [json.loads(raw) for raw in document.content.decode("utf-8").splitlines()]
    assert line == {
        "id": f"feedback-{flagged}", "lang": "es", "title": "Sanciones deportivas a la Vinotinto",
        "summary": "La FIFA multa a la federación.", "source": "Tal Cual",
        "ref": line["ref"], "date": "2026-11-23", "topics": ["cne"], "hard": True,
        "note": "from readers' feedback: not about sanctions (2 chats); the classifier said cne, sanctions; "
                "topics are a proposal, needs review"}
    assert line["ref"].startswith("https://talcual.example/")
    labelled = tmp_path / document.filename  # what `bot.py evaluate` reads, as the corpus is read
    labelled.write_bytes(document.content)
    assert run_evaluate(bot.settings, labelled, io.StringIO(), io.StringIO()) == 0
    assert document.caption_plain == {
        "es": "1 noticias marcadas por los lectores del 16/11/2026 al 23/11/2026, en el formato del corpus "
              "etiquetado. Los temas son una propuesta: revisa cada una antes de añadirla.",
        "en": "1 stories readers flagged from 16 Nov 2026 to 23 Nov 2026, in the labelled corpus format. The "
              "topics are a proposal: review each one before adding it."}[lang]


async def test_flagged_takes_a_period_of_days_or_dates_in_the_chats_time_zone(bot: Driver) -> None:
    await bot.say("/subscribe sanctions", language_code="en")
    story_id = await story(bot, "Sanctions on a baseball team", topics={"sanctions": ("x",)})
    [message] = await alert(bot, USER, [story_id])
    await bot.press(message, f"nt:{story_id}:sanctions")  # 23 Nov 2026, 08:0x in Caracas
    bot.clock.advance(days=10)
    await bot.say("/start", chat_id=OWNER)
    assert await bot.say("/flagged", chat_id=OWNER) == "Nobody flagged an alert from 26 Nov 2026 to 03 Dec 2026."
    assert await bot.say("/flagged 2026-11-24 2026-11-30", chat_id=OWNER) == (
        "Nobody flagged an alert from 24 Nov 2026 to 30 Nov 2026.")
    assert (await flagged_document(bot, "/flagged 2026-11-23 2026-11-23")).filename == (
        "flagged-2026-11-23-2026-11-23.jsonl")
    assert (await flagged_document(bot, "/flagged 30d")).content.count(b"\n") == 1
    assert (await flagged_document(bot, "/flagged 2026-11-01")).content.count(b"\n") == 1


@pytest.mark.parametrize(("command", "expected"), [
    ("/flagged 0d", "The period is 1 to 366 days, like 7d."),
    ("/flagged 400d", "The period is 1 to 366 days, like 7d."),
    ("/flagged 2026-11-30 2026-11-01", "The first date comes before the second."),
    ("/flagged 2026-02-30", "“2026-02-30” is not a period: use 7d or dates YYYY-MM-DD."),
    ("/flagged last week", "“last” is not a period: use 7d or dates YYYY-MM-DD."),
])
async def test_a_bad_period_is_answered_with_what_was_wrong_and_the_usage(bot: Driver, command: str,
                                                                          expected: str) -> None:
    answer = await bot.say(command, chat_id=OWNER)
    assert answer == f"{expected}\nUsage: /flagged [7d | YYYY-MM-DD [YYYY-MM-DD]]\nExample: /flagged 30d"


@pytest.mark.parametrize(("lang", "expected"), [("es", "Este comando es solo para quienes administran el bot."),
                                                ("en", "This command is only for the bot's administrators.")])
async def test_flagged_is_for_the_bots_administrators_only(bot: Driver, lang: str, expected: str) -> None:
    assert await bot.say("/flagged 7d", language_code=lang) == expected
    assert await bot.group("/flagged", user_id=ADMIN, language_code=lang) == expected
    assert bot.api.documents == []
