"""feeds.ingest end to end: a real HTTP server on loopback, the real fetcher, the process pool and SQLite.

Each test writes feeds, runs cycles at times set on a fake clock, and looks at the report and the database.
Classification is a small real keyword function; the fan-out is a recorder.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import timedelta
from pathlib import Path

import pytest
from aiohttp import web

from feeds.fetch import open_fetcher
from feeds.ingest import IngestDeps, register_config_feeds, retry_delay, run_cycle
from feeds.pool import ParsePool
from feeds.worker import FeedContent, ReadFailure, ReadJob
from model import CycleReport, FeedFetchStatus, FeedReport, FeedSpec, Item, NewStory, Scope, Story
from settings import FetchSettings
from storage import feeds as feed_store
from storage import stories as story_store
from storage.engine import Database
from tests.support.clock import FakeClock
from tests.support.feedserver import FeedServer

DATA = Path(__file__).resolve().parent.parent / "data" / "feeds"
INTERVAL = timedelta(minutes=15)

TOPIC_WORDS = {"cne": ("cne", "electoral", "elecciones"), "sanctions": ("sanciona", "sanciones", "sanctions"),
               "protests": ("protesta", "protestan", "marcha")}


def keyword_topics(item: Item, scope: Scope) -> Mapping[str, Sequence[str]]:
    """A stand-in classifier: topic words in the text; from a world feed only if Venezuela is named."""
    words = set(f"{item.title} {item.summary}".lower().replace(",", " ").split())
    if scope is Scope.WORLD and not words & {"venezuela", "venezolano", "venezolanos"}:
        return {}
    return {topic: tuple(w for w in terms if w in words) for topic, terms in TOPIC_WORDS.items() if words & set(terms)}


def rss(*items: tuple[str, str], link: str = "https://outlet.example/", language: str = "es") -> bytes:
    """A feed of (guid, title) items in `language`, all published an hour before the tests' clock starts."""
    body = "".join(
        f"<item><title>{title}</title><guid isPermaLink='false'>{guid}</guid>"
        f"<link>{link}{guid}</link><pubDate>Mon, 23 Nov 2026 11:00:00 GMT</pubDate>"
        f"<description>Resumen de {title}</description></item>" for guid, title in items)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Outlet</title>'
            f"<link>{link}</link><language>{language}</language>{body}</channel></rss>").encode()


class CountingReader:
    """The real pool, counting what it is asked to parse."""

    def __init__(self, pool: ParsePool) -> None:
        self.pool = pool
        self.urls: list[str] = []

    async def read(self, job: ReadJob) -> FeedContent | ReadFailure:
        self.urls.append(job.url)
        return await self.pool.read(job)


class FanOut:
    """Records what ingestion hands to the fan-out, and can be told to fail."""

    def __init__(self) -> None:
        self.calls: list[list[NewStory]] = []
        self.fail = False

    async def __call__(self, session: object, stories: Sequence[NewStory]) -> None:
        assert session is not None
        if self.fail:
            raise RuntimeError("outbox unavailable")
        self.calls.append(list(stories))

    @property
    def stories(self) -> list[NewStory]:
        return [story for call in self.calls for story in call]


@dataclasses.dataclass
class Bed:
    database: Database
    server: FeedServer
    clock: FakeClock
    deps: IngestDeps
    reader: CountingReader
    fan_out: FanOut

    async def feeds(self, *specs: tuple[str, str] | tuple[str, str, Scope]) -> None:
        """Register feeds (name, path[, scope]) served by the loopback server."""
        await register_config_feeds(self.database, [
            FeedSpec(url=self.server.url(spec[1]), name=spec[0], scope=spec[2] if len(spec) > 2 else Scope.VENEZUELA)
            for spec in specs], now=self.clock())

    async def cycle(self, *, advance: timedelta | None = INTERVAL, **options: object) -> CycleReport:
        report = await run_cycle(self.deps, now=self.clock(), **options)  # type: ignore[arg-type]
        if advance:
            self.clock.advance(advance)
        return report

    async def stories(self) -> list[Story]:
        async with self.database.transaction() as session:
            keys = await story_store.recent_story_keys(session, self.clock() - timedelta(days=30))
            found = await story_store.stories_by_id(session, [key.story_id for key in keys])
        return sorted(found.values(), key=lambda story: story.id)

    async def status(self, name: str):  # type: ignore[no-untyped-def]
        async with self.database.transaction() as session:
            return next(s for s in await feed_store.feed_statuses(session) if s.name == name)

    def with_limits(self, **changes: object) -> None:
        self.deps = dataclasses.replace(self.deps, limits=dataclasses.replace(self.deps.limits, **changes))


