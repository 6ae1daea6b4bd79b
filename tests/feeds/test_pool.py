"""The parse pool: work runs in other processes, at a lower priority, and a dead worker costs one answer,
not the pool."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import signal
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot import classifier_for
from feeds.pool import NICENESS, ParsePool
from feeds.worker import FeedContent, ReadFailure, ReadJob
from model import Scope
from settings import Settings

REPO = Path(__file__).resolve().parent.parent.parent
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


async def test_a_worker_given_the_classifier_classifies_what_it_reads(shipped_settings: Settings) -> None:
    """The configured classifier goes to each worker once; the items of a job with a scope come back with their
    topics, so the bot process only stores them. A job without a scope (/feed add's check) is not classified."""
    election = dataclasses.replace(JOB, body=RSS.replace(b"Uno", b"El CNE fija en Venezuela la fecha de las regionales"))
    pool = ParsePool(workers=1, classify=classifier_for(shipped_settings))
    try:
        classified = await pool.read(dataclasses.replace(election, scope=Scope.VENEZUELA))
        unclassified = await pool.read(election)
    finally:
        pool.close()
    assert isinstance(classified, FeedContent) and isinstance(unclassified, FeedContent)
    [topics] = classified.topics
    assert [topic for topic, _terms in topics] == ["cne"]
    assert unclassified.topics == ()


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


KILLED_BOT = """
import asyncio, sys
from feeds.pool import ParsePool

async def main() -> None:
    pool = ParsePool(workers=2)
    await pool.warm_up()
    print("ready", flush=True)
    await asyncio.Event().wait()  # until killed

asyncio.run(main())
"""


async def test_the_workers_end_when_the_process_that_started_them_is_killed() -> None:
    """A SIGKILLed bot runs no shutdown code; its parse workers (and the fork server) must end anyway
    rather than wait for work for ever. They inherit the bot's standard output, so it reaches its end
    only once every one of them has ended."""
    process = await asyncio.create_subprocess_exec(sys.executable, "-c", KILLED_BOT, cwd=REPO,
                                                   stdout=asyncio.subprocess.PIPE)
    assert process.stdout is not None
    assert await asyncio.wait_for(process.stdout.readline(), 30) == b"ready\n"
    process.kill()
    # (asyncio's wait() also waits for the output to close, so it too only returns once the workers end)
    try:
        await asyncio.wait_for(process.wait(), 20)
    except TimeoutError:
        raise AssertionError("a parse worker outlived the process that started it") from None
    assert await process.stdout.read() == b""


async def test_a_document_over_the_parse_budget_fails_alone_and_the_pool_carries_on(tmp_path: Path) -> None:
    from tests.support.readers import GATED, STUCK, stuck_or_gated

    pool = ParsePool(workers=2, budget=timedelta(seconds=1), reader=stuck_or_gated)
    try:
        await pool.warm_up()
        stuck = asyncio.create_task(pool.read(ReadJob(body=STUCK + RSS, url=str(tmp_path), fetched_at=JOB.fetched_at)))
        while not (tmp_path / "stuck").exists():  # the stuck job is running in a worker
            await asyncio.sleep(0.01)
        # a neighbour in the same pool when the stuck job's workers are killed: it is read again, in the new pool
        neighbour = asyncio.create_task(pool.read(ReadJob(body=GATED + RSS, url=str(tmp_path),
                                                          fetched_at=JOB.fetched_at)))
        assert await stuck == ReadFailure("parse_timeout", "parsing took over 1 s")
        (tmp_path / "gate").touch()
        content = await neighbour
        assert isinstance(content, FeedContent) and [item.title for item in content.items] == ["Uno"]
        after = await pool.read(JOB)
        assert isinstance(after, FeedContent) and [item.title for item in after.items] == ["Uno"]
    finally:
        pool.close()


def test_one_pool_serves_one_event_loop_after_another() -> None:
    """The bot runs one loop; the tests share one pool across many, and jobs that queue for a worker in a
    second loop must not meet a semaphore that waited in the first."""
    pool = ParsePool(workers=1)

    async def three_at_once() -> list[FeedContent | ReadFailure]:
        return list(await asyncio.gather(*(pool.read(JOB) for _ in range(3))))

    try:
        for _ in range(2):
            assert all(isinstance(content, FeedContent) for content in asyncio.run(three_at_once()))
    finally:
        pool.close()
