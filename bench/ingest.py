"""Benchmark of the real `bot.py fetch --once` command on N feeds served on loopback, run by hand (not a test).

    .venv/bin/python bench/ingest.py [--feeds 500] [--entries 30] [--repeat 3]

Each round writes the feeds to a folder and times, each in a process of its own, started from scratch:
- feedparser alone parsing every document once, with the options the pipeline gives it (sanitiser and
  relative-URI rewriting off), in one process;
- `bot.py --config CONFIG fetch --once` on a fresh SQLite database: the shipped config with its feeds replaced
  by these (its classifier, its parse workers, its fetch concurrency), everything new;
- the same command again: every feed unchanged (half answer 304, half send the same body again).
For each: wall time from spawn to exit, CPU time of the whole process tree (the parse workers and their fork
server included: this process is their subreaper and reaps them) and peak resident memory of the tree
(sampled every 20 ms). The machine may be busy with other work, so the best and the median are reported.

The feeds: ten-word titles drawn from a Zipf vocabulary (so stories rarely merge), links with utm_*
parameters, and summaries taken from the real feeds in tests/data/feeds/real/ (their sizes and their markup:
about half carry HTML, median 390 characters).
Targets (2 cores): first cycle <= 1.0 x feedparser alone, peak memory <= 150 MB, flat in the number of feeds.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

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


def real_summaries() -> list[str]:
    """Every non-empty summary of the real feeds in tests/data/feeds/real/, as feedparser reads it unsanitised."""
    import feedparser

    found = []
    for path in sorted((REPO / "tests/data/feeds/real").glob("*.xml")):
        parsed = feedparser.parse(path.read_bytes(), sanitize_html=False, resolve_relative_uris=False)
        found.extend(entry.get("summary") for entry in parsed.entries if entry.get("summary"))
    return found


def feed_body(feed: int, entries: int, summaries: Sequence[str]) -> bytes:
    """An RSS document of `entries` items with made-up titles and summaries drawn from real feeds."""
    items = []
    for number in range(entries, 0, -1):
        rng = random.Random(feed * 100_003 + number)
        title = " ".join(rng.choices(VOCABULARY, WEIGHTS, k=10)).capitalize()
        summary = rng.choice(summaries).replace("]]>", "]]]]><![CDATA[>")
        items.append(
            f"<item><title>{title}</title>"
            f"<link>https://outlet{feed}.example/{number}/?utm_source=rss&amp;utm_medium=rss</link>"
            f"<dc:creator><![CDATA[Redacción]]></dc:creator>"
            f"<pubDate>Mon, 23 Nov 2026 {number // 60 % 12:02d}:{number % 60:02d}:00 +0000</pubDate>"
            f"<category><![CDATA[Política]]></category>"
            f'<guid isPermaLink="false">https://outlet{feed}.example/?p={number}</guid>'
            f"<description><![CDATA[{summary}]]></description></item>")
    return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
            f"<title>Outlet {feed}</title><link>https://outlet{feed}.example</link><language>es</language>"
            f"{''.join(items)}</channel></rss>").encode()


def write_feeds(folder: Path, feeds: int, entries: int) -> int:
    """`feeds` documents of `entries` items as folder/N.xml; returns their size in bytes."""
    summaries = real_summaries()
    folder.mkdir(parents=True, exist_ok=True)
    size = 0
    for feed in range(feeds):
        body = feed_body(feed, entries, summaries)
        (folder / f"{feed}.xml").write_bytes(body)
        size += len(body)
    return size


def serve(folder: str, ready) -> None:  # type: ignore[no-untyped-def]
    """The feed server, in its own process: GET /feed/N.xml is the file N.xml of `folder`."""
    import asyncio
    import hashlib

    from aiohttp import web

    bodies = {int(path.stem): path.read_bytes() for path in Path(folder).glob("*.xml")}
    etags = {feed: '"' + hashlib.sha256(body).hexdigest()[:16] + '"' for feed, body in bodies.items()}

    async def get(request: web.Request) -> web.Response:
        feed = int(request.match_info["feed"])
        body, etag = bodies[feed], etags[feed]
        if feed % 2 == 0:  # half the feeds support conditional GET, the other half always send the body
            if request.headers.get("If-None-Match") == etag:
                return web.Response(status=304, headers={"ETag": etag})
            return web.Response(body=body, headers={"ETag": etag, "Content-Type": "application/rss+xml"})
        return web.Response(body=body, headers={"Content-Type": "application/rss+xml; charset=utf-8"})

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/feed/{feed}.xml", get)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
        await site.start()
        ready.send(site._server.sockets[0].getsockname()[1])  # type: ignore[union-attr]
        await asyncio.Event().wait()

    asyncio.run(main())


FEEDPARSER_ALONE = """
import io, sys
from pathlib import Path
import feedparser
for path in sorted(Path(sys.argv[1]).glob("*.xml")):
    feedparser.parse(io.BytesIO(path.read_bytes()), response_headers={"content-type": "application/rss+xml"},
                     sanitize_html=False, resolve_relative_uris=False)
