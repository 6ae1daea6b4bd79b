"""Hostile feed servers on loopback, each in an ingestion cycle next to a good feed: a body that never ends,
a 1 GB body, a gzip bomb, a redirect loop, a refused, reset or TLS-less connection, invalid UTF-8.

Each must fail that feed alone (the good feed of the same cycle is stored), with its reason in the feed's
health record, within the configured timeout, and without holding more than a bounded amount of memory.
The server side may sleep between chunks: that is the hostile server's behaviour, not the test waiting.

(tests/feeds/test_fetch.py covers the fetcher alone: a 20 MB body, a 50 MB gzip bomb, redirect loops.)
A redirect of a *configured* feed to a private address is followed: config.toml is the operator's and
trusted. Feeds added by admins are another matter, guarded where they are added.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import socket
import struct
import time
import tracemalloc
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta

import pytest
from aiohttp import web

from feeds.fetch import open_fetcher
from feeds.ingest import IngestDeps, no_classification, register_config_feeds, run_cycle
from feeds.pool import ParsePool
from model import CycleReport, FeedFetchStatus, FeedReport, FeedSpec, FeedStatus, Scope
from settings import FetchSettings
from storage import feeds as feed_store
from storage import stories as story_store
from storage.engine import Database
from tests.support.clock import FakeClock
from tests.support.feedserver import FeedServer
from tests.support.invariants import assert_plain

TIMEOUT = 1.0  # seconds, per request, body included
CAP = 2_000_000  # bytes of body, after decoding
MEMORY = 50_000_000  # bytes the whole cycle may allocate at its peak, however big the hostile body
GOOD = (b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Bueno</title>'
        b"<item><title>CNE anuncia el cronograma</title><guid>g1</guid><link>https://bueno.example/1</link></item>"
        b"<item><title>Marcha de docentes</title><guid>g2</guid><link>https://bueno.example/2</link></item>"
        b"</channel></rss>")
ONE_GB = 1 << 30
CHUNK = 64 * 1024


@dataclasses.dataclass
class Cycle:
    report: CycleReport
    seconds: float  # wall time of the cycle
    peak: int  # bytes allocated at the peak, during the cycle
    statuses: dict[str, FeedStatus]
    stored: dict[str, int]  # feed name -> items stored

    def feed(self, name: str) -> FeedReport:
        return next(feed for feed in self.report.feeds if feed.name == name)


@dataclasses.dataclass
class Bench:
    database: Database
    server: FeedServer
    clock: FakeClock
    deps: IngestDeps

    async def cycle(self, hostile: str, *others: tuple[str, str]) -> Cycle:
        """One cycle over the good feed, the feed at URL `hostile` and any `others` (name, URL)."""
        self.server.route("/good", GOOD)
        specs = [FeedSpec(self.server.url("/good"), "good", Scope.VENEZUELA),
                 FeedSpec(hostile, "hostile", Scope.VENEZUELA),
                 *(FeedSpec(url, name, Scope.VENEZUELA) for name, url in others)]
        await register_config_feeds(self.database, specs, now=self.clock())
        tracemalloc.start()
        started = time.perf_counter()
        try:
            report = await run_cycle(self.deps, now=self.clock())
            seconds = time.perf_counter() - started
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        async with self.database.transaction() as session:
            statuses = {status.name: status for status in await feed_store.feed_statuses(session)}
            counts = await story_store.row_counts(session)
        cycle = Cycle(report, seconds, peak, statuses, {})
        cycle.stored = {feed.name: feed.new_items for feed in report.feeds}
        assert counts["items"] == sum(cycle.stored.values())
        return cycle


@pytest.fixture
async def bench(database: Database, feed_server: FeedServer, clock: FakeClock, limits: FetchSettings,
                parse_pool: ParsePool) -> AsyncIterator[Bench]:
    hostile_limits = dataclasses.replace(limits, timeout=timedelta(seconds=TIMEOUT), max_body_bytes=CAP,
                                         max_redirects=5)
    async with open_fetcher(hostile_limits) as fetcher:
        deps = IngestDeps(database=database, fetcher=fetcher, pool=parse_pool, limits=hostile_limits,
                          interval=timedelta(minutes=15), classify=no_classification)
        yield Bench(database, feed_server, clock, deps)


def assert_failed_alone(cycle: Cycle, kind: str, *, detail: str = "") -> FeedStatus:
    """The hostile feed failed with `kind` in its report and its health record; the good one was stored;
    the cycle ended within the timeout (plus the time to parse and store the good feed)."""
    assert cycle.feed("good").status == FeedFetchStatus.FETCHED and cycle.stored["good"] == 2
    assert cycle.statuses["good"].last_success_at is not None and cycle.statuses["good"].last_error_kind is None
    hostile = cycle.feed("hostile")
    assert (hostile.status, hostile.error_kind) == (FeedFetchStatus.FAILED, kind), hostile
    status = cycle.statuses["hostile"]
    assert (status.last_error_kind, status.consecutive_failures) == (kind, 1)
    assert status.last_error_at is not None and status.next_fetch_at is not None
    assert detail in (status.last_error_detail or ""), status.last_error_detail
    assert cycle.seconds < TIMEOUT + 3.0, f"the cycle took {cycle.seconds:.2f} s"
    assert cycle.peak < MEMORY, f"{cycle.peak / 1e6:.1f} MB at the peak"
    return status


Writer = Callable[[web.StreamResponse], Awaitable[None]]


def counting(written: list[int], body: Writer) -> Writer:
    """A stream that notes how many bytes it got out before the client hung up."""

    async def stream(response: web.StreamResponse) -> None:
        with contextlib.suppress(ConnectionError, asyncio.CancelledError):  # the client gave up, as it should
            await body(response)

    async def write_counted(response: web.StreamResponse) -> None:
        original = response.write

        async def write(data: bytes) -> None:
            await original(data)
            written.append(len(data))

        response.write = write  # type: ignore[method-assign]
        await stream(response)

    return write_counted


# --------------------------------------------------------------------------------------------------


async def test_a_feed_that_never_ends_is_a_timeout(bench: Bench) -> None:
    written: list[int] = []

    async def drip(response: web.StreamResponse) -> None:
        await response.write(b'<?xml version="1.0"?><rss version="2.0"><channel><title>')
        while True:  # a byte every 50 ms, for ever
            await response.write(b"x")
            await asyncio.sleep(0.05)

    url = bench.server.route("/drip", stream=counting(written, drip))
    cycle = await bench.cycle(url)
    assert_failed_alone(cycle, "timeout", detail=f"within {TIMEOUT:g} s")
    assert TIMEOUT <= cycle.feed("hostile").seconds < TIMEOUT + 1.5
    assert len(written) > 5, "the server was still dripping when the fetch gave up"


@pytest.mark.parametrize("declared", [True, False], ids=["declared in Content-Length", "chunked, undeclared"])
async def test_a_1_gb_body_is_refused_early_with_bounded_memory(bench: Bench, declared: bool) -> None:
    written: list[int] = []
    chunk = b"<item>" + b"x" * (CHUNK - 6)

    async def gigabyte(response: web.StreamResponse) -> None:
        for _ in range(ONE_GB // CHUNK):  # generated as it is sent: the test never holds a gigabyte
            await response.write(chunk)

    url = bench.server.route("/huge", stream=counting(written, gigabyte),
                             headers={"Content-Length": str(ONE_GB)} if declared else {})
    cycle = await bench.cycle(url)
    status = assert_failed_alone(cycle, "too_large")
    assert ("Content-Length" in (status.last_error_detail or "")) is declared
    # The fetcher stopped reading at the cap: what the server got out is the cap and the socket buffers.
    assert sum(written) < CAP + 32 * CHUNK * 16, f"{sum(written) / 1e6:.1f} MB sent"


def _gzip_bomb_block() -> bytes:
    """One megabyte of zeros as a deflate block that ends on a full flush, so that the block can be sent
    again and again: each copy inflates to another megabyte."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(b"\0" * (1 << 20)) + compressor.flush(zlib.Z_FULL_FLUSH)


