"""The demo's snapshot server: every configured feed has a snapshot, served with validators and 304s."""

from __future__ import annotations

from feeds.fetch import open_fetcher
from feeds.snapshots import SNAPSHOTS, serve_snapshots, slug
from model import FeedForFetch, Scope
from settings import FetchSettings, Settings


def test_slugs_are_ascii_and_stable() -> None:
    assert slug("El País América") == "el-pais-america"
    assert slug("Google Noticias: Venezuela") == "google-noticias-venezuela"
    assert slug("  Crónica Uno ") == "cronica-uno"


def test_every_configured_feed_has_a_snapshot(shipped_settings: Settings) -> None:
    missing = [feed.name for feed in shipped_settings.feeds if not (SNAPSHOTS / f"{slug(feed.name)}.xml").is_file()]
    assert missing == []


async def test_a_snapshot_is_served_with_validators_and_then_not_modified(
        shipped_settings: Settings, limits: FetchSettings) -> None:
    async with serve_snapshots() as server, open_fetcher(limits) as fetcher:
        [spec] = server.specs([feed for feed in shipped_settings.feeds if feed.name == "El Pitazo"])
        feed = FeedForFetch(id=1, url=spec.url, name=spec.name, scope=Scope.VENEZUELA, language="es")
        first = await fetcher.fetch(feed)
        again = await fetcher.fetch(FeedForFetch(id=1, url=spec.url, name=spec.name, scope=Scope.VENEZUELA,
                                                 language="es", etag=first.etag))
        assert first.body == (SNAPSHOTS / "el-pitazo.xml").read_bytes() and first.etag
        assert again.not_modified
        assert server.specs([spec.__class__(url="https://x.example", name="No Snapshot", scope=Scope.WORLD)]) == []
