"""How a first cycle's clustering cost grows with the items of the story window. Run by hand:

    python bench/cluster.py [--sizes 1000,4000,16000,64000] [--seed 17]

Items are real headlines (tests/data/eval and tests/data/stories, both languages) with two of their words
replaced by made-up ones, so that every item shares most of its words with many others (the worst case for
the index: long posting lists of everyday words) and most items start a story of their own. Each size is a
first cycle: every item is looked up in the index of the stories so far, and added when it starts one, with
publication times spread over 48 hours. It prints the CPU time per item, which stays flat when the cost grows
linearly with the items (title keys are made in the parse workers and are timed apart).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # run as a script from anywhere: the project's modules live at the root

from feeds.cluster import StoryIndex, title_key  # noqa: E402
from model import StoryKey  # noqa: E402

START = datetime(2026, 11, 23, tzinfo=UTC)


def headlines() -> list[tuple[str, str]]:
    """(title, language) of every real headline the repository holds."""
    found: list[tuple[str, str]] = []
    for path in sorted((REPO / "tests" / "data" / "eval").glob("*.jsonl")):
        for record in map(json.loads, path.read_text(encoding="utf-8").splitlines()):
            found.append((record["title"], record.get("language") or record.get("lang") or "es"))
    for line in (REPO / "tests" / "data" / "stories" / "pairs.jsonl").read_text(encoding="utf-8").splitlines():
        pair = json.loads(line)
        found.extend((pair[side]["title"], pair[side]["lang"]) for side in "ab")
    return found


def items(count: int, rng: random.Random) -> list[tuple[str, str, datetime]]:
    real = headlines()
    made: list[tuple[str, str, datetime]] = []
    for _ in range(count):
        title, language = rng.choice(real)
        words = title.split()
        for _ in range(2):
            words[rng.randrange(len(words))] = f"palabra{rng.randrange(count)}"
        made.append((" ".join(words), language, START + timedelta(seconds=rng.uniform(0, 48 * 3600))))
    made.sort(key=lambda item: item[2])
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default="1000,4000,16000,64000", help="items per first cycle, comma-separated")
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()
    for size in (int(size) for size in args.sizes.split(",")):
        made = items(size, random.Random(args.seed))
        started = time.process_time()
        keys = [title_key(title, language) for title, language, _ in made]
        keyed = time.process_time() - started
        index = StoryIndex()
        started = time.process_time()
        stories = 0
        for number, (key, (_, _, published)) in enumerate(zip(keys, made, strict=True)):
            if index.find(key, None, published) is None:
                stories += 1
                index.add(StoryKey(number, key, "", published))
        clustered = time.process_time() - started
        print(f"{size:>7} items -> {stories:>7} stories: clustering {clustered:6.2f} s, "
              f"{clustered / size * 1e6:6.1f} µs/item; title keys {keyed / size * 1e6:5.1f} µs/item")


if __name__ == "__main__":
    main()
