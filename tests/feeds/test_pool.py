"""The parse pool: work runs in other processes, at a lower priority, and a dead worker costs one answer,
not the pool."""

from __future__ import annotations

import os
import signal
from datetime import UTC, datetime

from feeds.pool import NICENESS, ParsePool
from feeds.worker import FeedContent, ReadFailure, ReadJob

RSS = b'<rss version="2.0"><channel><title>T</title><item><title>Uno</title><guid>1</guid></item></channel></rss>'
JOB = ReadJob(body=RSS, url="https://a.example/feed", fetched_at=datetime(2026, 11, 23, 12, tzinfo=UTC),
              content_type="application/rss+xml")


async def test_feeds_are_read_in_worker_processes_that_give_way_to_the_bot() -> None:
    pool = ParsePool(workers=1)
    try:
        content = await pool.read(JOB)
        assert isinstance(content, FeedContent) and [item.title for item in content.items] == ["Uno"]
        [worker] = pool._executor._processes.values()  # type: ignore[union-attr]  # noqa: SLF001 - CPython detail
        assert worker.pid != os.getpid()
        assert os.getpriority(os.PRIO_PROCESS, worker.pid) == min(19, os.getpriority(os.PRIO_PROCESS, 0) + NICENESS)
    finally:
        pool.close()


async def test_a_worker_that_dies_costs_one_answer_and_the_pool_starts_again() -> None:
    pool = ParsePool(workers=1)
    try:
        await pool.warm_up()
        [worker] = pool._executor._processes.values()  # type: ignore[union-attr]  # noqa: SLF001 - CPython detail
        os.kill(worker.pid, signal.SIGKILL)
        worker.join()
        failed = await pool.read(JOB)
        assert isinstance(failed, ReadFailure) and failed.kind == "parser_crashed"
        again = await pool.read(JOB)
        assert isinstance(again, FeedContent) and len(again.items) == 1
    finally:
        pool.close()
