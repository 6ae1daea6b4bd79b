"""The offline demo: the real pipeline on the feed snapshots shipped in the repo, no token, no network.

The snapshots (demo/feeds/) are served on a loopback port and ingested by the same code as real feeds:
fetch, parse in the process pool, normalise, cluster, classify, store. The demo runs at a fixed moment,
DEMO_NOW, so that its output is the same on every run.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from delivery.digests import DigestService, next_occurrence
from delivery.fanout import FanOut
from delivery.outcome import SendPolicy
from delivery.sender import Sender
from feeds.fetch import open_fetcher
from feeds.ingest import Classify, IngestDeps, no_classification, register_config_feeds, run_cycle
from feeds.pool import ParsePool
from feeds.snapshots import serve_snapshots
from model import Clock, CycleReport, NewStory, Story
from settings import Settings
from storage import demo as demo_store
from storage import stories as story_store
from storage.engine import Database
from storage.stories import stories_by_id

DEMO_NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
SHOWN_PER_TOPIC = 5


def demo_clock() -> datetime:
    """The demo's clock: always DEMO_NOW, the moment the snapshots were taken."""
    return DEMO_NOW


async def run_demo(settings: Settings, *, clock: Clock, out: TextIO, classify: Classify = no_classification) -> int:
    """Run the demo in a throw-away SQLite file, so it shows the same thing every time and never
    touches the real database."""
    with tempfile.TemporaryDirectory(prefix="centinela-demo-") as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'demo.sqlite3'}"
        return await _demo(settings, clock=clock, out=out, database_url=url, classify=classify)


async def _demo(settings: Settings, *, clock: Clock, out: TextIO, database_url: str, classify: Classify) -> int:
    database = Database(database_url)
    try:
        await database.create_schema()
        out.write(f"Centinela demo at {clock():%Y-%m-%d %H:%M} UTC\n")
        out.write("database ready (a throw-away SQLite file)\n")
        out.write(f"topics: {', '.join(settings.topic_ids())}\n")
        out.write(f"feeds configured: {len(settings.feeds)}\n\n")
        first, second = await ingest_snapshots(settings, database, clock=clock, classify=classify)
        out.write("First cycle: every snapshot is new\n")
        out.writelines(f"  {line}\n" for line in first.lines())
        out.write("\nSecond cycle, one fetch interval later: the server answers 304 Not Modified\n")
        out.write(f"  total: {second.summary()}\n\n")
        await print_stories(database, settings.topic_ids(), out=out)
        await print_deliveries(database, settings, clock, out)
    finally:
        await database.close()
    return 0


async def ingest_snapshots(settings: Settings, database: Database, *, clock: Clock,
                           classify: Classify) -> tuple[CycleReport, CycleReport]:
    """Two ingestion cycles over the snapshots of the configured feeds: the first stores everything, the
    second (one fetch interval later) finds nothing new."""
    pool = ParsePool(min(settings.fetch.parse_workers or 2, 2))
    try:
        await pool.warm_up()  # so that the snapshots are read together and stored as one group
        async with serve_snapshots() as server, open_fetcher(settings.fetch) as fetcher:
            await register_config_feeds(database, server.specs(settings.feeds), now=clock())
            deps = IngestDeps(database=database, fetcher=fetcher, pool=pool, limits=settings.fetch,
                              interval=settings.schedule.fetch_interval, classify=classify)
            first = await run_cycle(deps, now=clock())
            second = await run_cycle(deps, now=clock() + settings.schedule.fetch_interval)
    finally:
        pool.close()
    return first, second


async def print_stories(database: Database, topics: Sequence[str], *, out: TextIO) -> None:
    """The latest stories of each topic with their sources; then the stories most outlets reported."""
    async with database.transaction() as session:
        per_topic = {topic: await story_store.latest_stories(session, [topic], SHOWN_PER_TOPIC) for topic in topics}
        recent = await story_store.recent_story_keys(session, since=datetime(2000, 1, 1, tzinfo=UTC))
        everything = await story_store.stories_by_id(session, [key.story_id for key in recent])
    for topic, stories in per_topic.items():
        out.write(f"Topic {topic}: {len(stories)} latest stories\n")
        out.writelines(_story_lines(stories))
    shared = sorted((story for story in everything.values() if len(story.sources) > 1),
                    key=lambda story: (-len(story.sources), story.id))
    out.write(f"\nStories reported by more than one outlet ({len(shared)} of {len(everything)} stories):\n")
    out.writelines(_story_lines(shared))


