"""One event, one alert, as a subscriber sees it: a Spanish and an English report of one event, read by the
real ingestion from two loopback feeds and classified by the configured topics, are one story; each chat
that follows the topic gets one alert through the Bot API stand-in, with the title in its own language and
every outlet named, and a report that joins later, from another outlet or in the other language, alerts
nobody again; the digest then shows the story once, in each chat's language."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from telegram import Bot

from delivery.digests import DigestService
from delivery.fanout import FanOutHook
from feeds.classify import compile_classifier
from feeds.fetch import open_fetcher
from feeds.ingest import IngestDeps, register_config_feeds, run_cycle
from feeds.pool import ParsePool
from model import FeedSpec, Item, Scope
from settings import FetchSettings, Settings
from storage.engine import Database
from tests.feeds.test_ingest import rss
from tests.support.botapi import BotApiStandIn
from tests.support.chats import add_chat
from tests.support.clock import FakeClock
from tests.support.delivery import make_sender
from tests.support.feedserver import FeedServer

SPANISH = "EE. UU. sanciona a ocho funcionarios venezolanos por la represión postelectoral"
SPANISH_AGAIN = "EEUU sanciona a 8 funcionarios venezolanos por represión postelectoral"
ENGLISH = "US sanctions eight Venezuelan officials over post-election crackdown"


def feed(language: str, *items: tuple[str, str]) -> bytes:
    return rss(*items, link=f"https://{language}.example/", language=language)


class Bed:
    def __init__(self, deps: IngestDeps, server: FeedServer, clock: FakeClock, api: BotApiStandIn,
                 telegram_bot: Bot, database: Database, settings: Settings) -> None:
        self.deps, self.server, self.clock, self.api = deps, server, clock, api
        self.sender = make_sender(telegram_bot, database, clock, settings.topics)
        self.digests = DigestService(self.sender, database, clock, settings.topics)

    async def cycle_and_send(self) -> None:
        await run_cycle(self.deps, now=self.clock())
        await self.sender.drain()
        self.clock.advance(minutes=15)


@pytest.fixture
async def bed(database: Database, feed_server: FeedServer, clock: FakeClock, limits: FetchSettings,
              parse_pool: ParsePool, settings: Settings, api: BotApiStandIn, telegram_bot: Bot) -> AsyncIterator[Bed]:
    classifier = compile_classifier(settings.topics, settings.classifier)

    def classify(item: Item, scope: Scope) -> dict[str, tuple[str, ...]]:
        return dict(classifier.classify(item.title, item.summary, scope).matches)

    await add_chat(database, 1, topics=["sanctions"], language="es")
    await add_chat(database, 2, topics=["sanctions"], language="en", timezone="UTC")
    await register_config_feeds(database, [
        FeedSpec(url=feed_server.url("/es"), name="El Pitazo", scope=Scope.VENEZUELA),
        FeedSpec(url=feed_server.url("/es2"), name="Efecto Cocuyo", scope=Scope.VENEZUELA),
        FeedSpec(url=feed_server.url("/en"), name="AP News", scope=Scope.WORLD)], now=clock())
    feed_server.route("/es", feed("es"))
    feed_server.route("/es2", feed("es"))
    feed_server.route("/en", feed("en"))
    async with open_fetcher(limits) as fetcher:
        deps = IngestDeps(database=database, fetcher=fetcher, pool=parse_pool, limits=limits,
                          interval=timedelta(minutes=15), classify=classify, on_new=FanOutHook(clock))
        yield Bed(deps, feed_server, clock, api, telegram_bot, database, settings)


async def test_reports_that_join_an_alerted_story_later_alert_no_chat_again(bed: Bed) -> None:
    bed.server.route("/es", feed("es", ("1", SPANISH)))
    await bed.cycle_and_send()
    [spanish] = bed.api.messages_for(1)
    [english] = bed.api.messages_for(2)
    assert SPANISH in spanish.plain_text and SPANISH in english.plain_text  # no English report yet

    bed.server.route("/en", feed("en", ("1", ENGLISH)))
    await bed.cycle_and_send()
    bed.server.route("/es2", feed("es", ("1", SPANISH_AGAIN)))
    await bed.cycle_and_send()

    assert len(bed.api.messages_for(1)) == 1 and len(bed.api.messages_for(2)) == 1
    # The digest shows the story once, in each chat's language, with every outlet.
    assert await bed.digests.send_now(1) == 1 and await bed.digests.send_now(2) == 1
    assert bed.api.messages_for(1)[-1].plain_text.split("\n")[3:] == [
        SPANISH, "El Pitazo, AP News, Efecto Cocuyo · 23/11 07:00"]
    assert bed.api.messages_for(2)[-1].plain_text.split("\n")[3:] == [
        ENGLISH, "El Pitazo, AP News, Efecto Cocuyo · 23 Nov 11:00"]


async def test_one_alert_per_chat_in_its_language_naming_every_outlet(bed: Bed) -> None:
    bed.server.route("/es", feed("es", ("1", SPANISH)))
    bed.server.route("/en", feed("en", ("1", ENGLISH)))
    bed.server.route("/es2", feed("es", ("1", SPANISH_AGAIN)))
    await bed.cycle_and_send()

    [spanish] = bed.api.messages_for(1)
    [english] = bed.api.messages_for(2)
    assert spanish.plain_text.split("\n") == [
        "🔔 Sanciones", SPANISH, "El Pitazo, Efecto Cocuyo, AP News · 23/11 07:00"]
    assert english.plain_text.split("\n") == [
        "🔔 Sanctions", ENGLISH, "El Pitazo, Efecto Cocuyo, AP News · 23 Nov 11:00"]
    links = [entity.argument for entity in english.entities if entity.kind == "text_link"]
    assert links == ["https://en.example/1"]
