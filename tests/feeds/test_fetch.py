"""feeds.fetch against a real HTTP server on loopback: conditional GET, 304, timeouts, error statuses,
size caps (declared, streamed and gzip-bombed), redirects (permanent, temporary, loops, too many)."""

from __future__ import annotations

import asyncio
import dataclasses
import gzip
import socket
from datetime import timedelta

import pytest
from aiohttp import web

from errors import FetchError
from feeds.fetch import Fetcher, open_fetcher
from model import FeedForFetch, Scope
from settings import FetchSettings
from tests.support.feedserver import FeedServer

RSS = b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title></channel></rss>'


def feed(url: str, **state: object) -> FeedForFetch:
    return FeedForFetch(id=1, url=url, name="Test", scope=Scope.VENEZUELA, language=None, **state)  # type: ignore[arg-type]


async def fetch(limits: FetchSettings, target: FeedForFetch):  # type: ignore[no-untyped-def]
    async with open_fetcher(limits) as fetcher:
        return await fetcher.fetch(target)


async def fetch_error(limits: FetchSettings, target: FeedForFetch) -> FetchError:
    with pytest.raises(FetchError) as caught:
        await fetch(limits, target)
    return caught.value


async def test_a_first_fetch_returns_the_body_and_the_validators(feed_server: FeedServer, limits: FetchSettings) -> None:
    url = feed_server.route("/feed", RSS, etag='"v1"', last_modified="Mon, 23 Nov 2026 10:00:00 GMT")
    result = await fetch(limits, feed(url))
    assert not result.not_modified
    assert result.body == RSS
    assert result.etag == '"v1"' and result.last_modified == "Mon, 23 Nov 2026 10:00:00 GMT"
    assert result.content_type == "application/rss+xml; charset=utf-8"
    assert result.moved_to is None


async def test_the_request_names_the_bot_and_asks_for_feeds(feed_server: FeedServer, limits: FetchSettings) -> None:
    url = feed_server.route("/feed", RSS)
    await fetch(limits, feed(url))
    headers = feed_server.hits("/feed")[0].headers
    assert headers["User-Agent"] == limits.user_agent
    assert "application/rss+xml" in headers["Accept"]
    assert "gzip" in headers["Accept-Encoding"]
    assert "If-None-Match" not in headers and "If-Modified-Since" not in headers


async def test_a_feed_with_its_own_user_agent_is_asked_with_it_and_the_others_with_the_bots(
        feed_server: FeedServer, limits: FetchSettings) -> None:
    picky, plain = feed_server.route("/picky", RSS), feed_server.route("/plain", RSS)
    async with open_fetcher(limits, user_agents={picky: "Mozilla/5.0 (compatible; Centinela)"}) as fetcher:
        await fetcher.fetch(feed(picky))
        await fetcher.fetch(feed(plain))
    assert feed_server.hits("/picky")[0].headers["User-Agent"] == "Mozilla/5.0 (compatible; Centinela)"
    assert feed_server.hits("/plain")[0].headers["User-Agent"] == limits.user_agent


async def test_conditional_get_sends_the_stored_validators_and_a_304_has_no_body(
        feed_server: FeedServer, limits: FetchSettings) -> None:
    url = feed_server.route("/feed", RSS, etag='"v1"', last_modified="Mon, 23 Nov 2026 10:00:00 GMT")
    result = await fetch(limits, feed(url, etag='"v1"', last_modified="Mon, 23 Nov 2026 10:00:00 GMT"))
    headers = feed_server.hits("/feed")[0].headers
    assert headers["If-None-Match"] == '"v1"'
    assert headers["If-Modified-Since"] == "Mon, 23 Nov 2026 10:00:00 GMT"
    assert result.not_modified and result.body == b""


async def test_a_changed_etag_gets_the_new_body(feed_server: FeedServer, limits: FetchSettings) -> None:
    url = feed_server.route("/feed", RSS, etag='"v2"')
    result = await fetch(limits, feed(url, etag='"v1"'))
    assert not result.not_modified and result.etag == '"v2"' and result.body == RSS


async def test_a_gzip_body_is_decoded(feed_server: FeedServer, limits: FetchSettings) -> None:
    url = feed_server.route("/feed", RSS, gzip=True)
    assert (await fetch(limits, feed(url))).body == RSS


async def test_no_answer_within_the_timeout_is_a_timeout(feed_server: FeedServer, limits: FetchSettings) -> None:
    url = feed_server.route("/slow", RSS, gate=feed_server.gate())
    error = await fetch_error(dataclasses.replace(limits, timeout=timedelta(seconds=0.2)), feed(url))
    assert error.kind == "timeout"


