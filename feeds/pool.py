"""Runs `feeds.worker.read_feed` in a pool of processes, off the event loop and on every core.

feedparser is pure Python and CPU-bound: in the event loop's thread it would stall command handling
for seconds during a big cycle, and threads would not use a second core (the GIL). Workers are started
by a fork server that has imported only `feeds.worker`, never forked from the busy bot process (which
has threads: forking it could copy a held lock). Created once by `bot.py`, closed on shutdown.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import weakref
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import timedelta

from feeds.worker import Classify, FeedContent, ReadFailure, ReadJob, read_feed, start_worker

log = logging.getLogger(__name__)

NICENESS = 10  # workers run at a lower priority than the bot (see feeds.worker.start_worker)
DEFAULT_BUDGET = timedelta(seconds=30)  # fetch.parse_timeout_seconds: feedparser reads 5 MB in a few seconds

Reader = Callable[[ReadJob], FeedContent | ReadFailure]


def _context() -> multiprocessing.context.BaseContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["feeds.worker"])
        return context
    return multiprocessing.get_context("spawn")


class ParsePool:
    """A process pool for reading feeds that replaces itself if a worker dies (a crash or the OOM killer)
    or takes longer than the budget over one document.

    At most one job per worker is in the pool at a time, and a new pool's processes are started before any
    job's clock runs, so a job's time is its own parsing, never a wait in the executor's queue nor a worker's
    start (which takes seconds on a loaded machine). A job over the budget fails alone (`parse_timeout`):
    the pool's processes are killed (a stuck regular expression cannot be interrupted any other way), a new
    pool starts, and the other jobs that were in the killed pool are read again there.
    """

    def __init__(self, workers: int = 0, *, budget: timedelta = DEFAULT_BUDGET, reader: Reader = read_feed,
                 classify: Classify | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1
        self._classify = classify  # given to each worker as it starts: it classifies the items it reads
        self.budget = budget
        self._reader = reader  # a seam for tests: a module-level function the workers can import
        self._executor: ProcessPoolExecutor | None = None
        self._slots: asyncio.Semaphore | None = None
        self._slots_loop: asyncio.AbstractEventLoop | None = None
        self._killed: weakref.WeakSet[ProcessPoolExecutor] = weakref.WeakSet()  # killed for a job over the budget
        self._started: asyncio.Future[ProcessPoolExecutor] | None = None  # the current pool, once its workers run

    async def _pool(self) -> ProcessPoolExecutor:
        """The current pool, with every worker started; the first caller after a replacement starts it and
        the others wait for it."""
        started = self._started
        if (started is not None and started.done() and not started.cancelled() and started.exception() is None
                and started.result() is self._executor):
            return started.result()
        if started is None or started.done() or started.get_loop() is not asyncio.get_running_loop():
            started = self._started = asyncio.ensure_future(self._start())
        return await asyncio.shield(started)

    async def _start(self) -> ProcessPoolExecutor:
        executor = self._executor = ProcessPoolExecutor(max_workers=self.workers, mp_context=_context(),
                                                        initializer=start_worker,
                                                        initargs=(NICENESS, os.getpid(), self._classify))
        loop = asyncio.get_running_loop()
        await asyncio.gather(*(loop.run_in_executor(executor, _ready, self._reader) for _ in range(self.workers)))
        return executor

    async def read(self, job: ReadJob) -> FeedContent | ReadFailure:
        """Parse and normalise `job` in a worker process, within the budget."""
        loop = asyncio.get_running_loop()
        if self._slots is None or self._slots_loop is not loop:  # a semaphore serves the loop it first waited in
            self._slots, self._slots_loop = asyncio.Semaphore(self.workers), loop
        async with self._slots:
            for _ in range(2):  # a second time only when another job's timeout killed the pool under this one
                executor = await self._pool()
                try:
                    return await asyncio.wait_for(
                        loop.run_in_executor(executor, self._reader, job),
                        self.budget.total_seconds())
                except TimeoutError:
                    if executor in self._killed:  # its pool was killed for another job: its time was not its own
                        continue
                    log.warning("parsing %s took over %g s: it fails, and the parse processes are replaced",
                                job.url, self.budget.total_seconds())
                    self._discard(executor, kill=True)
                    return ReadFailure("parse_timeout", f"parsing took over {self.budget.total_seconds():g} s")
                except BrokenProcessPool:
                    if executor in self._killed:
                        continue
                    log.error("a parse worker died while reading %s; starting a new pool", job.url)
                    self._discard(executor)
                    return ReadFailure("parser_crashed", "the parse process died (out of memory?)")
            return ReadFailure("parser_crashed", "the parse processes were replaced twice while reading it")

    def _discard(self, executor: ProcessPoolExecutor, *, kill: bool = False) -> None:
        if kill:
            self._killed.add(executor)
            _kill_workers(executor)
        if self._executor is executor:
            self._executor = None
        executor.shutdown(wait=False, cancel_futures=True)

    async def warm_up(self) -> None:
        """Start every worker now, so the first cycle does not pay for it."""
        await self._pool()

    def close(self) -> None:
        """Stop the workers now, even one in the middle of a document (the bot is shutting down, and a
        document's reading is worth nothing once its cycle is abandoned)."""
        executor, self._executor, self._started = self._executor, None, None
        if executor is not None:
            _kill_workers(executor)
            executor.shutdown(wait=True, cancel_futures=True)


def _ready(reader: Reader) -> int:
    """Run in each new worker before any job: unpickling `reader` imports its module there, so no job's
    budget pays for it."""
    return os.getpid()


def _kill_workers(executor: ProcessPoolExecutor) -> None:
    # ProcessPoolExecutor can stop its processes itself only from Python 3.14 on (kill_workers)
    for process in list((executor._processes or {}).values()):  # noqa: SLF001 - CPython detail
        process.kill()