"""


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


PR_SET_CHILD_SUBREAPER = 36


def become_subreaper() -> None:
    """Orphaned descendants (a parse worker whose parent ended first) are reparented to this process, so that
    reaping them adds their CPU time to RUSAGE_CHILDREN."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")


def timed(command: Sequence[str], *, cwd: Path, exclude: int) -> tuple[float, float, float, str]:
    """Run `command`; (wall seconds, CPU seconds of its whole tree, peak resident MB of the tree, output)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryFile() as log:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
        seen: set[int] = set()
        peak = 0.0
        while process.poll() is None:
            tree = [process.pid, *(pid for pid in descendants(process.pid) if pid != exclude)]
            seen.update(tree)
            peak = max(peak, rss_mb(tree)[0])
            time.sleep(0.02)
        wall = time.perf_counter() - started
        log.seek(0)
        output = log.read().decode("utf-8", "replace")
    for pid in seen - {process.pid}:  # orphans this process adopted; the others were reaped by their parents
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited with {process.returncode}:\n{output[-3000:]}")
    return wall, cpu, peak, output


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--entries", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3, help="rounds; the best and the median are reported")
    args = parser.parse_args()

    import multiprocessing

    from tests.support.botprocess import write_config

    become_subreaper()
    rows: list[tuple[float, ...]] = []
    for round_ in range(1, args.repeat + 1):
        with tempfile.TemporaryDirectory(prefix="centinela-bench-") as name:
            folder = Path(name)
            feeds = folder / "feeds"
            size = write_feeds(feeds, args.feeds, args.entries)
            if round_ == 1:
                print(f"{args.feeds} feeds x {args.entries} entries ({size / 1e6:.1f} MB, summaries from real "
                      f"feeds), {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
            context = multiprocessing.get_context("spawn")
            ready_read, ready_write = context.Pipe(duplex=False)
            server = context.Process(target=serve, args=(str(feeds), ready_write), daemon=True)
            server.start()
            try:
                port = ready_read.recv()
                config = write_config(folder, base_url="http://127.0.0.1:9/bot", database=folder / "bench.sqlite3",
                                      feeds=[(f"Outlet {feed}", f"http://127.0.0.1:{port}/feed/{feed}.xml")
                                             for feed in range(args.feeds)])
                fetch = [sys.executable, str(REPO / "bot.py"), "--config", str(config), "fetch", "--once"]
                alone = timed([sys.executable, "-c", FEEDPARSER_ALONE, str(feeds)], cwd=folder, exclude=server.pid)
                first = timed(fetch, cwd=folder, exclude=server.pid)
                unchanged = timed(fetch, cwd=folder, exclude=server.pid)
            finally:
                server.kill()
                server.join()
        expected = f"total: {args.feeds} feeds: {args.feeds * args.entries} new items"
        assert expected in first[3] and f"total: {args.feeds} feeds: 0 new items" in unchanged[3], first[3][-2000:]
        rows.append((*alone[:3], *first[:3], *unchanged[:3]))
        print(f"round {round_}: feedparser alone {alone[0]:.2f} s ({alone[1]:.2f} s CPU, {alone[2]:.0f} MB); "
              f"fetch --once first {first[0]:.2f} s ({first[1]:.2f} s CPU, {first[2]:.0f} MB), unchanged "
              f"{unchanged[0]:.2f} s ({unchanged[1]:.2f} s CPU, {unchanged[2]:.0f} MB); load average "
              f"{os.getloadavg()[0]:.2f}")
        print("  fetch --once said: " + first[3].strip().splitlines()[-1])

    def figure(index: int) -> tuple[float, float]:
        values = [row[index] for row in rows]
        return min(values), statistics.median(values)

    print(f"\nbest (median) of {len(rows)} rounds, each a process of its own from its start to its exit "
          "(CPU and memory: the whole process tree):")
    labels = ("feedparser alone, same options", "fetch --once, first cycle", "fetch --once, unchanged")
    for number, label in enumerate(labels):
        (wall, wall_median), (cpu, cpu_median), (peak, peak_median) = (figure(number * 3 + k) for k in range(3))
        print(f"{label:<32} wall {wall:6.2f} s ({wall_median:.2f})  CPU {cpu:6.2f} s ({cpu_median:.2f})  "
              f"peak {peak:4.0f} MB ({peak_median:.0f})")
    (alone, alone_median), (first, first_median) = figure(0), figure(3)
    (alone_cpu, _), (first_cpu, _) = figure(1), figure(4)
    print(f"first cycle = {first / alone:.2f} x feedparser alone by the clock ({first_median / alone_median:.2f} "
          f"median; target <= 1.0 x on 2 cores), {first_cpu / alone_cpu:.2f} x by CPU time; peak memory target "
          "<= 150 MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
