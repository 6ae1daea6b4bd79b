"""Forum topics through the stand-in: in a supergroup with topics, what is set inside a topic belongs to that
topic and its alerts and digest go to that thread; the General topic is the group as before; a deleted or
closed topic stops its own deliveries and nothing else."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from delivery.fanout import enqueue_deliveries, load_keyword_index
from model import DeliveryStatus
from storage import deliveries as outbox
from storage import forum
from storage.engine import Database
from storage.tables import chats, deliveries
from tests.handlers.conftest import ADMIN, MEMBER, Driver
from tests.support.botapi import SentMessage
from tests.support.builders import add_story
from tests.support.chats import new_story_events
from tests.support.delivery import make_sender

FORUM = -1003000000001


async def in_topic(bot: Driver, text: str, thread: int | None, *, user_id: int = ADMIN,
                   language_code: str = "es") -> SentMessage:
    """Write `text` in one topic of the forum (None: the General topic); return the bot's one reply there."""
    before = len(bot.api.messages_in(FORUM, thread))
    bot.clock.advance(seconds=1)
    bot.api.inject_message(FORUM, text, user_id=user_id, chat_type="supergroup", language_code=language_code,
                           title="Redacción", thread_id=thread)
    await bot.api.wait_for(lambda: len(bot.api.messages_in(FORUM, thread)) > before, what=f"a reply in {thread}")
    [reply] = bot.api.messages_in(FORUM, thread)[before:]
    return reply


async def publish(bot: Driver, database: Database, title: str, topic: str) -> None:
    """Store a story of `topic` an hour old and fan it out, as an ingestion cycle would."""
    story_id = await add_story(database, title=title, published_at=bot.clock() - timedelta(hours=1),
                               topics={topic: (topic,)})
    async with database.transaction() as session:
        await enqueue_deliveries(session, await new_story_events(database, [story_id]),
                                 keyword_index=await load_keyword_index(session), now=bot.clock())


async def drain(bot: Driver, database: Database) -> None:
    await make_sender(bot.app.bot, database, bot.clock, bot.settings.topics).drain()


@pytest.fixture
def topics(bot: Driver) -> tuple[int, int]:
    bot.api.set_admins(FORUM, [ADMIN])
    return bot.api.open_forum_topic(FORUM, title="Redacción"), bot.api.open_forum_topic(FORUM)


async def test_each_topic_has_its_own_settings_and_gets_its_own_alerts(
        bot: Driver, database: Database, topics: tuple[int, int]) -> None:
    sanctions, cne = topics
    assert (await in_topic(bot, "/subscribe sanciones", sanctions)).plain_text.startswith("Ahora sigues: Sanciones.")
    await in_topic(bot, "/language en", cne)
    assert (await in_topic(bot, "/subscribe cne", cne)).plain_text.startswith("You now follow: CNE and elections.")
    await in_topic(bot, "/alert add Machado", cne)
    await in_topic(bot, "/subscribe protestas", None)  # the General topic: the group itself

    settings_sanctions = (await in_topic(bot, "/settings", sanctions, user_id=MEMBER)).plain_text
    assert settings_sanctions.startswith("Configuración de este tema\n") and "Temas: Sanciones\n" in settings_sanctions
    settings_cne = (await in_topic(bot, "/settings", cne, user_id=MEMBER)).plain_text
    assert settings_cne.startswith("This topic's settings\n")
    assert "Language: English" in settings_cne and "Topics: CNE and elections\n" in settings_cne
    assert "Keyword alerts: 1" in settings_cne
    settings_group = (await in_topic(bot, "/settings", None, user_id=MEMBER)).plain_text
    assert settings_group.startswith("Configuración de este chat\n") and "Temas: Protestas\n" in settings_group

    await publish(bot, database, "OFAC sanciona a tres funcionarios", "sanctions")
    await publish(bot, database, "El CNE fija la fecha de las elecciones", "cne")
    await publish(bot, database, "Marcha en Caracas", "protests")
    await publish(bot, database, "María Corina Machado convoca a una concentración", "dialogue")
    before = {thread: len(bot.api.messages_in(FORUM, thread)) for thread in (sanctions, cne, None)}
    await drain(bot, database)

    def alerts(thread: int | None) -> list[str]:
        return [message.plain_text for message in bot.api.messages_in(FORUM, thread)[before[thread]:]]

    [to_sanctions] = alerts(sanctions)
    assert "OFAC sanciona a tres funcionarios" in to_sanctions and "Sanciones" in to_sanctions
    to_cne = alerts(cne)
    assert len(to_cne) == 2
    assert "El CNE fija la fecha de las elecciones" in to_cne[0] and "CNE and elections" in to_cne[0]
    assert "María Corina Machado convoca" in to_cne[1] and "Machado" in to_cne[1]
    [to_general] = alerts(None)
    assert "Marcha en Caracas" in to_general
    assert bot.api.failures == []


