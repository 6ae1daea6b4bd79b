"""Readers for the parse pool's worker processes (module-level, so a forkserver worker can import them)."""

from __future__ import annotations

import time
from pathlib import Path

from feeds.worker import FeedContent, ReadFailure, ReadJob, read_feed

STUCK = b"<!-- stuck -->"
GATED = b"<!-- gated -->"


def stuck_or_gated(job: ReadJob) -> FeedContent | ReadFailure:
    """`read_feed`, except for two kinds of test documents, whose URL is a folder shared with the test:
    a STUCK one says it started (folder/stuck) and never returns (a parser caught in a pattern that will
    not end); a GATED one returns only once the test has created folder/gate."""
    folder = Path(job.url)
    if job.body.startswith(STUCK):
        (folder / "stuck").touch()
        while True:
            pass
    if job.body.startswith(GATED):
        while not (folder / "gate").exists():
            time.sleep(0.01)
    return read_feed(job)