@pytest.fixture
async def bed(database: Database, feed_server: FeedServer, clock: FakeClock, limits: FetchSettings,
              parse_pool: ParsePool) -> AsyncIterator[Bed]:
    reader, fan_out = CountingReader(parse_pool), FanOut()
    async with open_fetcher(limits) as fetcher:
        deps = IngestDeps(database=database, fetcher=fetcher, pool=reader, limits=limits, interval=INTERVAL,
                          classify=keyword_topics, on_new=fan_out)
        yield Bed(database, feed_server, clock, deps, reader, fan_out)


def by_name(report: CycleReport) -> dict[str, FeedReport]:
    return {feed.name: feed for feed in report.feeds}


# --- fetching politely: conditional GET, 304, unchanged bodies ------------------------------------------


async def test_a_first_cycle_stores_every_item_and_remembers_the_validators(bed: Bed) -> None:
    bed.server.route("/a", rss(("1", "Uno"), ("2", "Dos")), etag='"v1"', last_modified="Mon, 23 Nov 2026 11:00:00 GMT")
    await bed.feeds(("A", "/a"))
    report = await bed.cycle()
    assert by_name(report)["A"].status == FeedFetchStatus.FETCHED and report.new_items == 2 and report.new_stories == 2
    status = await bed.status("A")
    assert status.last_success_at is not None and status.consecutive_failures == 0
    async with bed.database.transaction() as session:
        [due] = await feed_store.feeds_due(session, bed.clock())
    assert (due.etag, due.last_modified, due.body_hash is not None) == ('"v1"', "Mon, 23 Nov 2026 11:00:00 GMT", True)


async def test_conditional_get_with_a_304_costs_no_parsing_and_stores_nothing(bed: Bed) -> None:
    bed.server.route("/a", rss(("1", "Uno")), etag='"v1"')
    await bed.feeds(("A", "/a"))
    await bed.cycle()
    report = await bed.cycle()
    assert by_name(report)["A"].status == FeedFetchStatus.NOT_MODIFIED and report.new_items == 0
    assert bed.server.hits("/a")[-1].headers["If-None-Match"] == '"v1"'
    assert len(bed.reader.urls) == 1, "the 304 was not parsed"
    assert (await bed.status("A")).last_fetched_at == bed.clock() - INTERVAL


async def test_an_identical_body_is_not_parsed_again(bed: Bed) -> None:
    bed.server.route("/a", rss(("1", "Uno")))  # no validators: the server always sends the body
    await bed.feeds(("A", "/a"))
    await bed.cycle()
    report = await bed.cycle()
    assert by_name(report)["A"].status == FeedFetchStatus.UNCHANGED
    assert len(bed.reader.urls) == 1


async def test_a_refetch_never_creates_a_duplicate(bed: Bed) -> None:
    bed.server.route("/a", rss(("1", "Uno"), ("2", "Dos")))
    await bed.feeds(("A", "/a"))
    await bed.cycle()
    bed.server.route("/a", rss(("3", "Tres"), ("1", "Uno"), ("2", "Dos (corregido)")))
    report = await bed.cycle()
    assert report.new_items == 1
    assert [story.title for story in await bed.stories()] == ["Uno", "Dos", "Tres"]