async def test_a_body_that_stalls_half_way_is_a_timeout(feed_server: FeedServer, limits: FetchSettings) -> None:
    never = feed_server.gate()

    async def half(response: web.StreamResponse) -> None:
        await response.write(RSS[:20])
        await never.wait()

    url = feed_server.route("/stall", stream=half)
    error = await fetch_error(dataclasses.replace(limits, timeout=timedelta(seconds=0.2)), feed(url))
    assert error.kind == "timeout"


@pytest.mark.parametrize("status", [500, 503, 404, 410, 403], ids=lambda status: f"http_{status}")
async def test_an_error_status_is_a_fetch_error_named_by_status(
        feed_server: FeedServer, limits: FetchSettings, status: int) -> None:
    url = feed_server.route("/feed", "oops", status=status)
    assert (await fetch_error(limits, feed(url))).kind == f"http_{status}"


async def test_a_20_mb_body_with_content_length_is_refused_before_reading(
        feed_server: FeedServer, limits: FetchSettings) -> None:
    url = feed_server.route("/big", b"x" * 20_000_000)
    error = await fetch_error(limits, feed(url))
    assert error.kind == "too_large" and "Content-Length" in error.detail


async def test_a_20_mb_streamed_body_is_cut_off_at_the_cap(feed_server: FeedServer, limits: FetchSettings) -> None:
    async def endless(response: web.StreamResponse) -> None:
        chunk = b"<item>" + b"x" * 65_530
        for _ in range(20_000_000 // len(chunk)):
            await response.write(chunk)

    url = feed_server.route("/big", stream=endless)
    error = await fetch_error(limits, feed(url))
    assert error.kind == "too_large" and "body over" in error.detail


async def test_a_gzip_bomb_is_measured_after_decoding(feed_server: FeedServer, limits: FetchSettings) -> None:
    bomb = gzip.compress(b"\0" * 50_000_000)
    assert len(bomb) < 100_000
    url = feed_server.route("/bomb", bomb, headers={"Content-Encoding": "gzip"})
    assert (await fetch_error(limits, feed(url))).kind == "too_large"


async def test_a_permanent_redirect_reports_the_new_address(feed_server: FeedServer, limits: FetchSettings) -> None:
    final = feed_server.route("/new", RSS)
    feed_server.redirect("/mid", "/new", status=308)
    old = feed_server.redirect("/old", feed_server.url("/mid"), status=301)
    result = await fetch(limits, feed(old))
    assert result.body == RSS and result.url == final and result.moved_to == final


async def test_a_temporary_redirect_anywhere_in_the_chain_keeps_the_old_address(
        feed_server: FeedServer, limits: FetchSettings) -> None:
    feed_server.route("/new", RSS)
    feed_server.redirect("/mid", "/new", status=302)
    old = feed_server.redirect("/old", "/mid", status=301)
    result = await fetch(limits, feed(old))
    assert result.body == RSS and result.moved_to is None


async def test_a_redirect_loop_is_named(feed_server: FeedServer, limits: FetchSettings) -> None:
    feed_server.redirect("/b", "/a", status=302)
    url = feed_server.redirect("/a", "/b", status=302)
    assert (await fetch_error(limits, feed(url))).kind == "redirect_loop"


async def test_more_redirects_than_allowed_is_an_error(feed_server: FeedServer, limits: FetchSettings) -> None:
    for hop in range(6):
        feed_server.redirect(f"/r{hop}", f"/r{hop + 1}")
    feed_server.route("/r6", RSS)
    error = await fetch_error(limits, feed(feed_server.url("/r0")))
    assert error.kind == "too_many_redirects"


async def test_a_redirect_without_location_or_to_another_scheme_is_refused(
        feed_server: FeedServer, limits: FetchSettings) -> None:
    nowhere = feed_server.route("/nowhere", status=302)
    ftp = feed_server.redirect("/ftp", "ftp://127.0.0.1/feed.xml")
    assert (await fetch_error(limits, feed(nowhere))).kind == "bad_redirect"
    assert (await fetch_error(limits, feed(ftp))).kind == "bad_url"


async def test_a_refused_connection_is_a_connection_error(limits: FetchSettings) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert (await fetch_error(limits, feed(f"http://127.0.0.1:{port}/feed"))).kind == "connection"


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/feed", "not a url", "http:///feed"], ids=["ftp", "no scheme", "no host"])
async def test_an_address_that_is_not_http_is_a_bad_url(limits: FetchSettings, url: str) -> None:
    assert (await fetch_error(limits, feed(url))).kind == "bad_url"


async def test_one_session_serves_many_feeds_at_once(feed_server: FeedServer, limits: FetchSettings) -> None:
    urls = [feed_server.route(f"/f{index}", RSS) for index in range(20)]
    async with open_fetcher(limits) as fetcher:
        assert isinstance(fetcher, Fetcher)
        results = await asyncio.gather(*(fetcher.fetch(feed(url)) for url in urls))
    assert all(result.body == RSS for result in results)
