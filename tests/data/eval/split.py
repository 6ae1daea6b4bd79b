"""Builds tests/data/eval/corpus.jsonl from the labelled batches, each item with the split it belongs to.

    python3 tests/data/eval/split.py            # rewrites corpus.jsonl from dev.jsonl and incoming/*.jsonl

The split is by source and by date, never at random, so that the test split holds outlets and a period the
rules were not tuned on: an item is in `test` when it was published in 2025 or later, or when its outlet's
domain falls in the test fifth (by a hash of the domain); else in `dev` when its domain falls in the dev
fifth; else in `train`. Every item of one outlet is therefore in one split, except that its items from 2025
on are all in test.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
TEST_FROM = 2025


def domain(ref: str) -> str:
    host = urlsplit(ref).hostname or ref
    return re.sub(r"^(www|m|amp|es|en)\.", "", host.lower())


def year(item: dict[str, object]) -> int | None:
    for text in (str(item.get("date") or ""), str(item.get("ref") or "")):
        found = re.search(r"(?<!\d)(20[0-2]\d)(?!\d)", text)
        if found:
            return int(found.group(1))
    return None


def split_of(item: dict[str, object]) -> str:
    bucket = int(hashlib.sha256(domain(str(item["ref"])).encode()).hexdigest(), 16) % 5
    published = year(item)
    if bucket == 0 or (published is not None and published >= TEST_FROM):
        return "test"
    return "dev" if bucket == 1 else "train"


def main() -> None:
    sources = [HERE / "dev.jsonl", *sorted((HERE / "incoming").glob("*.jsonl"))]
    seen: set[str] = set()
    lines = []
    for source in sources:
        for raw in source.read_text(encoding="utf-8").splitlines():
            if not raw.strip():
                continue
            item = json.loads(raw)
            key = item["ref"].rstrip("/")
            if key in seen:  # the same page labelled twice: the first label stands
                continue
            seen.add(key)
            item["year"] = year(item)
            item["split"] = split_of(item)
            lines.append(json.dumps(item, ensure_ascii=False))
    (HERE / "corpus.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
