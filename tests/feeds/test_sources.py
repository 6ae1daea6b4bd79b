"""feeds.sources: /feed add checks an address by fetching and reading it once, as the guarded admin feed it
would be, and stores only a feed; ingestion keeps guarding admin feeds on every later fetch.

Names resolve through a table (tests/feeds/test_fetch_guard.py's TableResolver), with the loopback feed
server's address exempted where it plays a public host.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import pytest

from feeds.fetch import open_fetcher
from feeds.ingest import IngestDeps, no_classification, register_config_feeds, run_cycle
from feeds.pool import ParsePool
from feeds.sources import add_feed, feed_name, remove_feed
from model import FeedAdded, FeedFetchStatus, FeedKnown, FeedOrigin, FeedRefused, FeedSpec, Removal, Scope
from settings import FetchSettings
from storage import feeds as feed_store
from storage.engine import Database
from tests.feeds.test_fetch_guard import LOCAL, TableResolver
from tests.support.clock import FakeClock
from tests.support.feedserver import FeedServer

RSS = ('<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
       "<item><title>Uno</title><guid>1</guid></item><item><title>Dos</title><guid>2</guid></item>"
       "</channel></rss>")
TABLE = {"news.example": [LOCAL], "intranet.example": ["10.20.30.40"]}


@asynccontextmanager
async def ingestion(database: Database, limits: FetchSettings, pool: ParsePool,
                    exempt: tuple[str, ...]) -> AsyncIterator[IngestDeps]:
    """Ingestion as the bot builds it, with private addresses refused and the DNS table above."""
    async with open_fetcher(limits, resolver=TableResolver(TABLE), exempt=exempt) as fetcher:
        yield IngestDeps(database=database, fetcher=fetcher, pool=pool, limits=limits,
                         interval=timedelta(minutes=15), classify=no_classification)


@pytest.fixture
async def deps(database: Database, limits: FetchSettings, parse_pool: ParsePool) -> AsyncIterator[IngestDeps]:
    """The loopback server plays a public host."""
    async with ingestion(database, limits, parse_pool, exempt=(LOCAL,)) as built:
        yield built


@pytest.fixture
async def strict(database: Database, limits: FetchSettings, parse_pool: ParsePool) -> AsyncIterator[IngestDeps]:
    """The loopback server is what it is: a loopback address."""
    async with ingestion(database, limits, parse_pool, exempt=()) as built:
        yield built


async def stored(database: Database, url: str):  # type: ignore[no-untyped-def]
    async with database.transaction() as session:
        return await feed_store.feed_by_url(session, url)


async def test_a_feed_on_a_public_host_is_added_under_its_own_title(
        deps: IngestDeps, feed_server: FeedServer, clock: FakeClock) -> None:
    feed_server.route("/rss", RSS.format(title="Armando.info &amp; <i>amigos</i>"))
    url = f"http://news.example:{feed_server.port}/rss"
    outcome = await add_feed(deps, url, Scope.WORLD, now=clock())
    assert isinstance(outcome, FeedAdded) and outcome.entries == 2
    assert (outcome.feed.name, outcome.feed.origin, outcome.feed.scope) == (
        "Armando.info & amigos", FeedOrigin.ADMIN, Scope.WORLD)
    assert await stored(deps.database, url) == outcome.feed
    assert isinstance(await add_feed(deps, url, Scope.WORLD, now=clock()), FeedKnown)
    assert len(feed_server.hits("/rss")) == 1


@pytest.mark.parametrize(("host", "detail"), [
    pytest.param("127.0.0.1", "127.0.0.1 is loopback", id="loopback-literal"),
    pytest.param("intranet.example", "intranet.example resolves to 10.20.30.40 (private)", id="private-name"),
])
async def test_an_address_that_is_not_public_is_refused_and_nothing_is_stored(
        strict: IngestDeps, feed_server: FeedServer, clock: FakeClock, host: str, detail: str) -> None:
    deps = strict
    feed_server.route("/rss", RSS.format(title="Interno"))
    url = f"http://{host}:{feed_server.port}/rss"
    assert await add_feed(deps, url, Scope.WORLD, now=clock()) == FeedRefused("blocked_address", detail)
    assert await stored(deps.database, url) is None and feed_server.requests == []


async def test_a_document_that_is_no_feed_is_refused_with_the_readers_kind(
        deps: IngestDeps, feed_server: FeedServer, clock: FakeClock) -> None:
    feed_server.route("/page", "<html><body>hola</body></html>", headers={"Content-Type": "text/html"})
    url = f"http://news.example:{feed_server.port}/page"
    outcome = await add_feed(deps, url, Scope.WORLD, now=clock())
    assert isinstance(outcome, FeedRefused) and outcome.kind == "not_a_feed"
    assert await stored(deps.database, url) is None


async def test_removing_switches_admin_feeds_off_and_refuses_config_feeds(
        deps: IngestDeps, feed_server: FeedServer, clock: FakeClock) -> None:
    feed_server.route("/rss", RSS.format(title="Nuevo"))
    added = await add_feed(deps, f"http://news.example:{feed_server.port}/rss", Scope.WORLD, now=clock())
    assert isinstance(added, FeedAdded)
    [config_id] = await register_config_feeds(
        deps.database, [FeedSpec(url="https://elpitazo.net/feed/", name="El Pitazo", scope=Scope.VENEZUELA)],
        now=clock())
    assert (await remove_feed(deps.database, config_id)).outcome is Removal.CONFIG
    removed = await remove_feed(deps.database, added.feed.id)
    assert removed.outcome is Removal.REMOVED and removed.feed == added.feed
    assert await remove_feed(deps.database, added.feed.id) == (await remove_feed(deps.database, 999))


async def test_the_ingestion_cycle_keeps_guarding_admin_feeds(
        strict: IngestDeps, feed_server: FeedServer, clock: FakeClock) -> None:
    """An admin feed stored while private addresses were allowed is refused once they are not, on every
    fetch; a config feed on the same server is trusted."""
    deps = strict
    feed_server.route("/admin", RSS.format(title="Admin"))
    feed_server.route("/config", RSS.format(title="Config"))
    async with deps.database.transaction() as session:
        await feed_store.add_admin_feed(session, FeedSpec(url=feed_server.url("/admin"), name="Admin",
                                                          scope=Scope.WORLD), now=clock())
    await register_config_feeds(deps.database, [FeedSpec(url=feed_server.url("/config"), name="Config",
                                                         scope=Scope.WORLD)], now=clock())
    report = await run_cycle(deps, now=clock())
    results = {feed.name: feed for feed in report.feeds}
    assert results["Config"].status is FeedFetchStatus.FETCHED
    assert (results["Admin"].status, results["Admin"].error_kind) == (FeedFetchStatus.FAILED, "blocked_address")
    assert feed_server.hits("/admin") == []
    async with deps.database.transaction() as session:
        health = await feed_store.feed_by_url(session, feed_server.url("/admin"))
    assert health is not None and health.last_error_kind == "blocked_address" and health.consecutive_failures == 1


@pytest.mark.parametrize(("title", "url", "expected"), [
    pytest.param("  Efecto   Cocuyo ", "https://efectococuyo.com/feed", "Efecto Cocuyo", id="spaces-folded"),
    pytest.param("", "https://efectococuyo.com/feed", "efectococuyo.com", id="no-title-the-host"),
    pytest.param("T" * 200, "https://x.example/", "T" * 79 + "…", id="cut-to-80"),
])
def test_feed_name(title: str, url: str, expected: str) -> None:
    assert feed_name(title, url) == expected
