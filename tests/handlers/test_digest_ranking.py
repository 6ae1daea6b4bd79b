"""The digest ranks, through the stand-in: within a topic the stories more outlets reported come first, and a
topic shows at most `schedule.digest_stories_per_topic` of them, then "and N more: /latest <topic>"."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from handlers.services import Services
from settings import Settings
from tests.handlers.conftest import Driver
from tests.support.builders import add_story


@pytest.fixture
def settings(shipped_settings: Settings) -> Settings:
    return dataclasses.replace(shipped_settings, feeds=(),
                               schedule=dataclasses.replace(shipped_settings.schedule, digest_stories_per_topic=2))


async def sanctions_story(bot: Driver, title: str, outlets: int, minutes_ago: int) -> None:
    services: Services = bot.app.bot_data
    seen = bot.clock() - timedelta(minutes=minutes_ago)
    story_id = await add_story(services.database, title=title, published_at=seen - timedelta(minutes=5),
                               fetched_at=seen, topics={"sanctions": ("ofac",)})
    for n in range(1, outlets):
        await add_story(services.database, title=f"{title} ({n})", published_at=seen - timedelta(minutes=5),
                        fetched_at=seen, topics={"sanctions": ("ofac",)}, feed=f"Medio {n}", story_id=story_id)


@pytest.mark.parametrize(("lang", "more"), [
    pytest.param("es", "…y 2 más: /latest sanctions", id="es"),
    pytest.param("en", "…and 2 more: /latest sanctions", id="en"),
])
async def test_a_topic_shows_its_most_reported_stories_first_then_how_many_more(
        bot: Driver, lang: str, more: str) -> None:
    await bot.say("/subscribe sanctions", language_code=lang)
    await sanctions_story(bot, "La OFAC renueva la licencia de Chevron", outlets=1, minutes_ago=10)
    await sanctions_story(bot, "EE. UU. sanciona a tres magistrados", outlets=3, minutes_ago=50)
    await sanctions_story(bot, "La UE prorroga sus sanciones un año", outlets=2, minutes_ago=40)
    await sanctions_story(bot, "Nueva lista de la OFAC", outlets=1, minutes_ago=20)

    [digest] = await bot.send("/digest now", language_code=lang)

    lines = digest.plain_text.split("\n")
    titles = [line for line in lines if line.startswith(("La ", "EE. UU.", "Nueva"))]
    assert titles == ["EE. UU. sanciona a tres magistrados", "La UE prorroga sus sanciones un año"]
    assert lines[-1] == more