async def test_only_due_feeds_are_fetched_unless_everything_is_asked_for(bed: Bed) -> None:
    bed.server.route("/a", rss(("1", "Uno")))
    await bed.feeds(("A", "/a"))
    await bed.cycle(advance=None)
    assert (await bed.cycle(advance=None)).feeds == ()
    assert len((await bed.cycle(advance=None, everything=True)).feeds) == 1


# --- failures: one feed at a time, with backoff and recovery ------------------------------------------------


async def test_a_failing_feed_backs_off_exponentially_and_recovers_by_itself(bed: Bed) -> None:
    bed.server.route("/a", "down", status=500)
    await bed.feeds(("A", "/a"))
    base = bed.deps.limits.backoff_base
    first = await bed.cycle(advance=None)
    assert by_name(first)["A"].error_kind == "http_500"
    status = await bed.status("A")
    assert (status.consecutive_failures, status.next_fetch_at) == (1, bed.clock() + base)
    bed.clock.advance(base)
    await bed.cycle(advance=None)
    status = await bed.status("A")
    assert (status.consecutive_failures, status.next_fetch_at) == (2, bed.clock() + 2 * base)
    bed.clock.advance(base)
    assert (await bed.cycle(advance=None)).feeds == (), "still waiting out the backoff"
    bed.clock.advance(base)
    bed.server.route("/a", rss(("1", "Uno")))
    recovered = await bed.cycle(advance=None)
    assert by_name(recovered)["A"].status == FeedFetchStatus.FETCHED
    status = await bed.status("A")
    assert status.consecutive_failures == 0 and status.next_fetch_at == bed.clock() + INTERVAL
    assert status.last_error_kind == "http_500", "the last error stays on record"


@pytest.mark.parametrize(("base", "cap", "failures", "delay"), [
    (15, 1440, 0, 0), (15, 1440, 1, 15), (15, 1440, 2, 30), (15, 1440, 3, 60), (15, 1440, 7, 960),
    (15, 1440, 8, 1440), (15, 1440, 50, 1440), (15, 1440, 10_000, 1440), (30, 30, 5, 30),
    (1440, 10 ** 6, 40, 10 ** 6),
], ids=["no failure: no wait", "first: base", "second: double", "third: four times", "seventh: 64 times",
        "eighth: capped", "fiftieth: capped", "huge count: capped, no overflow", "cap equal to base",
        "a day doubled forty times: capped, no overflow"])
def test_retry_delay(base: int, cap: int, failures: int, delay: int) -> None:
    assert retry_delay(failures, timedelta(minutes=base), timedelta(minutes=cap)) == timedelta(minutes=delay)


async def test_one_feed_failing_never_stops_the_others(bed: Bed) -> None:
    bed.with_limits(timeout=timedelta(seconds=0.5))

    async def endless(response: web.StreamResponse) -> None:
        for _ in range(400):
            await response.write(b"x" * 50_000)

    bed.server.route("/ok", rss(("1", "Sobrevive")))
    bed.server.route("/slow", rss(("2", "Tarde")), gate=bed.server.gate())
    bed.server.route("/500", "boom", status=500)
    bed.server.route("/big", stream=endless)
    bed.server.redirect("/loop-a", "/loop-b", status=302)
    bed.server.redirect("/loop-b", "/loop-a", status=302)
    bed.server.serve_file("/html", DATA / "html_instead_of_feed.xml")
    bed.server.serve_file("/empty", DATA / "empty_document.xml")
    await bed.feeds(("OK", "/ok"), ("Slow", "/slow"), ("Broken", "/500"), ("Huge", "/big"), ("Loop", "/loop-a"),
                    ("HTML", "/html"), ("Empty", "/empty"), ("Gone", "/missing"))
    report = by_name(await bed.cycle())
    assert report["OK"].status == FeedFetchStatus.FETCHED and report["OK"].new_items == 1
    assert {name: feed.error_kind for name, feed in report.items() if name != "OK"} == {
        "Slow": "timeout", "Broken": "http_500", "Huge": "too_large", "Loop": "redirect_loop",
        "HTML": "not_a_feed", "Empty": "empty", "Gone": "http_404"}
    assert (await bed.status("Huge")).last_error_kind == "too_large"


