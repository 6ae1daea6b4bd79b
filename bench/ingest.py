"""Benchmark of one ingestion cycle: N synthetic feeds served on loopback, run by hand (not a test).

    .venv/bin/python bench/ingest.py [--feeds 500] [--entries 30] [--workers 0] [--concurrency 16] [--repeat 3]

Each round times feedparser alone parsing the same bytes in one process (default options, and with the
sanitiser and URI rewriting off as feeds.parse runs it), then three cycles of the real pipeline on a fresh
SQLite database (fetch, parse and normalise in the process pool, cluster, classify with the configured
topics, store): the first (everything new), an all-unchanged one (half the feeds answer 304, half send
the same body again), and one where every feed has one new entry. Peak memory is the resident size of this
process plus its parse workers (the feed server runs in its own process and is not counted). The machine
may be busy with other work, so the best and the median of the rounds are reported.

The feeds look like WordPress's: ten-word titles, a short summary with WordPress's HTML footer (two links,
which feedparser's sanitiser works on; --no-footer leaves it out), links with utm_* parameters.
Targets (2 cores): first cycle <= 1.0 x feedparser alone with the same options (sanitiser and URI rewriting
off), unchanged cycle < 0.5 s, peak memory <= 150 MB. This times the cycle inside one process, not the
`fetch --once` command with its start; see docs/design.md (issue 14) for what is left.
Heavy imports happen inside main(), so that the parse workers do not load them.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

START = (2026, 11, 23, 12, 0)
WORDS = ("gobierno oposición elecciones regionales municipales consejo nacional electoral rectores cronograma "
         "auditoría registro sanciones tesoro funcionarios represión detenciones presos políticos foro penal "
         "protesta marcha docentes jubilados enfermeras salarios aguinaldos cacerolazo apagones agua petare "
         "maracaibo valencia barquisimeto mérida táchira zulia bolívar guayana sidor pdvsa petróleo faja "
         "exportaciones dólar bolívares inflación banco central diálogo negociación barbados noruega mediación "
         "plataforma unitaria candidatos primarias observadores misión europea tribunal supremo fiscalía "
         "defensoría asamblea diputados ley presupuesto reforma universidad estudiantes hospital insumos "
         "vacunas migración frontera colombia brasil guyana esequibo minería oro arco minero trabajadores "
         "sindicato huelga paro transporte gasolina colas electricidad racionamiento lluvias deslizamientos").split()
SYLLABLES = "ca ra ma te lo ri sa na do pe ve zu la mi ta co be gua ti re".split()


def vocabulary(size: int = 6000) -> list[str]:
    """Real words first, then made-up ones: drawn with Zipf weights, like the words of real headlines."""
    rng = random.Random(0)
    made_up = {"".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(size * 2)}
    return WORDS + sorted(made_up - set(WORDS))[: size - len(WORDS)]


VOCABULARY = vocabulary()
WEIGHTS = [1 / rank for rank in range(1, len(VOCABULARY) + 1)]


def feed_body(feed: int, entries: int, extra: int, footer: bool = True) -> bytes:
    """A WordPress-like RSS document (about 700 bytes an entry, with WordPress's "The post ... appeared
    first on ..." footer) of `entries + extra` items; the added ones come first, and every entry keeps its
    text from one version of the document to the next."""
    items = []
    for number in range(entries + extra, 0, -1):
        rng = random.Random(feed * 100_003 + number)
        title = " ".join(rng.choices(VOCABULARY, WEIGHTS, k=10)).capitalize()
        summary = " ".join(rng.choices(VOCABULARY, WEIGHTS, k=9)).capitalize()
        link = f"https://outlet{feed}.example/{number}/"
        items.append(
            f"<item><title>{title}</title>"
            f"<link>https://outlet{feed}.example/{number}/?utm_source=rss&amp;utm_medium=rss</link>"
            f"<dc:creator><![CDATA[Redacción]]></dc:creator>"
            f"<pubDate>Mon, 23 Nov 2026 {number // 60 % 12:02d}:{number % 60:02d}:00 +0000</pubDate>"
            f"<category><![CDATA[Política]]></category>"
            f'<guid isPermaLink="false">https://outlet{feed}.example/?p={number}</guid>'
            f"<description><![CDATA[<p>{summary}.</p>"
            + (f"\n<p>The post <a rel=\"nofollow\" href=\"{link}\">{title}</a> appeared first on "
               f"<a rel=\"nofollow\" href=\"https://outlet{feed}.example\">Outlet {feed}</a>.</p>" if footer else
               f" {summary}.")
            + "]]></description></item>")
    return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
            f"<title>Outlet {feed}</title><link>https://outlet{feed}.example</link><language>es</language>"
            f"{''.join(items)}</channel></rss>").encode()


def serve(feeds: int, entries: int, footer: bool, ready) -> None:  # type: ignore[no-untyped-def]
    """The feed server, in its own process. POST /bump adds one entry to every feed, POST /reset starts over."""
    import asyncio
    import hashlib

    from aiohttp import web

    state = {"extra": 0}
    bodies: dict[int, tuple[bytes, str]] = {}

    def build() -> None:
        for feed in range(feeds):
            body = feed_body(feed, entries, state["extra"], footer)
            bodies[feed] = (body, '"' + hashlib.sha256(body).hexdigest()[:16] + '"')

    async def get(request: web.Request) -> web.Response:
        feed = int(request.match_info["feed"])
        body, etag = bodies[feed]
        if feed % 2 == 0:  # half the feeds support conditional GET, the other half always send the body
            if request.headers.get("If-None-Match") == etag:
                return web.Response(status=304, headers={"ETag": etag})
            return web.Response(body=body, headers={"ETag": etag, "Content-Type": "application/rss+xml"})
        return web.Response(body=body, headers={"Content-Type": "application/rss+xml; charset=utf-8"})

    async def bump(_request: web.Request) -> web.Response:
        state["extra"] += 1
        build()
        return web.Response(text="ok")

    async def reset(_request: web.Request) -> web.Response:
        state["extra"] = 0
        build()
        return web.Response(text="ok")

    async def main() -> None:
        build()
        app = web.Application()
        app.router.add_get("/feed/{feed}.xml", get)
        app.router.add_post("/bump", bump)
        app.router.add_post("/reset", reset)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
        await site.start()
        ready.send(site._server.sockets[0].getsockname()[1])  # type: ignore[union-attr]
        await asyncio.Event().wait()

    asyncio.run(main())


def rss_mb(pids: list[int]) -> tuple[float, float]:
    """(current, high-water) resident size of the processes, in MB, from /proc."""
    now = peak = 0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                now += int(line.split()[1])
            elif line.startswith("VmHWM:"):
                peak += int(line.split()[1])
    return now / 1024, peak / 1024


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time the processes have used so far, from /proc."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def descendants(pid: int) -> list[int]:
    found, queue = [], [pid]
    while queue:
        parent = queue.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                children = [int(child) for child in (task / "children").read_text().split()]
            except OSError:
                continue
            found.extend(children)
            queue.extend(children)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--entries", type=int, default=30)
    parser.add_argument("--workers", type=int, default=0, help="parse processes (0: one per core)")
    parser.add_argument("--concurrency", type=int, default=16, help="feeds fetched at once")
    parser.add_argument("--repeat", type=int, default=3,
                        help="rounds (each: feedparser alone, then the three cycles on a fresh database); the "
                        "best and the median of each figure are reported (default: 3)")
    parser.add_argument("--no-footer", action="store_true",
                        help="leave out WordPress's HTML footer (less work for feedparser's sanitiser)")
    args = parser.parse_args()

    import asyncio
    import dataclasses
    import io
    import multiprocessing
    import statistics
    import tempfile
    import time
    from datetime import UTC, datetime, timedelta

    import aiohttp
    import feedparser

    from bot import Runtime, build_runtime
    from model import CycleReport, FeedSpec, Scope
    from settings import DatabaseSettings, load

    footer = not args.no_footer
    bodies = [feed_body(feed, args.entries, 0, footer) for feed in range(args.feeds)]
    size = sum(map(len, bodies)) / 1e6
    workers = args.workers or os.cpu_count() or 1
    print(f"{args.feeds} feeds x {args.entries} entries ({size:.1f} MB), {workers} parse workers, "
          f"concurrency {args.concurrency}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} "
          "(other work on the machine slows every figure)")

    def feedparser_alone(**flags: bool) -> float:
        started = time.perf_counter()
        for body in bodies:
            feedparser.parse(io.BytesIO(body), response_headers={"content-type": "application/rss+xml"}, **flags)
        return time.perf_counter() - started

    context = multiprocessing.get_context("spawn")
    ready_read, ready_write = context.Pipe(duplex=False)
    server = context.Process(target=serve, args=(args.feeds, args.entries, footer, ready_write), daemon=True)
    server.start()
    port = ready_read.recv()

    settings = load(REPO / "config.toml")

    async def cycles(folder: str) -> tuple[list[CycleReport], float, float]:
        """A fresh database, the three cycles, the peak resident memory meanwhile, and the CPU time the
        first cycle took in this process and its parse workers."""
        async with aiohttp.ClientSession() as http:
            await (await http.post(f"http://127.0.0.1:{port}/reset")).read()
        # The bot's own runtime (its classifier, fan-out hook and parse pool) over a fresh SQLite file and
        # the synthetic feeds.
        bench_settings = dataclasses.replace(
            settings, database=DatabaseSettings(url=f"sqlite+aiosqlite:///{folder}/bench.sqlite3"),
            fetch=dataclasses.replace(settings.fetch, concurrency=args.concurrency, parse_workers=workers),
            schedule=dataclasses.replace(settings.schedule, fetch_interval=timedelta(minutes=15)),
            feeds=tuple(FeedSpec(url=f"http://127.0.0.1:{port}/feed/{feed}.xml", name=f"Outlet {feed}",
                                 scope=Scope.VENEZUELA) for feed in range(args.feeds)))
        now = datetime(*START, tzinfo=UTC)
        async with build_runtime(bench_settings, clock=lambda: now) as runtime:
            return await measured_cycles(runtime)

    async def measured_cycles(runtime: Runtime) -> tuple[list[CycleReport], float, float]:
        now = datetime(*START, tzinfo=UTC)
        await runtime.pool.warm_up()
        peak = 0.0
        done = asyncio.Event()

        async def sample() -> None:
            nonlocal peak
            while not done.is_set():
                pids = [os.getpid(), *(pid for pid in descendants(os.getpid()) if pid != server.pid)]
                peak = max(peak, rss_mb(pids)[0])
                await asyncio.sleep(0.1)

        sampler = asyncio.create_task(sample())
        reports = []
        processes = [os.getpid(), *(pid for pid in descendants(os.getpid()) if pid != server.pid)]
        cpu_before = cpu_seconds(processes)
        try:
            for bump in (False, False, True):
                if bump:
                    async with aiohttp.ClientSession() as http:
                        await (await http.post(f"http://127.0.0.1:{port}/bump")).read()
                reports.append(await runtime.ingestion.run_cycle(now=now))
                now += timedelta(minutes=15)
                if len(reports) == 1:
                    first_cpu = cpu_seconds(processes) - cpu_before
        finally:
            done.set()
            await sampler
            pids = [os.getpid(), *(pid for pid in descendants(os.getpid()) if pid != server.pid)]
            peak = max(peak, rss_mb(pids)[1])  # the per-process high-water marks, summed: an upper bound
        first, unchanged, bumped = reports
        assert not first.failed and first.new_items == args.feeds * args.entries, first.summary()
        assert unchanged.new_items == 0 and bumped.new_items == args.feeds, bumped.summary()
        return reports, peak, first_cpu

    rows: list[tuple[float, ...]] = []
    try:
        for round_ in range(1, args.repeat + 1):
            alone = feedparser_alone()
            cpu = time.process_time()
            alone_fast = feedparser_alone(sanitize_html=False, resolve_relative_uris=False)
            alone_cpu = time.process_time() - cpu
            with tempfile.TemporaryDirectory(prefix="centinela-bench-") as folder:
                (first, unchanged, bumped), peak, first_cpu = asyncio.run(cycles(folder))
            rows.append((alone, alone_fast, first.seconds, unchanged.seconds, bumped.seconds, peak, alone_cpu,
                         first_cpu))
            print(f"round {round_}: feedparser alone {alone:.2f} s (fast options {alone_fast:.2f} s); cycles: "
                  f"first {first.seconds:.2f} s, unchanged {unchanged.seconds:.2f} s, one new entry each "
                  f"{bumped.seconds:.2f} s; peak {peak:.0f} MB; load average {os.getloadavg()[0]:.2f}")
    finally:
        server.kill()

    def figure(index: int) -> tuple[float, float]:
        values = [row[index] for row in rows]
        return min(values), statistics.median(values)

    (alone, alone_median), (fast, fast_median) = figure(0), figure(1)
    (first, first_median), (unchanged, unchanged_median) = figure(2), figure(3)
    (bumped, bumped_median), (peak, peak_median) = figure(4), figure(5)
    print(f"\nbest (median) of {len(rows)} rounds:")
    print(f"feedparser alone, one process, default options:      {alone:6.2f} s ({alone_median:.2f})")
    print(f"feedparser alone, one process, sanitizer and URI rewriting off: {fast:6.2f} s ({fast_median:.2f})")
    # The yardstick is feedparser with the options the pipeline gives it (sanitising and URI resolution off):
    # against its default options the pipeline would be credited with work it never does.
    print(f"first cycle, everything new:     {first:6.2f} s ({first_median:.2f}) = {first / fast:.2f} x feedparser "
          f"alone with the same options ({first_median / fast_median:.2f})   target <= 1.0 x on 2 cores; "
          f"{first / alone:.2f} x feedparser with its default options")
    print(f"unchanged cycle (304/same body): {unchanged:6.2f} s ({unchanged_median:.2f})   target < 0.50 s")
    print(f"one new entry in every feed:     {bumped:6.2f} s ({bumped_median:.2f})")
    print(f"peak memory, bot process + parse workers: {peak:.0f} MB ({peak_median:.0f})   target <= 150 MB")
    (alone_cpu, _), (first_cpu, _) = figure(6), figure(7)
    print(f"CPU time, which other work on the machine does not inflate: feedparser alone with the same options "
          f"{alone_cpu:.2f} s; "
          f"first cycle {first_cpu:.2f} s in the bot process and its workers, so at least {first_cpu / 2:.2f} s "
          f"on two idle cores = {first_cpu / 2 / alone_cpu:.2f} x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