async def test_the_digest_asked_for_in_a_topic_goes_to_that_topic(
        bot: Driver, database: Database, topics: tuple[int, int]) -> None:
    sanctions, cne = topics
    await in_topic(bot, "/subscribe sanctions", sanctions, language_code="en")
    await add_story(database, title="Treasury lifts sanctions on oil", published_at=bot.clock() - timedelta(hours=2),
                    topics={"sanctions": ("sanctions",)})
    digest = await in_topic(bot, "/digest now", sanctions, language_code="en")
    assert "Treasury lifts sanctions on oil" in digest.plain_text
    assert bot.api.messages_in(FORUM, cne) == [] and bot.api.messages_in(FORUM, None) == []


@pytest.mark.parametrize("end", ["delete_forum_topic", "close_forum_topic"])
async def test_a_deleted_or_closed_topic_stops_its_deliveries_and_only_its_own(
        bot: Driver, database: Database, topics: tuple[int, int], end: str) -> None:
    gone, alive = topics
    await in_topic(bot, "/subscribe sanctions", gone)
    await in_topic(bot, "/subscribe sanctions", alive)
    await in_topic(bot, "/subscribe sanctions", None)
    getattr(bot.api, end)(FORUM, gone)
    await publish(bot, database, "OFAC sanciona a tres funcionarios", "sanctions")
    before = len(bot.api.sent)
    await drain(bot, database)

    arrived = [(message.thread_id, message.plain_text) for message in bot.api.sent[before:]]
    assert sorted(thread or 0 for thread, _ in arrived) == [0, alive]
    [(_, refusal)] = [(call.params.get("message_thread_id"), failure.description) for call, failure in bot.api.failures]
    assert refusal in ("Bad Request: message thread not found", "Bad Request: TOPIC_CLOSED")
    async with database.transaction() as session:
        gone_key = await forum.find_topic_key(session, FORUM, gone)
        alive_key = await forum.find_topic_key(session, FORUM, alive)
        active = dict((await session.execute(select(chats.c.id, chats.c.active)
                                              .where(chats.c.id.in_([FORUM, gone_key, alive_key])))).all())
    assert active == {FORUM: True, gone_key: False, alive_key: True}

    await publish(bot, database, "EE.UU. amplía las sanciones petroleras", "sanctions")  # nothing more for it
    async with database.transaction() as session:
        pending = (await session.execute(select(deliveries.c.chat_id).where(
            deliveries.c.status == DeliveryStatus.PENDING.value))).scalars().all()
    assert sorted(pending) == sorted([FORUM, alive_key])
    await drain(bot, database)
    assert len(bot.api.failures) == 1
    async with database.transaction() as session:
        assert (await outbox.counts(session, gone_key)).get("sent", 0) == 0


async def test_a_reopened_topic_gets_its_alerts_again_once_someone_subscribes_there(
        bot: Driver, database: Database, topics: tuple[int, int]) -> None:
    topic, _ = topics
    await in_topic(bot, "/subscribe sanctions", topic)
    bot.api.close_forum_topic(FORUM, topic)
    await publish(bot, database, "OFAC sanciona a tres funcionarios", "sanctions")
    await drain(bot, database)
    assert len(bot.api.failures) == 1
    bot.api.reopen_forum_topic(FORUM, topic)
    assert "Temas: Sanciones\nAlertas de palabras: 0 (/alerts)\nEstado: detenido (/start para volver)" in (
        await in_topic(bot, "/settings", topic)).plain_text
    await in_topic(bot, "/subscribe sanctions", topic)
    await publish(bot, database, "EE.UU. amplía las sanciones petroleras", "sanctions")
    await drain(bot, database)
    assert "EE.UU. amplía las sanciones petroleras" in bot.api.messages_in(FORUM, topic)[-1].plain_text


async def test_a_button_pressed_in_a_topic_changes_that_topic(bot: Driver, topics: tuple[int, int]) -> None:
    sanctions, cne = topics
    reply = await in_topic(bot, "/topics", sanctions, language_code="en")
    assert reply.thread_id == sanctions
    answer = await bot.press(reply, "topic:list:cne", language_code="en")
    assert answer["text"] == "You now follow CNE and elections."
    assert "Topics: CNE and elections\n" in (await in_topic(bot, "/settings", sanctions, language_code="en")).plain_text
    assert "Topics: none\n" in (await in_topic(bot, "/settings", cne, language_code="en")).plain_text
