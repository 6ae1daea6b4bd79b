"""How many items per second the topic classifier handles on one core. Run by hand:

    python bench/classify.py [--seconds 3]

It classifies the labelled items of tests/data/eval/dev.jsonl (real titles and summaries) over and over
with the shipped config.toml and its fitted model, and prints items per second. The target is at least 10,000.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # run as a script from anywhere: the project's modules live at the root

from feeds.topics import load_classifier  # noqa: E402
from model import Scope  # noqa: E402
from settings import load  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="how long to measure (default 3)")
    args = parser.parse_args()

    settings = load(REPO / "config.toml")
    started = time.perf_counter()
    classifier = load_classifier(settings)
    compiled = time.perf_counter() - started
    with (REPO / "tests" / "data" / "eval" / "dev.jsonl").open(encoding="utf-8") as file:
        items = [(record["title"], record.get("summary", "")) for record in map(json.loads, file)]
    characters = sum(len(title) + len(summary) for title, summary in items) / len(items)

    done = 0
    started, cpu_started = time.perf_counter(), time.process_time()
    while (elapsed := time.perf_counter() - started) < args.seconds:
        for title, summary in items:
            classifier.classify(title, summary, Scope.WORLD)
        done += len(items)
    print(f"compiled {len(settings.topics)} topics and the model in {compiled * 1000:.1f} ms")
    print(f"{done} items of {characters:.0f} characters on average (title + summary) in {elapsed:.2f} s")
    cpu = time.process_time() - cpu_started
    print(f"{done / cpu:,.0f} items per CPU-second (target: 10,000 on one core); {done / elapsed:,.0f} per "
          f"second of wall time, which a loaded machine lowers (load average {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
