"""One story to many subscribed chats, through the real fan-out and sender, against the Bot API stand-in.

    .venv/bin/python bench/fanout.py                      # every run, default sizes
    .venv/bin/python bench/fanout.py --chats 10000 --limited-chats 600 --rtt 0,50,100,150
    .venv/bin/python bench/fanout.py --only fast          # or: --only limited

Each run on a fresh SQLite file, with the stand-in in its own process (its CPU is Telegram's, not ours):

fast     the stand-in's flood limits off and AIORateLimiter's limits raised to nothing, so Telegram is not
         the bound: what the sender itself costs (claim, format, send through PTB, group-committed marks).
         Target: at least 1,000 messages a second. Run twice: with PTB's own HTTP transport (httpx, what
         the bot uses) and with a small aiohttp transport defined here, because on this kind of machine
         httpx alone costs 1.3-2 ms of CPU a request (its connection pool scans every connection on each
         request, and httpcore retries a failing `import sniffio` on every lock when sniffio is not
         installed), which caps any PTB client near 300-700 requests a second whatever the sender does.
limited  what users get: the bot the real `run` builds (`handlers.app.build_application`: its httpx
         transport, its AIORateLimiter, its read timeout, the default `SendPolicy`), the stand-in enforcing
         Telegram's limits (30/s overall, 1/s per private chat, 20/min per group) and answering each
         sendMessage after a round trip of `--rtt` milliseconds (0, 50, 100 and 150 by default: 50-150 ms is
         a VPS far from Telegram's data centres). Real clock, real sleeps. Target: at least 27 messages a
         second at every round trip, and no 429 (the stand-in answers 429 to a 31st message in any second,
         so no 429 also means no first-second burst). Keep it short: 10,000 chats would take about six
         minutes at 30 a second, so it defaults to 600.

Prints the fan-out time (writing the outbox rows) and, for the drain, messages, seconds, messages a
second and the 429s the stand-in gave.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import multiprocessing
import sys
import tempfile
import time
from datetime import timedelta
from multiprocessing.connection import Connection
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import os  # noqa: E402

os.environ.setdefault("PTB_TIMEDELTA", "true")  # as bot.py does

import aiohttp  # noqa: E402
from telegram.error import NetworkError, TimedOut  # noqa: E402
from telegram.ext import AIORateLimiter, ExtBot  # noqa: E402
from telegram.request import BaseRequest, HTTPXRequest, RequestData  # noqa: E402

from bot import Runtime, build_runtime, utc_now  # noqa: E402
from delivery.fanout import FanOut  # noqa: E402
from delivery.outcome import SendPolicy  # noqa: E402
from handlers.app import build_application  # noqa: E402
from settings import DatabaseSettings, Settings, load  # noqa: E402
from storage import deliveries as outbox  # noqa: E402
from tests.support.botapi import BotApiStandIn  # noqa: E402
from tests.support.builders import add_story  # noqa: E402
from tests.support.chats import add_chats, new_story_events  # noqa: E402

TOKEN = "123:ABC"



class AiohttpRequest(BaseRequest):
    """A PTB transport over aiohttp, for this benchmark only: form-encoded posts, no file uploads."""

    def __init__(self, connections: int, timeout: float = 10.0) -> None:
        self._connections = connections
        self._timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float:
        return self._timeout

    async def initialize(self) -> None:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connections),
                timeout=aiohttp.ClientTimeout(total=self._timeout))

    async def shutdown(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         *_timeouts: object, **_named_timeouts: object) -> tuple[int, bytes]:
        if self._session is None:
            raise RuntimeError("AiohttpRequest is not initialized")
        if request_data is not None and request_data.contains_files:
            raise NotImplementedError("the benchmark transport sends no files")
        data = request_data.json_parameters if request_data else None
        try:
            async with self._session.request(method, url, data=data) as response:
                return response.status, await response.read()
        except TimeoutError as exc:
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from exc


def serve(connection: Connection, enforce_limits: bool, answer_delay: float) -> None:
    """Child process: run the stand-in until told to stop, then report what it saw."""

    async def main() -> None:
        async with BotApiStandIn(token=TOKEN, enforce_limits=enforce_limits) as api:
            api.answer_delay = answer_delay
            connection.send(api.base_url)
            await asyncio.get_running_loop().run_in_executor(None, connection.recv)
            connection.send({"messages": len(api.sent), "flood_errors": api.flood_errors})

    asyncio.run(main())


def bench_settings(folder: str, base_url: str) -> Settings:
    """The shipped config with no feeds, Telegram at the stand-in and a fresh SQLite file."""
    settings = load(REPO / "config.toml")
    return dataclasses.replace(
        settings, feeds=(), telegram=dataclasses.replace(settings.telegram, base_url=base_url),
        database=DatabaseSettings(url=f"sqlite+aiosqlite:///{Path(folder) / 'bench.sqlite3'}"))


async def run_fast(chats: int, *, concurrency: int, base_url: str, transport: str) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="centinela-bench-") as folder:
        # The bot's own runtime over a fresh SQLite file, with no feeds: only its Sender is measured.
        settings = bench_settings(folder, base_url)
        limiter = AIORateLimiter(overall_max_rate=0, group_max_rate=0)
        request: BaseRequest = (AiohttpRequest(concurrency) if transport == "aiohttp"
                                else HTTPXRequest(connection_pool_size=concurrency))
        policy = SendPolicy(concurrency=concurrency, chats_per_round=1000, drain_budget=timedelta(hours=1))
        async with (ExtBot(TOKEN, base_url=base_url, request=request, rate_limiter=limiter) as bot,
                    build_runtime(settings, bot=bot, policy=policy) as runtime):
            return await measure("fast", runtime, chats, transport=transport, concurrency=concurrency)


async def run_limited(chats: int, *, base_url: str, rtt_ms: int) -> dict[str, float]:
    """The drain through the bot `run` builds: its Application's bot, and the production SendPolicy but
    for the drain budget (one drain covers the whole fan-out)."""

    async def nothing(_application: object) -> None:
        return None

    with tempfile.TemporaryDirectory(prefix="centinela-bench-") as folder:
        settings = bench_settings(folder, base_url)
        application = build_application(settings, token=TOKEN, start_runtime=nothing, stop_runtime=nothing)
        policy = dataclasses.replace(SendPolicy(), drain_budget=timedelta(hours=1))
        async with (application.bot as bot, build_runtime(settings, bot=bot, policy=policy) as runtime):
            return await measure(f"limited, {rtt_ms} ms", runtime, chats, transport="httpx, the bot's",
                                 concurrency=policy.concurrency)


async def measure(name: str, runtime: Runtime, chats: int, *, transport: str, concurrency: int) -> dict[str, float]:
    """Fan one story out to `chats` subscribed chats, then drain the outbox through the runtime's Sender."""
    database = runtime.database
    chat_ids = list(range(1_000_001, 1_000_001 + chats))
    for start in range(0, chats, 5000):
        await add_chats(database, chat_ids[start:start + 5000], topics=["sanctions"])
    story_id = await add_story(database, title="OFAC sanciona a cinco funcionarios venezolanos",
                               published_at=utc_now() - timedelta(minutes=20), topics={"sanctions": ("ofac",)})
    events = await new_story_events(database, [story_id])

    started = time.perf_counter()
    async with database.transaction() as session:
        enqueued = await FanOut(now=utc_now()).on_new(session, events)
    fanout_seconds = time.perf_counter() - started

    started = time.perf_counter()
    report = await runtime.sender.drain()
    drain_seconds = time.perf_counter() - started
    async with database.transaction() as session:
        counts = await outbox.counts(session)
    rate = report.messages / drain_seconds if drain_seconds else 0.0
    print(f"[{name}] fan-out: {enqueued} deliveries written in {fanout_seconds * 1000:.0f} ms")
    print(f"[{name}] drain ({transport}): {report.messages} messages in {drain_seconds:.2f} s = {rate:.1f} messages/s "
          f"({report.rounds} rounds, {concurrency} in flight at most); outbox now {counts}")
    return {"messages": report.messages, "seconds": drain_seconds, "rate": rate}