async def test_a_permanent_redirect_updates_the_stored_url(bed: Bed) -> None:
    bed.server.route("/new", rss(("1", "Uno")))
    bed.server.redirect("/old", "/new", status=301)
    await bed.feeds(("A", "/old"))
    report = await bed.cycle()
    assert by_name(report)["A"].moved_to == bed.server.url("/new")
    assert (await bed.status("A")).url == bed.server.url("/new")
    assert by_name(await bed.cycle())["A"].status == FeedFetchStatus.UNCHANGED
    assert len(bed.server.hits("/old")) == 1, "the second cycle went straight to the new address"


# --- what real feeds serve ------------------------------------------------------------------------------


async def test_wrong_or_missing_charset_is_read_correctly(bed: Bed) -> None:
    bed.server.serve_file("/wrong", DATA / "charset_wrong_header.xml")
    bed.server.serve_file("/none", DATA / "charset_missing.xml")
    await bed.feeds(("Wrong", "/wrong"), ("None", "/none"))
    report = by_name(await bed.cycle())
    assert report["Wrong"].warning and report["None"].warning
    titles = {story.title for story in await bed.stories()}
    assert titles == {"Vecinos de Petare denuncian 72 horas sin agua: «Ya no aguantamos»",
                      "“Sin garantías no hay elección”, advierte la Plataforma Unitaria"}


async def test_truncated_xml_keeps_the_complete_entries(bed: Bed) -> None:
    bed.server.serve_file("/cut", DATA / "truncated.xml")
    await bed.feeds(("Cut", "/cut"))
    report = by_name(await bed.cycle())["Cut"]
    assert report.status == FeedFetchStatus.FETCHED and report.new_items == 1 and "no element found" in (report.warning or "")


async def test_duplicate_guids_in_one_document_are_stored_once(bed: Bed) -> None:
    bed.server.serve_file("/dup", DATA / "duplicate_guids.xml")
    await bed.feeds(("Dup", "/dup"))
    assert (await bed.cycle()).new_items == 2
    assert [story.title for story in await bed.stories()] == [
        "Foro Penal contabiliza 312 presos políticos", "Rectores del CNE se reúnen con observadores de la UE"]


async def test_entries_with_no_date_no_link_or_no_title_are_stored_sensibly(bed: Bed) -> None:
    bed.server.serve_file("/gaps", DATA / "missing_fields.xml")
    await bed.feeds(("Gaps", "/gaps"))
    fetched_at = bed.clock()
    assert (await bed.cycle()).new_items == 4
    stories = {story.title[:12]: story for story in await bed.stories()}
    assert stories["Sin fecha: g"].published_at == fetched_at
    assert stories["Sin enlace: "].link == "https://monitoreamos.com/"
    assert stories["Un grupo de "].title.endswith("…")
    assert by_name(await bed.cycle())["Gaps"].status == FeedFetchStatus.UNCHANGED
    bed.server.serve_file("/gaps", DATA / "missing_fields.xml", headers={"X-Changed": "1"})
    bed.clock.advance(INTERVAL)
    assert (await bed.cycle(everything=True)).new_items == 0, "hash-identified entries are recognised again"


async def test_hostile_markup_is_stored_as_plain_text(bed: Bed) -> None:
    bed.server.serve_file("/h", DATA / "hostile_markup.xml")
    await bed.feeds(("H", "/h"))
    await bed.cycle()
    for story in await bed.stories():
        assert "<script" not in story.title and "onerror" not in story.summary and "<iframe" not in story.summary


# --- stories across outlets ---------------------------------------------------------------------------------