def _story_lines(stories: Sequence[Story]) -> list[str]:
    lines = []
    for story in stories:
        outlets = ", ".join(dict.fromkeys(source.feed_name for source in story.sources))
        lines.append(f"  - {story.title}  [{story.published_at:%d/%m %H:%M}; {outlets}]\n")
    return lines
# ---------------------------------------------------------------------------------------------------
# What subscribers would receive: the real fan-out, sender and digest, with a printer for a Telegram.

DEMO_PHRASE = "maduro"


@dataclass(frozen=True, slots=True)
class DemoChat:
    chat_id: int
    label: str
    topics: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()


@dataclass(slots=True)
class PrintingBot:
    """Stands where Telegram would: keeps every message exactly as the sender sends it."""

    sent: dict[int, list[tuple[str, str]]] = field(default_factory=dict)
    kind: str = "alert"

    async def send_message(self, *, chat_id: int, text: str, **_options: Any) -> None:
        self.sent.setdefault(chat_id, []).append((self.kind, text))


async def _no_wait(_moment: datetime) -> None:
    """The demo has no Telegram to pace for."""


async def print_deliveries(database: Database, settings: Settings, clock: Clock, out: TextIO, *,
                           phrase: str = DEMO_PHRASE) -> dict[int, list[tuple[str, str]]]:
    """After ingestion: one subscriber chat per topic and one with a keyword alert, the real fan-out over
    every stored story, the real sender draining the outbox, then the digest each chat gets at its next
    digest time (the scheduled path: claim, render, send); every message is printed as the HTML that
    would be sent. Returns the messages per chat, for tests."""
    now = clock()
    chats = [DemoChat(index + 1, topic.name.get("es"), topics=(topic.id,)) for index, topic in enumerate(settings.topics)]
    chats.append(DemoChat(len(chats) + 1, f"«{phrase}»", phrases=(phrase,)))
    async with database.transaction() as session:
        for chat in chats:
            await demo_store.add_demo_chat(session, chat.chat_id, topics=chat.topics, phrases=chat.phrases,
                                           language="es", timezone=settings.schedule.timezone,
                                           digest_time=settings.schedule.digest_time, now=now)
        found = await stories_by_id(session, await demo_store.all_story_ids(session))
        events = [NewStory(story_id=story.id, title=story.title, summary=story.summary, topics=story.matched_terms,
                           is_new=True, published_at=story.published_at) for story in found.values()]
        # Ingestion fans out as it stores; doing it again here is harmless (one delivery per chat and story).
        await FanOut(now=now).on_new(session, events)

    printer = PrintingBot()
    sender = Sender(printer, database, clock, settings.topics,  # type: ignore[arg-type]
                    policy=SendPolicy(alerts_per_chat=1_000), wait_until=_no_wait)
    await sender.drain()
    # The digest as it goes out at the chats' next digest time, through the scheduled path.
    due = next_occurrence(settings.schedule.digest_time, settings.schedule.timezone, now).due_at

    def at_digest_time() -> datetime:
        return due

    printer.kind = "digest"
    digest_sender = Sender(printer, database, at_digest_time, settings.topics,  # type: ignore[arg-type]
                           wait_until=_no_wait)
    await DigestService(digest_sender, database, at_digest_time, settings.topics).tick()

    out.write(f"\nstories stored: {len(found)}; what each demo subscriber would receive, as sent (HTML); "
              f"the digest is the one of {due:%Y-%m-%d %H:%M} UTC:\n")
    for chat in chats:
        messages = printer.sent.get(chat.chat_id, [])
        alerts = sum(1 for kind, _ in messages if kind == "alert")
        out.write(f"\n{'=' * 78}\nSubscriber to {chat.label} (chat {chat.chat_id}): "
                  f"{alerts} alert message(s), {len(messages) - alerts} digest message(s)\n")
        numbers: dict[str, int] = {}
        for kind, text in messages:
            numbers[kind] = numbers.get(kind, 0) + 1
            out.write(f"{'-' * 30} {kind} message {numbers[kind]} {'-' * 30}\n{text}\n")
        if not messages:
            out.write("(nothing: no stored story matches)\n")
    return printer.sent
