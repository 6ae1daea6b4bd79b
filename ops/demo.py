"""The offline demo: the real pipeline on the feed snapshots shipped in the repo, no token, no network.

The snapshots (demo/feeds/) are served on a loopback port and ingested by the same code as real feeds:
fetch, parse in the process pool, normalise, cluster, classify, store. `bot.py demo` builds the runtime
over `demo_settings` (a throw-away SQLite file, the snapshots' addresses) with a `PrintingBot` where
Telegram would be, and hands it to `run_demo`. The demo runs at a fixed moment, DEMO_NOW, so that its
output is the same on every run.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, TextIO

from delivery.digests import DigestService, next_occurrence
from delivery.fanout import FanOut
from delivery.outcome import SendPolicy
from delivery.sender import Sender
from feeds.pool import ParsePool
from feeds.service import Ingestion
from feeds.snapshots import SnapshotServer
from model import NewStory, Story
from settings import DatabaseSettings, Settings
from storage import demo as demo_store
from storage import stories as story_store
from storage.engine import Database
from storage.stories import stories_by_id

DEMO_NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
SHOWN_PER_TOPIC = 5
DEMO_POLICY = SendPolicy(alerts_per_chat=1_000)  # every alert of a chat in one drain


class DemoClock:
    """The demo's clock: DEMO_NOW, the moment the snapshots were taken (or a test's moment), until the demo
    moves it to the subscribers' next digest time."""

    def __init__(self, start: datetime = DEMO_NOW) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


class DemoRuntime(Protocol):
    """What the demo uses of the runtime `bot.build_runtime` builds."""

    @property
    def database(self) -> Database: ...

    @property
    def pool(self) -> ParsePool: ...

    @property
    def ingestion(self) -> Ingestion: ...

    @property
    def sender(self) -> Sender: ...

    @property
    def digests(self) -> DigestService: ...


def demo_settings(settings: Settings, server: SnapshotServer, folder: Path) -> Settings:
    """`settings` with the database in a throw-away SQLite file in `folder`, so that the demo shows the same
    thing every time and never touches the real database; the feeds that have a snapshot, pointed at
    `server`; and two parse processes at most."""
    return dataclasses.replace(
        settings, database=DatabaseSettings(url=f"sqlite+aiosqlite:///{folder / 'demo.sqlite3'}"),
        feeds=tuple(server.specs(settings.feeds)),
        fetch=dataclasses.replace(settings.fetch, parse_workers=min(settings.fetch.parse_workers or 2, 2)))


async def run_demo(settings: Settings, runtime: DemoRuntime, printer: PrintingBot, clock: DemoClock,
                   out: TextIO) -> int:
    """Print the demo of `settings` (as configured), run over `runtime` (built on `demo_settings`)."""
    out.write(f"Centinela demo at {clock():%Y-%m-%d %H:%M} UTC\n")
    out.write("database ready (a throw-away SQLite file)\n")
    out.write(f"topics: {', '.join(settings.topic_ids())}\n")
    out.write(f"feeds configured: {len(settings.feeds)}\n\n")
    # So that the snapshots are read together and stored as one group.
    await runtime.pool.warm_up()
    first = await runtime.ingestion.run_cycle(now=clock())
    second = await runtime.ingestion.run_cycle(now=clock() + settings.schedule.fetch_interval)
    out.write("First cycle: every snapshot is new\n")
    out.writelines(f"  {line}\n" for line in first.lines())
    out.write("\nSecond cycle, one fetch interval later: the server answers 304 Not Modified\n")
    out.write(f"  total: {second.summary()}\n\n")
    await print_stories(runtime.database, settings.topic_ids(), out=out)
    await print_deliveries(runtime, settings, printer, clock, out)
    return 0


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


async def no_wait(_moment: datetime) -> None:
    """The demo has no Telegram to pace for (the runtime's Sender waits with this)."""


async def print_deliveries(runtime: DemoRuntime, settings: Settings, printer: PrintingBot, clock: DemoClock,
                           out: TextIO, *, phrase: str = DEMO_PHRASE) -> dict[int, list[tuple[str, str]]]:
    """After ingestion: one subscriber chat per topic and one with a keyword alert, the real fan-out over
    every stored story, the real sender draining the outbox, then the digest each chat gets at its next
    digest time (the scheduled path: claim, render, send); every message is printed as the HTML that
    would be sent. Returns the messages per chat, for tests."""
    database = runtime.database
    now = clock()
    chats = [DemoChat(index + 1, topic.name.get("es"), topics=(topic.id,))
             for index, topic in enumerate(settings.topics)]
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

    await runtime.sender.drain()
    # The digest as it goes out at the chats' next digest time, through the scheduled path and the same Sender.
    due = next_occurrence(settings.schedule.digest_time, settings.schedule.timezone, now).due_at
    clock.now = due
    printer.kind = "digest"
    await runtime.digests.tick()

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