async def test_the_same_event_from_two_outlets_in_one_cycle_is_one_story_with_both_sources(bed: Bed) -> None:
    bed.server.route("/a", rss(("a1", "CNE fija el 14 de marzo las elecciones regionales")))
    bed.server.route("/b", rss(("b1", "El CNE fijó el 14 de marzo para las elecciones regionales"),
                               ("b2", "CNE aprueba auditoría del registro electoral"), link="https://other.example/"))
    await bed.feeds(("A", "/a"), ("B", "/b"))
    report = await bed.cycle()
    assert report.new_items == 3 and report.new_stories == 2
    [election, audit] = await bed.stories()
    assert {source.feed_name for source in election.sources} == {"A", "B"}
    assert [source.feed_name for source in audit.sources] == ["B"]
    assert election.topics == ("cne",)
    news = [story.is_new for story in bed.fan_out.stories if story.story_id == election.id]
    assert news.count(True) == 1, "the story is new once; a second outlet in another transaction only joins it"


async def test_a_later_report_joins_a_story_seen_in_an_earlier_cycle(bed: Bed) -> None:
    bed.server.route("/a", rss(("a1", "EE.UU. sanciona a ocho funcionarios venezolanos por la represión")))
    await bed.feeds(("A", "/a"))
    await bed.cycle()
    bed.server.route("/b", rss(("b1", "EEUU sanciona a ocho funcionarios venezolanos por represión postelectoral")))
    await bed.feeds(("A", "/a"), ("B", "/b"))
    bed.clock.advance(timedelta(hours=40))
    await bed.cycle()
    [story] = await bed.stories()
    assert len(story.sources) == 2
    assert [(s.is_new, s.topics) for s in bed.fan_out.stories] == [
        (True, (("sanctions", ("sanciona",)),)), (False, (("sanctions", ("sanciona",)),))]


async def test_a_story_older_than_48_hours_is_not_joined(bed: Bed) -> None:
    bed.server.route("/a", rss(("a1", "Gobierno y oposición retoman el diálogo en Barbados")))
    await bed.feeds(("A", "/a"))
    await bed.cycle()
    bed.clock.advance(timedelta(hours=49))
    bed.server.route("/a", rss(("a2", "Gobierno y oposición retoman el diálogo en Barbados"), ("a1", "x")))
    await bed.cycle()
    assert len(await bed.stories()) == 2


async def test_a_re_published_url_joins_its_story(bed: Bed) -> None:
    bed.server.route("/a", rss(("a1", "Nota original")))
    await bed.feeds(("A", "/a"))
    await bed.cycle()
    body = rss(("a1-v2", "Titular completamente reescrito")).replace(b"https://outlet.example/a1-v2",
                                                                     b"https://outlet.example/a1?utm_source=x")
    bed.server.route("/a", body)
    await bed.cycle()
    [story] = await bed.stories()
    assert len(story.sources) == 2


async def test_world_feeds_are_classified_with_their_scope(bed: Bed) -> None:
    bed.server.route("/w", rss(("w1", "EE.UU. sanciona a funcionarios rusos"),
                               ("w2", "EE.UU. sanciona a funcionarios venezolanos")))
    await bed.feeds(("World", "/w", Scope.WORLD))
    await bed.cycle()
    topics = {story.title: story.topics for story in await bed.stories()}
    assert topics == {"EE.UU. sanciona a funcionarios rusos": (),
                      "EE.UU. sanciona a funcionarios venezolanos": ("sanctions",)}


async def test_the_fan_out_runs_in_the_feeds_transaction(bed: Bed) -> None:
    bed.server.route("/a", rss(("1", "Protesta en Caracas")))
    await bed.feeds(("A", "/a"))
    bed.fan_out.fail = True
    report = by_name(await bed.cycle())["A"]
    assert report.status == FeedFetchStatus.FAILED and report.error_kind == "internal"
    assert await bed.stories() == [], "no item without its outbox rows"
    bed.fan_out.fail = False
    bed.clock.advance(bed.deps.limits.backoff_base)
    assert (await bed.cycle()).new_items == 1, "the body was not marked as seen, so it is read again"
    assert [story.title for story in bed.fan_out.stories] == ["Protesta en Caracas"]


