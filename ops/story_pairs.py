"""Labelled headline pairs (tests/data/stories/*.jsonl): what story merging is fitted on (ops/fit_stories.py)
and measured on (tests/feeds/test_story_pairs.py), read one way for both.

Each line is two real headlines, whether they report one event, and a note naming the event(s): 'Same event:
X [...]' or 'Different events: X vs Y; ... [...]'. A pair whose earlier headline is older than HELD_OUT_FROM
is a tuning pair; the others are held out. Besides the labelled pairs, every two distinct headlines of a set
published within two days of each other make a pair too (same event or not by the events the notes name).
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

HELD_OUT_FROM = "2020-01-01"
NEAR_DAYS = 2  # two headlines at most this many days apart are compared


@dataclass(frozen=True)
class Headline:
    title: str
    lang: str
    published_at: datetime
    event: str


@dataclass(frozen=True)
class Pair:
    a: Headline
    b: Headline
    same_event: bool
    tuning: bool


def _headline(side: dict[str, str], event: str) -> Headline:
    """One side of a pair, published at noon of its date (a date of a month only, "2024-12": its first day)."""
    date = side["date"] if len(side["date"]) > len("2024-12") else f"{side['date']}-01"
    return Headline(side["title"], side["lang"], datetime.fromisoformat(date).replace(hour=12, tzinfo=UTC), event)


def _events(pair: dict[str, object]) -> tuple[str, str]:
    """The events a pair's note names (a different-event note that does not name two: the pair's own)."""
    note = re.sub(r"\s*\[.*", "", str(pair["note"]))
    if pair["same_event"]:
        event = note.removeprefix("Same event: ")
        return event, event
    first, _, second = note.removeprefix("Different events: ").partition(" vs ")
    return (first, second.split(";")[0]) if second else (f"{pair['id']}: a", f"{pair['id']}: b")


def load_pairs(path: Path) -> list[Pair]:
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            raw = json.loads(line)
            first, second = _events(raw)
            pairs.append(Pair(_headline(raw["a"], first), _headline(raw["b"], second), raw["same_event"],
                              min(raw["a"]["date"], raw["b"]["date"]) < HELD_OUT_FROM))
    return pairs


def headlines(pairs: Sequence[Pair]) -> list[Headline]:
    """The distinct headlines of `pairs`, oldest first."""
    distinct = {headline.title: headline for pair in pairs for headline in (pair.a, pair.b)}
    return sorted(distinct.values(), key=lambda headline: (headline.published_at, headline.title))


def near_pairs(pairs: Sequence[Pair]) -> Iterable[tuple[int, Headline, int, Headline]]:
    """Every two distinct headlines of `pairs` published within NEAR_DAYS of each other, with their
    positions in `headlines(pairs)`."""
    for (i, first), (j, second) in itertools.combinations(enumerate(headlines(pairs)), 2):
        if abs(first.published_at - second.published_at).days <= NEAR_DAYS:
            yield i, first, j, second
