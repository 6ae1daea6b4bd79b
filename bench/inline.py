"""How fast an inline query (`@bot QUERY`) is answered on a big SQLite database: bench/latest.py's
1,000,000 items over two years.

    .venv/bin/python bench/inline.py                     # build a throw-away database, then time
    .venv/bin/python bench/inline.py --db /tmp/l.sqlite3 # reuse bench/latest.py's database

Times what the inline handler does between receiving the query and answering it: parsing the query,
one transaction with `handlers.inline.matching_stories`, and rendering each result's message and
description. Prints p50/p95/p99 per kind of query. Run by hand; the test suite runs it on a tiny database.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.latest import bench_options, filled_database, percentile  # noqa: E402
from handlers import args, format  # noqa: E402
from handlers.inline import matching_stories  # noqa: E402
from settings import load  # noqa: E402
from storage.engine import Database  # noqa: E402

QUERIES = ("sanciones", "Dialogue", "", "maduro caracas", "chevron lic", "terremoto")


async def time_query(database: Database, query: str, runs: int, settings_topics) -> tuple[list[float], int]:  # type: ignore[no-untyped-def]
    every_topic = [topic.id for topic in settings_topics]
    timings, found = [], 0
    for _ in range(runs):
        began = time.perf_counter()
        search = args.parse_inline(query, settings_topics)
        async with database.transaction() as session:
            stories = await matching_stories(session, search, every_topic)
        for story in stories:
            format.shared_story(story, "es")
            format.inline_description(story, lang="es", timezone="America/Caracas")
        timings.append((time.perf_counter() - began) * 1000)
        found = len(stories)
    return timings, found


async def run(db_path: Path, total: int, runs: int, seed: int) -> float:
    """Fill (unless the file is there) and print the timings; returns the worst p95."""
    database = await filled_database(db_path, total, seed)
    try:
        topics = load(REPO / "config.toml").topics
        print(f"{runs} runs per query (parse + one transaction + rendering the results), ms:")
        worst = 0.0
        for query in QUERIES:
            await time_query(database, query, 5, topics)  # warm the page cache
            timings, found = await time_query(database, query, runs, topics)
            p95 = percentile(timings, 0.95)
            worst = max(worst, p95)
            print(f"  {query or '(empty)':20s} {found:2d} results  p50 {statistics.median(timings):6.2f}  "
                  f"p95 {p95:6.2f}  p99 {percentile(timings, 0.99):6.2f}  max {max(timings):6.2f}")
        return worst
    finally:
        await database.close()


def main(argv: list[str] | None = None) -> int:
    options = bench_options(__doc__.split("\n\n")[0], runs=300, argv=argv)
    with tempfile.TemporaryDirectory(prefix="centinela-bench-") as folder:
        path = options.db or Path(folder) / "inline.sqlite3"
        worst = asyncio.run(run(path, options.items, options.runs, options.seed))
    print(f"\nworst p95 {worst:.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