async def test_a_cycle_without_a_fan_out_still_stores(bed: Bed) -> None:
    bed.deps = dataclasses.replace(bed.deps, on_new=None)
    bed.server.route("/a", rss(("1", "Uno")))
    await bed.feeds(("A", "/a"))
    assert (await bed.cycle()).new_items == 1


# --- the event loop stays free -------------------------------------------------------------------------------


async def test_parsing_a_big_feed_leaves_the_event_loop_free(bed: Bed) -> None:
    bed.with_limits(max_body_bytes=20_000_000, timeout=timedelta(seconds=60), max_entries=3000)
    bed.server.route("/big", rss(*((f"g{n}", f"Entrada número {n} sobre el país") for n in range(3000))))
    await bed.feeds(("Big", "/big"))
    gaps: list[float] = []
    done = asyncio.Event()

    async def ticker() -> None:
        last = time.perf_counter()
        while not done.is_set():
            await asyncio.sleep(0.01)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    task = asyncio.create_task(ticker())
    report = await bed.cycle()
    done.set()
    await task
    assert report.new_items == 3000
    parse_seconds = by_name(report)["Big"].seconds
    assert max(gaps) < max(0.5, parse_seconds / 3), f"the loop stalled {max(gaps):.2f} s during a {parse_seconds:.2f} s feed"


# --- the report ----------------------------------------------------------------------------------------------


def test_the_report_has_a_line_per_feed_and_a_total() -> None:
    from datetime import UTC, datetime
    report = CycleReport(started_at=datetime(2026, 11, 23, tzinfo=UTC), seconds=1.25, feeds=(
        FeedReport(1, "Efecto Cocuyo", "u1", FeedFetchStatus.FETCHED, 0.4, entries=20, new_items=3, new_stories=2),
        FeedReport(2, "El Pitazo", "u2", FeedFetchStatus.NOT_MODIFIED, 0.1),
        FeedReport(3, "Tal Cual", "u3", FeedFetchStatus.UNCHANGED, 0.1),
        FeedReport(4, "Runrunes", "u4", FeedFetchStatus.FAILED, 2.0, error_kind="timeout", error_detail="no answer"),
    ))
    lines = report.lines()
    assert lines[0].startswith("Efecto Cocuyo") and "3 new (1 joined other stories) of 20 entries" in lines[0]
    assert "not modified" in lines[1] and "unchanged" in lines[2] and "error timeout: no answer" in lines[3]
    assert lines[-1] == ("total: 4 feeds: 3 new items (2 new stories), 1 read, 1 not modified, 1 unchanged, "
                         "1 failed; 1.25 s")



async def test_one_feeds_storage_failure_never_costs_another_feed_its_items(bed: Bed) -> None:
    def fragile(item: Item, scope: Scope) -> Mapping[str, Sequence[str]]:
        if "ROMPE" in item.title:
            raise ValueError("classifier bug")
        return keyword_topics(item, scope)

    bed.deps = dataclasses.replace(bed.deps, classify=fragile)
    bed.server.route("/good", rss(("g1", "Marcha de jubilados"), ("g2", "CNE fija fecha")))
    bed.server.route("/bad", rss(("b1", "Titular que ROMPE el clasificador")))
    await bed.feeds(("Good", "/good"), ("Bad", "/bad"))
    report = by_name(await bed.cycle())
    assert report["Good"].status == FeedFetchStatus.FETCHED and report["Good"].new_items == 2
    assert report["Bad"].status == FeedFetchStatus.FAILED and "classifier bug" in report["Bad"].error_detail
    assert {story.title for story in await bed.stories()} == {"Marcha de jubilados", "CNE fija fecha"}


async def test_a_feed_gives_at_most_its_newest_entries_per_fetch(bed: Bed) -> None:
    bed.with_limits(max_entries=40)
    bed.server.route("/many", rss(*((f"g{n}", f"Entrada número {n} sobre el país") for n in range(100))))
    await bed.feeds(("Many", "/many"))
    report = await bed.cycle()
    assert report.new_items == 40
