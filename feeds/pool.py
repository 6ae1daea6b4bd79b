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
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from feeds.worker import FeedContent, ReadFailure, ReadJob, read_feed, start_worker

log = logging.getLogger(__name__)

NICENESS = 10  # workers run at a lower priority than the bot (see feeds.worker.start_worker)


def _context() -> multiprocessing.context.BaseContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["feeds.worker"])
        return context
    return multiprocessing.get_context("spawn")


class ParsePool:
    """A process pool for reading feeds that replaces itself if a worker dies (a crash or the OOM killer)."""

    def __init__(self, workers: int = 0) -> None:
        self.workers = workers or os.cpu_count() or 1
        self._executor: ProcessPoolExecutor | None = None

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(max_workers=self.workers, mp_context=_context(),
                                                 initializer=start_worker, initargs=(NICENESS, os.getpid()))
        return self._executor

    async def read(self, job: ReadJob) -> FeedContent | ReadFailure:
        """Parse and normalise `job` in a worker process."""
        executor = self._pool()
        try:
            return await asyncio.get_running_loop().run_in_executor(executor, read_feed, job)
        except BrokenProcessPool:
            log.error("a parse worker died while reading %s; starting a new pool", job.url)
            if self._executor is executor:
                self._executor = None
                executor.shutdown(wait=False, cancel_futures=True)
            return ReadFailure("parser_crashed", "the parse process died (out of memory?)")

    async def warm_up(self) -> None:
        """Start every worker now, so the first cycle does not pay for it."""
        loop = asyncio.get_running_loop()
        executor = self._pool()
        await asyncio.gather(*(loop.run_in_executor(executor, os.getpid) for _ in range(self.workers)))

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
