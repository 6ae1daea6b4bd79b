"""How fast /latest answers: on a big SQLite database (1,000,000 stored items over two years), and while an
ingestion cycle runs in the same process.

    .venv/bin/python bench/latest.py                    # build a throw-away database, then time
    .venv/bin/python bench/latest.py --db /tmp/l.sqlite3 # keep the database and reuse it next time
    .venv/bin/python bench/latest.py --during-ingestion [--feeds 500] [--database-url postgresql+asyncpg://...]

--during-ingestion is what a user gets while the bot reads its feeds: the bot's runtime (`bot.build_runtime`:
its database, parse workers, classifier and fan-out; start-up's memory frozen, as `run` does) runs a first
cycle of 500 synthetic feeds x 30 entries (bench/ingest.py's, with summaries from real feeds, served from
another process), and every 100 ms the real /latest handler
(`handlers.latest.latest`, with its own statements: the chat, its topics, the stories) answers a chat that
follows two topics, its reply captured instead of sent. Prints p50/p95/max during the cycle and idle after
it. Goal: p95 under 50 ms during the cycle, on SQLite and PostgreSQL.

Times what the /latest handler does between parsing and sending: one transaction with
`storage.stories.latest_stories` and the formatting of the reply (`handlers.format.latest_messages`).
Prints p50/p95/p99 per case and SQLite's query plan. The goal: `/latest sanctions` under 20 ms at p95.
Run by hand; the test suite runs it once on a tiny database so that it keeps working.

The index, on purpose: `item_topics (topic, published_at)`, which the schema already had. The ranking
query walks it newest first, one range per topic, and stops after a few rows per story wanted; SQLite
only sorts rows that share a published_at (the story id tie-break). A covering (topic, published_at,
story_id) index was measured too: it saves about 30 microseconds a query out of several milliseconds
spent in the transaction, the story lookups and formatting, so it is not worth a migration. What made
the difference was the query: the earlier GROUP BY story over every row of the topic took 70-130 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from handlers import format  # noqa: E402
from handlers.args import MAX_LATEST  # noqa: E402
from model import FeedSpec, Item, Scope  # noqa: E402
from settings import load  # noqa: E402
from storage import bulk  # noqa: E402
from storage import stories as story_store  # noqa: E402
from storage.engine import Database  # noqa: E402

END = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
SPAN = timedelta(days=730)
FEEDS = 60
# Share of stories in each topic (independent); the rest of the stories are in no topic.
TOPIC_SHARE = {"sanctions": 0.08, "protests": 0.10, "cne": 0.12, "dialogue": 0.05}
JOIN_SHARE = 0.3  # items that join a recent story (another outlet reporting the same event)
OPEN_STORIES = 20  # how many recent stories a new item may join
WORDS = ("sanciones", "ofac", "marcha", "cne", "diálogo", "maduro", "caracas", "licencia", "elecciones",
         "oposición", "protesta", "acuerdo", "barbados", "chevron", "petróleo", "tribunal")


@dataclass(frozen=True)
class Case:
    name: str
    topics: tuple[str, ...]
    count: int


CASES = (
    Case("/latest sanctions", ("sanctions",), 5),
    Case("/latest sanctions 20", ("sanctions",), MAX_LATEST),
    Case("/latest (a chat following all four topics)", tuple(TOPIC_SHARE), 5),
    Case("/latest dialogue 20 (the rarest topic)", ("dialogue",), MAX_LATEST),
)


def generate(total: int, seed: int) -> Iterator[bulk.BulkStory]:
    """`total` items spread evenly over SPAN up to END, in time order, clustered into stories."""
    rng = random.Random(seed)
    step = SPAN / total
    start = END - SPAN
    open_stories: deque[tuple[int, str, tuple[str, ...], list[bulk.BulkItem]]] = deque()
    next_story = 1
    for number in range(total):
        published = start + step * number + timedelta(seconds=rng.random() * step.total_seconds())
        feed_id = rng.randrange(1, FEEDS + 1)
        if open_stories and rng.random() < JOIN_SHARE:
            story_id, title, topics, members = open_stories[rng.randrange(len(open_stories))]
        else:
            title = " ".join(rng.choice(WORDS) for _ in range(6)) + f" {number}"
            topics = tuple(topic for topic, share in TOPIC_SHARE.items() if rng.random() < share)
            story_id, members = next_story, []
            next_story += 1
            open_stories.append((story_id, title, topics, members))
            if len(open_stories) > OPEN_STORIES:
                done_id, done_title, _, done_items = open_stories.popleft()
                yield bulk.BulkStory(done_id, done_title, tuple(done_items))
        link = f"https://feed{feed_id}.example/{number}"
        item = Item(guid=link, link=link, title=title, summary="", language="es", published_at=published,
                    fetched_at=published + timedelta(minutes=5), content_hash=format_hash(number))
        members.append(bulk.BulkItem(feed_id, item, topics))
    for story_id, title, _, members in open_stories:
        yield bulk.BulkStory(story_id, title, tuple(members))


def format_hash(number: int) -> str:
    return f"{number:064x}"


async def fill(database: Database, total: int, seed: int) -> None:
    await database.create_schema()
    async with database.transaction() as session:
        specs = [FeedSpec(url=f"https://feed{n}.example/rss", name=f"Outlet {n}", scope=Scope.VENEZUELA)
                 for n in range(1, FEEDS + 1)]
        await bulk.add_feeds(session, specs, now=END - SPAN)
        await bulk.add_stories(session, generate(total, seed), first_item_id=1)


async def time_case(database: Database, case: Case, runs: int, topics_config) -> list[float]:  # type: ignore[no-untyped-def]
    timings = []
    for _ in range(runs):
        began = time.perf_counter()
        async with database.transaction() as session:
            found = await story_store.latest_stories(session, case.topics, case.count)
        messages = format.latest_messages(found, case.topics, topics_config, lang="es", timezone="America/Caracas",
                                          capped=False, maximum=MAX_LATEST)
        timings.append((time.perf_counter() - began) * 1000)
        assert messages and len(found) == case.count, f"{case.name}: {len(found)} stories"
    return timings


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


async def filled_database(db_path: Path, total: int, seed: int) -> Database:
    """The SQLite database at `db_path`, filled with `total` items unless the file is already there."""
    database = Database(f"sqlite+aiosqlite:///{db_path}")
    if not db_path.exists() or db_path.stat().st_size == 0:
        began = time.perf_counter()
        await fill(database, total, seed)
        print(f"filled {db_path} with {total:,} items in {time.perf_counter() - began:.1f} s")
    else:
        await database.create_schema()
        print(f"reusing {db_path}")
    return database


def bench_options(description: str, *, runs: int, extra: Callable[[argparse.ArgumentParser], None] = lambda _: None,
                  argv: list[str] | None = None) -> argparse.Namespace:
    """The options both database benchmarks take: --items, --runs, --seed, --db (and `extra`'s)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--items", type=int, default=1_000_000, help="stored items (default 1,000,000)")
    parser.add_argument("--runs", type=int, default=runs, help=f"timed runs per case (default {runs})")
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--db", type=Path, help="SQLite file to fill or reuse (default: a temporary file)")
    extra(parser)
    return parser.parse_args(argv)


async def run(db_path: Path, total: int, runs: int, seed: int) -> float:
    """Fill (unless the file is there), print the plan and the timings; returns p95 of the first case."""
    database = await filled_database(db_path, total, seed)
    try:
        async with database.transaction() as session:
            print(f"rows: {await story_store.row_counts(session)}")
            for case in CASES[:1] + CASES[2:3]:
                print(f"\nquery plan of {case.name}:")
                for line in await story_store.explain_latest(session, case.topics, case.count):
                    print(f"  {line}")
        topics_config = load(REPO / "config.toml").topics
        print(f"\n{runs} runs per case (storage + formatting, one transaction each), ms:")
        first_p95 = 0.0
        for index, case in enumerate(CASES):
            await time_case(database, case, 5, topics_config)  # warm the page cache
            timings = await time_case(database, case, runs, topics_config)
            p95 = percentile(timings, 0.95)
            first_p95 = p95 if index == 0 else first_p95
            print(f"  {case.name:45s} p50 {statistics.median(timings):6.2f}  p95 {p95:6.2f}  "
                  f"p99 {percentile(timings, 0.99):6.2f}  max {max(timings):6.2f}")
        return first_p95
    finally:
        await database.close()


class _Reply:
    """The message /latest answers: its reply is kept, not sent."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    async def reply_html(self, text: str, **_options: object) -> None:
        self.texts.append(text)


@dataclass
class _Update:
    """What the handler reads of an update: the chat, the sender, the message."""

    effective_chat: object
    effective_user: object
    effective_message: _Reply


@dataclass
class _Context:
    args: list[str]
    bot_data: object


async def latest_during_ingestion(feeds: int, entries: int, database_url: str | None, folder: Path) -> float:
    """Probe /latest every 100 ms through a first ingestion cycle, then idle; returns p95 during the cycle."""
    import dataclasses
    import multiprocessing
    import os

    from telegram import Chat, User

    from bench.ingest import serve, write_feeds
    from bot import build_runtime, settle_memory
    from handlers.latest import latest
    from handlers.services import Services
    from settings import DatabaseSettings
    from storage import chats as chat_store

    context = multiprocessing.get_context("spawn")
    ready_read, ready_write = context.Pipe(duplex=False)
    write_feeds(folder / "feeds", feeds, entries)
    server = context.Process(target=serve, args=(str(folder / "feeds"), ready_write), daemon=True)
    server.start()
    try:
        port = ready_read.recv()
        settings = load(REPO / "config.toml")
        now = END
        settings = dataclasses.replace(
            settings, database=DatabaseSettings(url=database_url or f"sqlite+aiosqlite:///{folder}/during.sqlite3"),
            feeds=tuple(FeedSpec(url=f"http://127.0.0.1:{port}/feed/{feed}.xml", name=f"Outlet {feed}",
                                 scope=Scope.VENEZUELA) for feed in range(feeds)))
        async with build_runtime(settings, clock=lambda: now) as runtime:
            await runtime.pool.warm_up()
            chat_id = 4242
            async with runtime.database.transaction() as session:
                await chat_store.get_or_create_chat(session, chat_id=chat_id, type="private", title=None,
                                                    language="es", timezone="America/Caracas", digest_time=None,
                                                    now=now)
                await chat_store.subscribe(session, chat_id, ["sanctions", "cne"], now=now)
            services = Services()
            services.install(settings=settings, database=runtime.database, clock=lambda: now)
            settle_memory()  # as `run` does once its runtime is open

            async def probe() -> float:
                update = _Update(Chat(chat_id, "private"), User(chat_id, "Ana", False, language_code="es"), _Reply())
                began = time.perf_counter()
                await latest(update, _Context([], services))  # type: ignore[arg-type]
                took = (time.perf_counter() - began) * 1000
                assert update.effective_message.texts, "/latest gave no answer"
                return took

            print(f"{feeds} feeds x {entries} entries, {runtime.database.dialect}, {os.cpu_count()} cores, "
                  f"load average {os.getloadavg()[0]:.2f}")
            cycle = asyncio.create_task(runtime.ingestion.run_cycle(now=now))
            stalls: list[float] = []  # how late a 10 ms timer fires: the longest the event loop was busy

            async def tick() -> None:
                while not cycle.done():
                    began = time.perf_counter()
                    await asyncio.sleep(0.01)
                    stalls.append((time.perf_counter() - began - 0.01) * 1000)

            ticker = asyncio.create_task(tick())
            probes = []
            while not cycle.done():  # a command every 100 ms, each answered on its own, as users send them
                probes.append(asyncio.create_task(probe()))
                await asyncio.sleep(0.1)
            report = await cycle
            during = list(await asyncio.gather(*probes))
            await ticker
            idle = [await probe() for _ in range(50)]
    finally:
        server.kill()
    print(f"cycle: {report.summary()}")
    print(f"event loop busy without a break during the cycle, ms: p95 {percentile(stalls, 0.95):7.2f}  "
          f"max {max(stalls):7.2f}")
    for name, timings in (("during the cycle", during), ("idle", idle)):
        print(f"/latest {name:17s} ({len(timings):3d} probes), ms: p50 {statistics.median(timings):7.2f}  "
              f"p95 {percentile(timings, 0.95):7.2f}  max {max(timings):7.2f}")
    return percentile(during, 0.95)


def main(argv: list[str] | None = None) -> int:
    def extra(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--goal-ms", type=float, default=20.0, help="p95 goal for /latest sanctions")
        parser.add_argument("--during-ingestion", action="store_true",
                            help="time /latest while a first ingestion cycle runs in the same process")
        parser.add_argument("--feeds", type=int, default=500, help="feeds of that cycle (default 500)")
        parser.add_argument("--entries", type=int, default=30, help="entries per feed (default 30)")
        parser.add_argument("--database-url", help="an empty database for that run (default: a fresh SQLite file)")

    options = bench_options(__doc__.split("\n\n")[0], runs=500, argv=argv, extra=extra)
    with tempfile.TemporaryDirectory(prefix="centinela-bench-") as folder:
        if options.during_ingestion:
            p95 = asyncio.run(latest_during_ingestion(options.feeds, options.entries, options.database_url,
                                                      Path(folder)))
            goal, what = 50.0, "/latest during the cycle"
        else:
            path = options.db or Path(folder) / "latest.sqlite3"
            p95 = asyncio.run(run(path, options.items, options.runs, options.seed))
            goal, what = options.goal_ms, "/latest sanctions"
    verdict = "met" if p95 < goal else "MISSED"
    print(f"\n{what} p95 {p95:.2f} ms: goal of {goal:g} ms {verdict}")
    return 0 if p95 < goal else 1


if __name__ == "__main__":
    sys.exit(main())