async def test_a_gzip_bomb_is_refused_with_bounded_memory(bench: Bench) -> None:
    written: list[int] = []
    block = _gzip_bomb_block()
    assert len(block) < 2_000  # a kilobyte on the wire, a megabyte once inflated

    async def bomb(response: web.StreamResponse) -> None:
        await response.write(b"\x1f\x8b\x08\x00" + struct.pack("<I", 0) + b"\x00\xff")  # a gzip header
        for _ in range(ONE_GB // (1 << 20)):  # a gigabyte once inflated
            await response.write(block)

    url = bench.server.route("/bomb", stream=counting(written, bomb),
                             headers={"Content-Encoding": "gzip", "Content-Type": "application/rss+xml"})
    cycle = await bench.cycle(url)
    assert_failed_alone(cycle, "too_large", detail="body over")
    assert sum(written) < 1_100_000, "a megabyte on the wire (the whole bomb) that inflates to a gigabyte"


async def test_a_redirect_loop_fails_the_feed(bench: Bench) -> None:
    bench.server.redirect("/loop/b", "/loop/c", status=302)
    bench.server.redirect("/loop/c", "/loop/a", status=307)
    url = bench.server.redirect("/loop/a", "/loop/b", status=301)
    assert_failed_alone(await bench.cycle(url), "redirect_loop", detail="was visited before")


async def test_a_configured_feed_may_redirect_to_a_private_address(bench: Bench) -> None:
    """The operator's config is trusted: a config feed that moved to an intranet or loopback address is
    followed (here a public-looking name redirects to localhost)."""
    bench.server.route("/private/feed", GOOD.replace(b"bueno.example", b"privado.example"))
    url = bench.server.redirect("/public", f"http://localhost:{bench.server.port}/private/feed", status=302)
    cycle = await bench.cycle(url)
    assert cycle.feed("hostile").status == FeedFetchStatus.FETCHED and cycle.stored["hostile"] == 2


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def _resetting_server() -> tuple[asyncio.Server, int]:
    """Accepts, reads the request, and resets the connection without a word."""

    async def reset(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close = RST
        writer.close()

    server = await asyncio.start_server(reset, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


async def test_a_refused_a_reset_and_a_tls_less_connection_fail_their_feeds(bench: Bench) -> None:
    server, port = await _resetting_server()
    try:
        cycle = await bench.cycle(f"http://127.0.0.1:{_closed_port()}/feed",
                                  ("reset", f"http://127.0.0.1:{port}/feed"),
                                  ("tls", f"https://127.0.0.1:{bench.server.port}/good"))
    finally:
        server.close()
        await server.wait_closed()
    assert_failed_alone(cycle, "connection", detail="Cannot connect")
    assert cycle.statuses["reset"].last_error_kind == "connection"
    assert cycle.statuses["tls"].last_error_kind == "tls"
    assert "SSL" in (cycle.statuses["tls"].last_error_detail or "")


async def test_invalid_utf8_in_a_feed_that_declares_utf8_is_read_as_plain_text(bench: Bench) -> None:
    """Bytes that are not UTF-8 in a document that says it is: the feed is still read (feedparser falls back
    to another encoding and says so in a warning), nothing crashes, and the titles are plain text."""
    body = GOOD.replace(b"CNE anuncia", b"CNE \xff\xfe anuncia \xc3\x28 el").replace(b"Marcha de", b"Marcha\x80 de")
    url = bench.server.route("/broken-utf8", body, headers={"Content-Type": "application/rss+xml; charset=utf-8"})
    cycle = await bench.cycle(url)
    assert cycle.feed("good").status == FeedFetchStatus.FETCHED and cycle.stored["good"] == 2
    hostile = cycle.feed("hostile")
    assert hostile.status == FeedFetchStatus.FETCHED and cycle.stored["hostile"] == 2
    assert hostile.warning, "the fallback is noted"
    async with bench.database.transaction() as session:
        feeds = {status.name: status.id for status in await feed_store.feed_statuses(session)}
        guids = await story_store.stored_guids(session, feeds["hostile"], ["g1", "g2"])
        stories = await story_store.stories_by_id(session, range(1, 10))
    assert guids == {"g1", "g2"}
    titles = [source.title for story in stories.values() for source in story.sources if source.feed_name == "hostile"]
    assert len(titles) == 2
    for title in titles:
        assert_plain(title, 300)
    assert any("\ufffd" in title or "ÿ" in title for title in titles), titles  # replaced, or read as Latin-1


async def test_an_answer_that_is_not_valid_http_is_reported_as_such_not_as_a_400(bench: Bench) -> None:
    async def garbled(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nBad\x01Header: x\r\n\r\n<rss/>")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(garbled, "127.0.0.1", 0)
    try:
        cycle = await bench.cycle(f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/feed")
    finally:
        server.close()
        await server.wait_closed()
    status = assert_failed_alone(cycle, "bad_response", detail="the answer is not valid HTTP")
    assert "400" not in (status.last_error_detail or "")
