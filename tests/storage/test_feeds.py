"""storage.feeds: config sync, which feeds are due, and what a fetch writes back (success, failure, a move)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from model import FeedOrigin, FeedSpec, FeedUpdate, Scope
from storage import feeds as feed_store
from storage.engine import Database

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
PITAZO = FeedSpec(url="https://elpitazo.net/feed/", name="El Pitazo", scope=Scope.VENEZUELA, language="es")
BBC = FeedSpec(url="https://feeds.bbci.co.uk/mundo/rss.xml", name="BBC Mundo", scope=Scope.WORLD, language="es")


async def statuses(database: Database):  # type: ignore[no-untyped-def]
    async with database.transaction() as session:
        return {status.name: status for status in await feed_store.feed_statuses(session)}


async def test_sync_adds_config_feeds_once_and_keeps_admin_feeds(database: Database) -> None:
    admin = FeedSpec(url="https://armando.info/feed/", name="Armando.info", scope=Scope.VENEZUELA)
    async with database.transaction() as session:
        await feed_store.ensure_feed(session, admin, now=T0, origin="admin")
        first = await feed_store.sync_config_feeds(session, [PITAZO, BBC], now=T0)
        again = await feed_store.sync_config_feeds(session, [PITAZO, BBC], now=T0)
    assert first == again
    found = await statuses(database)
    assert set(found) == {"El Pitazo", "BBC Mundo", "Armando.info"}
    assert found["Armando.info"].origin == "admin" and found["Armando.info"].active
    assert found["BBC Mundo"].scope is Scope.WORLD


async def test_sync_follows_the_config_and_deactivates_feeds_that_left_it(database: Database) -> None:
    async with database.transaction() as session:
        await feed_store.sync_config_feeds(session, [PITAZO, BBC], now=T0)
        renamed = FeedSpec(url=PITAZO.url, name="El Pitazo (regiones)", scope=Scope.WORLD, language=None)
        await feed_store.sync_config_feeds(session, [renamed], now=T0)
    found = await statuses(database)
    assert not found["BBC Mundo"].active
    assert found["El Pitazo (regiones)"].scope is Scope.WORLD and found["El Pitazo (regiones)"].active


async def test_a_config_feed_moved_by_a_redirect_is_not_added_twice(database: Database) -> None:
    async with database.transaction() as session:
        [feed_id] = await feed_store.sync_config_feeds(session, [PITAZO], now=T0)
        assert await feed_store.move_feed(session, feed_id, "https://elpitazo.net/rss/")
        assert await feed_store.sync_config_feeds(session, [PITAZO], now=T0) == [feed_id]
    found = await statuses(database)
    assert len(found) == 1 and found["El Pitazo"].url == PITAZO.url


async def test_a_move_onto_another_feeds_address_is_refused(database: Database) -> None:
    async with database.transaction() as session:
        first, second = await feed_store.sync_config_feeds(session, [PITAZO, BBC], now=T0)
        assert not await feed_store.move_feed(session, first, BBC.url)
    assert (await statuses(database))["El Pitazo"].url == PITAZO.url


async def test_new_feeds_are_due_and_a_fetched_feed_waits_for_its_time(database: Database) -> None:
    async with database.transaction() as session:
        pitazo, bbc = await feed_store.sync_config_feeds(session, [PITAZO, BBC], now=T0)
        assert [feed.id for feed in await feed_store.feeds_due(session, T0)] == [pitazo, bbc]
        await feed_store.record_updates(session, [
            FeedUpdate(feed_id=pitazo, fetched_at=T0, next_fetch_at=T0 + timedelta(minutes=15), etag='"e"',
                       last_modified="Mon, 23 Nov 2026 11:00:00 GMT", body_hash="abc")])
        assert [feed.id for feed in await feed_store.feeds_due(session, T0)] == [bbc]
        due_later = await feed_store.feeds_due(session, T0 + timedelta(minutes=15))
        assert [feed.id for feed in due_later] == [bbc, pitazo]
        assert len(await feed_store.feeds_due(session, T0, everything=True)) == 2
    fetched = next(feed for feed in due_later if feed.id == pitazo)
    assert (fetched.etag, fetched.last_modified, fetched.body_hash) == ('"e"', "Mon, 23 Nov 2026 11:00:00 GMT", "abc")


async def test_inactive_feeds_are_never_due(database: Database) -> None:
    async with database.transaction() as session:
        await feed_store.sync_config_feeds(session, [PITAZO, BBC], now=T0)
        await feed_store.sync_config_feeds(session, [PITAZO], now=T0)
        assert [feed.name for feed in await feed_store.feeds_due(session, T0, everything=True)] == ["El Pitazo"]


async def test_failures_are_counted_and_a_success_resets_the_count_but_keeps_the_last_error(database: Database) -> None:
    async with database.transaction() as session:
        [feed_id] = await feed_store.sync_config_feeds(session, [PITAZO], now=T0)
        await feed_store.record_updates(session, [
            FeedUpdate(feed_id=feed_id, fetched_at=T0, next_fetch_at=T0 + timedelta(minutes=15),
                       error_kind="http_503", error_detail="Service Unavailable", failures=1)])
    failing = (await statuses(database))["El Pitazo"]
    assert (failing.consecutive_failures, failing.last_error_kind, failing.last_error_at) == (1, "http_503", T0)
    assert failing.last_success_at is None and failing.next_fetch_at == T0 + timedelta(minutes=15)
    later = T0 + timedelta(minutes=15)
    async with database.transaction() as session:
        await feed_store.record_updates(session, [
            FeedUpdate(feed_id=feed_id, fetched_at=later, next_fetch_at=later + timedelta(minutes=15))])
    healthy = (await statuses(database))["El Pitazo"]
    assert healthy.consecutive_failures == 0 and healthy.last_success_at == later
    assert healthy.last_error_kind == "http_503" and healthy.last_fetched_at == later


async def test_many_outcomes_are_written_in_one_call(database: Database) -> None:
    specs = [FeedSpec(url=f"https://feed{n}.example/rss", name=f"Feed {n:03}", scope=Scope.VENEZUELA)
             for n in range(200)]
    async with database.transaction() as session:
        ids = await feed_store.sync_config_feeds(session, specs, now=T0)
        await feed_store.record_updates(session, [
            FeedUpdate(feed_id=feed_id, fetched_at=T0, next_fetch_at=T0 + timedelta(hours=1))
            if n % 2 else FeedUpdate(feed_id=feed_id, fetched_at=T0, next_fetch_at=T0 + timedelta(hours=2),
                                     error_kind="timeout", error_detail="", failures=3)
            for n, feed_id in enumerate(ids)])
    found = await statuses(database)
    assert sum(status.consecutive_failures == 3 for status in found.values()) == 100
    assert all(status.last_fetched_at == T0 for status in found.values())


ARMANDO = FeedSpec(url="https://armando.info/feed/", name="Armando.info", scope=Scope.WORLD)


async def test_an_admin_feed_is_stored_due_at_once_and_only_once(database: Database) -> None:
    async with database.transaction() as session:
        feed, added = await feed_store.add_admin_feed(session, ARMANDO, now=T0)
        again, added_again = await feed_store.add_admin_feed(session, ARMANDO, now=T0)
        due = await feed_store.feeds_due(session, T0)
    assert added and not added_again and again.id == feed.id
    assert (feed.origin, feed.scope, feed.active, feed.name) == (FeedOrigin.ADMIN, Scope.WORLD, True, "Armando.info")
    assert [(feed.id, feed.origin) for feed in due] == [(feed.id, FeedOrigin.ADMIN)]  # fetched as an admin feed


async def test_admin_feeds_survive_the_config_sync_and_removed_ones_stay_removed(database: Database) -> None:
    async with database.transaction() as session:
        kept, _ = await feed_store.add_admin_feed(session, ARMANDO, now=T0)
        removed, _ = await feed_store.add_admin_feed(
            session, FeedSpec(url="https://example.org/rss", name="Example", scope=Scope.WORLD), now=T0)
        assert await feed_store.deactivate_admin_feed(session, removed.id)
        assert not await feed_store.deactivate_admin_feed(session, removed.id)  # already off
        await feed_store.sync_config_feeds(session, [PITAZO], now=T0)  # a restart
    found = await statuses(database)
    assert found["Armando.info"].active and found["Armando.info"].origin is FeedOrigin.ADMIN
    assert not found["Example"].active


async def test_a_config_feed_cannot_be_deactivated_as_an_admin_feed(database: Database) -> None:
    async with database.transaction() as session:
        [pitazo] = await feed_store.sync_config_feeds(session, [PITAZO], now=T0)
        assert not await feed_store.deactivate_admin_feed(session, pitazo)
    assert (await statuses(database))["El Pitazo"].active


async def test_adding_a_switched_off_address_brings_it_back_with_a_clean_record(database: Database) -> None:
    async with database.transaction() as session:
        [bbc] = await feed_store.sync_config_feeds(session, [BBC], now=T0)
        await feed_store.record_updates(session, [FeedUpdate(
            feed_id=bbc, fetched_at=T0, next_fetch_at=T0 + timedelta(days=1), error_kind="timeout",
            error_detail="slow", failures=4)])
        await feed_store.sync_config_feeds(session, [], now=T0)  # BBC left the config: switched off
        back, added = await feed_store.add_admin_feed(
            session, FeedSpec(url=BBC.url, name="BBC News Mundo", scope=Scope.WORLD), now=T0)
    assert added and back.id == bbc
    assert (back.origin, back.active, back.name, back.consecutive_failures, back.last_error_kind,
            back.next_fetch_at) == (FeedOrigin.ADMIN, True, "BBC News Mundo", 0, None, None)


async def test_a_config_listing_an_admin_feeds_address_makes_it_a_config_feed(database: Database) -> None:
    async with database.transaction() as session:
        added, _ = await feed_store.add_admin_feed(session, ARMANDO, now=T0)
        listed = FeedSpec(url=ARMANDO.url, name="Armando", scope=Scope.VENEZUELA)
        assert await feed_store.sync_config_feeds(session, [listed], now=T0) == [added.id]
        assert await feed_store.sync_config_feeds(session, [], now=T0) == []
    found = await statuses(database)
    assert found["Armando"].origin is FeedOrigin.CONFIG and not found["Armando"].active


async def test_a_feed_is_found_by_id_and_by_address(database: Database) -> None:
    async with database.transaction() as session:
        added, _ = await feed_store.add_admin_feed(session, ARMANDO, now=T0)
        assert await feed_store.get_feed(session, added.id) == added
        assert await feed_store.feed_by_url(session, ARMANDO.url) == added
        assert await feed_store.get_feed(session, added.id + 1) is None
        assert await feed_store.feed_by_url(session, "https://nowhere.example/") is None