def with_stand_in(name: str, chats: int, *, limited: bool, concurrency: int = 1, transport: str = "httpx",
                  rtt_ms: int = 0) -> None:
    parent, child = multiprocessing.Pipe()
    process = multiprocessing.get_context("spawn").Process(target=serve, args=(child, limited, rtt_ms / 1000),
                                                           daemon=True)
    process.start()
    try:
        base_url = parent.recv()
        if limited:
            result = asyncio.run(run_limited(chats, base_url=base_url, rtt_ms=rtt_ms))
        else:
            result = asyncio.run(run_fast(chats, concurrency=concurrency, base_url=base_url, transport=transport))
        parent.send("stop")
        seen = parent.recv()
    finally:
        process.join(timeout=10)
    print(f"[{name}] stand-in: {seen['messages']} messages accepted, {seen['flood_errors']} answered 429")
    if limited:
        verdict = "ok" if result["rate"] >= 27 and seen["flood_errors"] == 0 else "MISSED"
        print(f"[{name}] target >= 27 messages/s with no 429: {verdict}")
    else:
        verdict = "ok" if result["rate"] >= 1000 else "MISSED"
        note = " (httpx is the bound: see this file's docstring)" if transport == "httpx" and verdict != "ok" else ""
        print(f"[{name}] target >= 1000 messages/s ({transport}): {verdict}{note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--chats", type=int, default=10_000, help="chats for the fast run (default 10000)")
    parser.add_argument("--limited-chats", type=int, default=600,
                        help="chats for the run under Telegram's limits (default 600, about 20 s)")
    parser.add_argument("--fast-concurrency", type=int, default=64,
                        help="sends in flight in the fast run (default 64: with no rate limit, latency is the bound)")
    parser.add_argument("--rtt", default="0,50,100,150",
                        help="round trips of the limited runs, in ms, comma-separated (default 0,50,100,150)")
    parser.add_argument("--only", choices=["fast", "limited"], help="run only one kind")
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
    if args.only in (None, "fast"):
        for transport in ("httpx", "aiohttp"):
            with_stand_in("fast", args.chats, limited=False, concurrency=args.fast_concurrency, transport=transport)
    if args.only in (None, "limited"):
        for rtt_ms in (int(value) for value in args.rtt.split(",")):
            with_stand_in(f"limited, {rtt_ms} ms", args.limited_chats, limited=True, rtt_ms=rtt_ms)


if __name__ == "__main__":
    main()
