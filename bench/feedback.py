"""How long /stats' feedback counts and /flagged's read take on a busy SQLite database.

    .venv/bin/python bench/feedback.py                  # 10,000 chats, 90 days of sent alerts
    .venv/bin/python bench/feedback.py --chats 1000     # smaller

Fills a throw-away database with `--chats` chats and `--days` days of topic stories (`--stories-per-day`), each
alerted to a tenth of the chats and marked sent, and readers' feedback on 2% of the alerts of the last
week. Then times `storage.feedback.topic_feedback` (the 7-day window of /stats) and `storage.feedback.flagged`
(7 days), each in its own transaction, and prints p50 and p95. Run by hand; the suite runs it once, tiny.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from storage import feedback as feedback_store  # noqa: E402
from storage.engine import Database  # noqa: E402
from storage.tables import chats, deliveries, feedback, stories  # noqa: E402

END = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
TOPICS = ("protests", "sanctions", "cne", "dialogue")
WEEK = timedelta(days=7)


async def fill(database: Database, *, chats_count: int, days: int, stories_per_day: int, seed: int) -> dict[str, int]:
    rng = random.Random(seed)
    chat_ids = list(range(1, chats_count + 1))
    async with database.transaction() as session:
        await session.execute(chats.insert(), [
            {"id": chat_id, "type": "private", "title": None, "language": "es", "timezone": "America/Caracas",
             "digest_time": None, "mode": "instant", "active": True, "origin": "user", "created_at": END,
             "updated_at": END} for chat_id in chat_ids])
    counts = {"deliveries": 0, "feedback": 0}
    story_id = 0
    for day in range(days):
        moment = END - timedelta(days=days - day)
        story_rows, delivery_rows, feedback_rows = [], [], []
        for _ in range(stories_per_day):
            story_id += 1
            topic = rng.choice(TOPICS)
            story_rows.append({"id": story_id, "title": f"story {story_id}", "title_key": f"story {story_id}",
                               "link": f"https://x.example/{story_id}", "published_at": moment,
                               "first_seen_at": moment, "source_count": 1})
            for chat_id in rng.sample(chat_ids, max(1, chats_count // 10)):
                delivery_rows.append({"chat_id": chat_id, "story_id": story_id, "kind": "topic", "reason": topic,
                                      "status": "sent", "attempts": 0, "not_before": moment, "created_at": moment,
                                      "sent_at": moment})
                if END - moment <= WEEK and rng.random() < 0.02:
                    feedback_rows.append({"chat_id": chat_id, "story_id": story_id, "topic": topic,
                                          "created_at": moment})
        async with database.transaction() as session:
            await session.execute(stories.insert(), story_rows)
            await session.execute(deliveries.insert(), delivery_rows)
            if feedback_rows:
                await session.execute(feedback.insert(), feedback_rows)
        counts["deliveries"] += len(delivery_rows)
        counts["feedback"] += len(feedback_rows)
    return counts


async def timed(database: Database, runs: int) -> dict[str, tuple[float, float]]:
    samples: dict[str, list[float]] = {"topic_feedback (7 days)": [], "flagged (7 days)": []}
    for _ in range(runs):
        started = time.perf_counter()
        async with database.transaction() as session:
            await feedback_store.topic_feedback(session, since=END - WEEK, topics=TOPICS)
        samples["topic_feedback (7 days)"].append(time.perf_counter() - started)
        started = time.perf_counter()
        async with database.transaction() as session:
            await feedback_store.flagged(session, since=END - WEEK, until=END)
        samples["flagged (7 days)"].append(time.perf_counter() - started)
    return {name: (statistics.median(values), sorted(values)[max(0, round(0.95 * len(values)) - 1)])
            for name, values in samples.items()}


async def run(path: Path, *, chats_count: int, days: int, stories_per_day: int, runs: int, seed: int) -> float:
    """Fill, time, print; returns the worst p95 in seconds."""
    database = Database(f"sqlite+aiosqlite:///{path}")
    try:
        await database.upgrade()
        started = time.perf_counter()
        counts = await fill(database, chats_count=chats_count, days=days, stories_per_day=stories_per_day, seed=seed)
        print(f"filled in {time.perf_counter() - started:.1f} s: {chats_count} chats, {counts['deliveries']} sent "
              f"alerts over {days} days, {counts['feedback']} feedback rows")
        results = await timed(database, runs)
    finally:
        await database.close()
    for name, (p50, p95) in results.items():
        print(f"{name}: p50 {p50 * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms ({runs} runs)")
    return max(p95 for _, p95 in results.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chats", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--stories-per-day", type=int, default=10)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        asyncio.run(run(Path(directory) / "feedback.sqlite3", chats_count=options.chats, days=options.days,
                        stories_per_day=options.stories_per_day, runs=options.runs, seed=options.seed))


if __name__ == "__main__":
    main()
