"""How long matching one story against many keyword alerts takes. Run by hand:

    python bench/keywords.py [--alerts 10000]

It makes that many alerts (one to three words, some quoted phrases and exclusions, drawn from the words
of the labelled items in tests/data/eval/dev.jsonl, so many of them do match), indexes them once, and
then matches every labelled item against all of them. The target: milliseconds per story.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections.abc import Callable, Sized
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # run as a script from anywhere: the project's modules live at the root

from delivery.keywords import KeywordIndex, parse_phrase  # noqa: E402
from text import words  # noqa: E402


def make_phrase(rng: random.Random, vocabulary: list[str], texts: list[list[str]]) -> str:
    kind = rng.random()
    if kind < 0.3:  # a phrase quoted from a real item
        text = rng.choice(texts)
        start = rng.randrange(max(1, len(text) - 1))
        return '"' + " ".join(text[start:start + 2]) + '"'
    chosen = rng.sample(vocabulary, rng.randint(1, 3))
    if kind > 0.8:
        chosen.append("-" + rng.choice(vocabulary))
    return " ".join(chosen)


def load_items() -> list[tuple[str, str]]:
    """(title, summary) of every labelled item: the stories that alerts are matched against."""
    with (REPO / "tests" / "data" / "eval" / "dev.jsonl").open(encoding="utf-8") as file:
        return [(record["title"], record.get("summary", "")) for record in map(json.loads, file)]


def make_phrases(count: int, items: list[tuple[str, str]], seed: int = 20240728) -> list[str]:
    """`count` alert phrases drawn from the words of `items`, the same ones for the same seed."""
    texts = [words(f"{title} {summary}") for title, summary in items]
    vocabulary = sorted({word for text in texts for word in text if len(word) > 3})
    rng = random.Random(seed)
    return [make_phrase(rng, vocabulary, texts) for _ in range(count)]


def per_story(matching: Callable[[str, str], Sized], items: list[tuple[str, str]],
              rounds: int) -> tuple[float, float]:
    """Seconds to match one story (median over `rounds` passes over `items`), and alerts matched per story."""
    passes, matched = [], 0
    for _ in range(rounds):
        started = time.perf_counter()
        for title, summary in items:
            matched += len(matching(title, summary))
        passes.append((time.perf_counter() - started) / len(items))
    return statistics.median(passes), matched / (rounds * len(items))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--alerts", type=int, default=10_000, help="how many alerts (default 10000)")
    args = parser.parse_args()

    items = load_items()
    phrases = make_phrases(args.alerts, items)
    started = time.perf_counter()
    index = KeywordIndex.build((number, parse_phrase(phrase)) for number, phrase in enumerate(phrases))
    built = time.perf_counter() - started
    seconds, matched = per_story(index.matching, items, rounds=20)
    print(f"parsed and indexed {args.alerts} alerts in {built * 1000:.0f} ms")
    print(f"one story against all {args.alerts} alerts: {seconds * 1000:.3f} ms "
          f"(on average {matched:.1f} alerts matched per story)")


if __name__ == "__main__":
    main()
