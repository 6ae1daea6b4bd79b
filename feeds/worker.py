"""The unit of work a parse process runs: a fetched document in, normalised items with their title keys and
their topics out (the classifier is given to each worker once, as it starts: `start_worker`).

Pure (but for `start_worker`, which sets up the worker process), and light on imports (feedparser and the
pure feeds modules only), so that worker processes start fast and stay small. Everything that crosses the
process boundary is a plain frozen dataclass; a bad document comes back as a `ReadFailure` value, because
errors with extra fields do not survive pickling.
"""

from __future__ import annotations

import os
import select
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from errors import ParseError
from feeds.cluster import distinctive_keys, title_key
from feeds.normalize import TITLE_MAX, context_for, plain_text, to_items
from feeds.parse import parse_feed
from model import Item, Lang, Scope

READ_FACTOR = 4  # entries read from a document per entry taken

Classify = Callable[[Item, Scope], Mapping[str, Sequence[str]]]
"""topic id -> the terms that fired, for an item from a feed of the given scope; {} for no topic."""

Topics = tuple[tuple[str, tuple[str, ...]], ...]
"""An item's topics as stored: (topic id, the terms that fired), in the classifier's order."""


@dataclass(frozen=True, slots=True)
class ReadJob:
    """A fetched document and what reading it needs to know."""

    body: bytes
    url: str
    fetched_at: datetime
    content_type: str | None = None
    content_language: str | None = None
    language: Lang | None = None  # the feed's configured language, if any
    max_entries: int = 300  # fetch.max_entries_per_feed: the newest this many entries are taken
    scope: Scope | None = None  # the feed's scope: what the worker's classifier needs (None: not classified)


@dataclass(frozen=True, slots=True)
class FeedContent:
    """A document's usable entries as Items (document order), each with its title key for clustering."""

    items: tuple[Item, ...]
    title_keys: tuple[str, ...]  # '' for a boilerplate title (cluster.distinctive_keys)
    home: str  # the link given to entries that have none (so clustering must not match on it)
    entries: int  # entries in the document, including skipped ones
    warning: str | None = None
    title: str = ""  # the feed's own title, as plain text (what /feed add names a feed after)
    topics: tuple[Topics, ...] = ()  # one per item; () when the worker has no classifier or the job no scope


@dataclass(frozen=True, slots=True)
class ReadFailure:
    kind: str
    detail: str


_CLASSIFIER: list[Classify] = []  # this worker's classifier, if `start_worker` was given one


def start_worker(niceness: int, bot_pid: int | None = None, classify: Classify | None = None) -> None:
    """Run in each worker process as it starts: give way to the bot's own process, so that the event loop
    (commands, sends, storing) gets a core first whenever it has work, and parsing takes the rest; end with
    the bot (`bot_pid`), however it ends; and keep `classify` for the items of every job."""
    os.nice(niceness)
    _CLASSIFIER[:] = [classify] if classify is not None else []
    if bot_pid is not None:
        threading.Thread(target=_exit_with, args=(bot_pid,), name="exit-with-bot", daemon=True).start()


def _exit_with(bot_pid: int) -> None:
    """Wait for the bot process to end, then end this worker at once.

    A worker normally ends when the bot shuts its pool down. But when the bot is killed (SIGKILL, the OOM
    killer), nothing tells the worker: it waits for work on a queue it holds both ends of, for ever, and
    keeps the fork server alive with it. So each worker watches the bot itself: through a pidfd where the
    system has them (it becomes readable when the process ends), else by asking every two seconds."""
    try:
        watched = os.pidfd_open(bot_pid)
    except (AttributeError, OSError):
        watched = None
    if watched is not None:
        select.select([watched], [], [])
    else:
        while _alive(bot_pid):
            time.sleep(2)
    os._exit(0)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def read_feed(job: ReadJob) -> FeedContent | ReadFailure:
    """Parse and normalise one document."""
    try:
        # A document with many more entries than are taken is cut before parsing (memory), the rest after
        # (the newest, whatever the document's order).
        parsed = parse_feed(job.body, url=job.url, content_type=job.content_type,
                            content_language=job.content_language, max_entries=READ_FACTOR * job.max_entries)
    except ParseError as exc:
        return ReadFailure(exc.kind, exc.detail)
    context = context_for(parsed, url=job.url, configured=job.language, content_language=job.content_language)
    items, _skipped = to_items(parsed, context, fetched_at=job.fetched_at, limit=job.max_entries)
    keys = distinctive_keys([title_key(item.title, item.language) for item in items], [item.link for item in items])
    topics: tuple[Topics, ...] = ()
    if _CLASSIFIER and job.scope is not None:
        classify, scope = _CLASSIFIER[0], job.scope
        topics = tuple(tuple((topic, tuple(terms)) for topic, terms in classify(item, scope).items())
                       for item in items)
    return FeedContent(items=items, title_keys=tuple(keys), home=context.home, entries=len(parsed.entries),
                       warning=parsed.warning, title=plain_text(parsed.title, markup=True, limit=TITLE_MAX),
                       topics=topics)
