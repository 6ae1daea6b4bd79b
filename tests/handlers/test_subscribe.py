"""/topics with its toggle buttons, /subscribe and /unsubscribe through the stand-in."""

from __future__ import annotations

import pytest

from tests.handlers.conftest import GROUP, MEMBER, Driver


async def test_topics_lists_every_topic_with_its_description_and_the_chats_choice(bot: Driver) -> None:
    await bot.say("/subscribe cne")
    [reply] = await bot.send("/topics")
    for topic in bot.settings.topics:
        mark = "✅" if topic.id == "cne" else "▫️"
        assert f"{mark} {topic.name.en}  {topic.id}\n{topic.description.en}" in reply.plain_text
    assert [label for label, _ in bot.buttons(reply)] == [
        f"{'✅' if topic.id == 'cne' else '▫️'} {topic.name.en}" for topic in bot.settings.topics]


async def test_a_topics_button_edits_the_list_in_place(bot: Driver) -> None:
    [reply] = await bot.send("/topics", language_code="es")
    answer = await bot.press(reply, "topic:list:dialogue", language_code="es")
    assert answer["text"] == "Ahora sigues Diálogo."
    edited = bot.current(reply)
    assert len(edited.edited_texts) == 1
    assert "✅ Diálogo  dialogue" in edited.plain_text
    assert ("✅ Diálogo", "topic:list:dialogue") in bot.buttons(reply)
    assert len(bot.api.messages_for(reply.chat_id)) == 1  # edited, not sent again


async def test_a_group_member_cannot_toggle_and_is_told_in_a_popup(bot: Driver) -> None:
    [reply] = await bot.send("/topics", chat_id=GROUP, chat_type="supergroup", user_id=MEMBER, language_code="es")
    answer = await bot.press(reply, "topic:list:cne", user_id=MEMBER, language_code="es")
    assert answer["show_alert"] is True and "solo los administradores" in answer["text"]
    assert bot.current(reply).edited_texts == []
    assert "Temas: ninguno" in await bot.group("/settings", user_id=MEMBER)


async def test_a_group_admin_can_toggle(bot: Driver) -> None:
    [reply] = await bot.send("/topics", chat_id=GROUP, chat_type="supergroup", language_code="es")
    await bot.press(reply, "topic:list:cne", language_code="es")  # the first to save: the group is in Spanish
    assert "Temas: CNE y elecciones" in await bot.group("/settings", user_id=MEMBER)


async def test_a_button_for_a_topic_no_longer_configured_says_so(bot: Driver) -> None:
    [reply] = await bot.send("/topics")
    answer = await bot.press(reply, "topic:list:weather")
    assert answer["text"] == "That topic no longer exists. /topics shows the current ones."


async def test_subscribe_by_name_in_any_case_and_accents_and_report_what_was_already_followed(bot: Driver) -> None:
    assert await bot.say("/subscribe DIALOGO", language_code="es") == (
        "Ahora sigues: Diálogo.\nEste chat sigue: Diálogo.")
    assert await bot.say("/subscribe CNE y elecciones, diálogo", language_code="es") == (
        "Ahora sigues: CNE y elecciones.\nYa seguías: Diálogo.\nEste chat sigue: CNE y elecciones, Diálogo.")


async def test_an_unknown_topic_is_answered_with_the_list_and_the_closest_match(bot: Driver) -> None:
    answer = await bot.say("/subscribe sanctoins")
    assert answer.startswith("I don't know the topic “sanctoins”. Did you mean sanctions?\n"
                             "Topics: protests, sanctions, cne, dialogue")
    assert "Topics: none" in await bot.say("/settings")


async def test_unsubscribe_some_then_all(bot: Driver) -> None:
    await bot.say("/subscribe sanctions cne protests")
    assert await bot.say("/unsubscribe cne dialogue") == (
        "You no longer follow: CNE and elections.\nYou did not follow: Dialogue.\n"
        "This chat follows: Protests, Sanctions.")
    assert await bot.say("/unsubscribe todos") == "You unfollowed every topic."
    assert "Topics: none" in await bot.say("/settings")


@pytest.mark.parametrize(("lang", "without", "with_alerts"), [
    pytest.param("es", "Dejaste de seguir todos los temas.",
                 "Dejaste de seguir todos los temas.\nTus alertas de palabras siguen activas (/alerts).", id="es"),
    pytest.param("en", "You unfollowed every topic.",
                 "You unfollowed every topic.\nYour keyword alerts are still on (/alerts).", id="en"),
])
async def test_unsubscribe_all_mentions_keyword_alerts_only_when_there_are_some(
        bot: Driver, lang: str, without: str, with_alerts: str) -> None:
    await bot.say("/subscribe sanctions", language_code=lang)
    assert await bot.say("/unsubscribe all", language_code=lang) == without
    await bot.say("/alert add petare", language_code=lang)
    assert await bot.say("/unsubscribe all", language_code=lang) == with_alerts
