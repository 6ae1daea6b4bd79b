"""The offline demo: the real pipeline on the feed snapshots shipped in the repo, no token, no network."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from feeds.fanout import FanOut
from handlers.delivery import Sender, SendPolicy
from handlers.digest import DigestService, next_occurrence
from model import Clock, NewStory
from settings import Settings
from storage import demo as demo_store
from storage.engine import Database
from storage.stories import stories_by_id


async def run_demo(settings: Settings, *, clock: Clock, out: TextIO) -> int:
    """Run the demo in a throw-away SQLite file, so it shows the same thing every time and never
    touches the real database."""
    with tempfile.TemporaryDirectory(prefix="centinela-demo-") as folder:
        return await _demo(settings, clock=clock, out=out, database_url=f"sqlite+aiosqlite:///{Path(folder) / 'demo.sqlite3'}")


async def _demo(settings: Settings, *, clock: Clock, out: TextIO, database_url: str) -> int:
    database = Database(database_url)
    try:
        await database.create_schema()
        await database.ping()
        out.write(f"Centinela demo at {clock():%Y-%m-%d %H:%M} UTC\n")
        out.write("database ready (a throw-away SQLite file)\n")
        out.write(f"topics: {', '.join(settings.topic_ids())}\n")
        out.write(f"feeds configured: {len(settings.feeds)}\n")
        await print_deliveries(database, settings, clock, out)
    finally:
        await database.close()
    return 0


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
                           is_new=True) for story in found.values()]
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
