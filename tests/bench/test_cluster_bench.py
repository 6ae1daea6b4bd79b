"""bench/cluster.py keeps working, and the index it measures finds what comparing every pair would: the
candidates the index scores (stories sharing enough of a title's tokens) are never fewer than the matches."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest

from bench import cluster as bench
from feeds import cluster
from feeds.cluster import StoryIndex, similarity, title_key
from model import StoryKey

REPO = Path(__file__).resolve().parent.parent.parent


def test_the_benchmark_prints_a_line_per_size() -> None:
    result = subprocess.run([sys.executable, str(REPO / "bench" / "cluster.py"), "--sizes", "100,200"],
                            capture_output=True, text=True, timeout=120, check=False, cwd=REPO)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["100", "200"] and all("µs/item" in line for line in lines)


def test_the_index_finds_the_match_that_comparing_every_story_finds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cluster, "COMMON", 10**9)  # every token selects candidates: the pruning is the hit count
    made = bench.items(600, random.Random(3))
    keys = [title_key(title, language) for title, language, _ in made]
    index, stories = StoryIndex(), []
    found = 0
    for number, (key, (_, _, published)) in enumerate(zip(keys, made, strict=True)):
        match = index.find(key, None, published)
        scores = [(similarity(key, other, abs(at - published)), abs(story_id)) for story_id, other, at in stories
                  if abs(at - published) <= cluster.STORY_WINDOW]
        best = max((score for score in scores if score[0] > 0), default=None)
        assert (match.story_id if match else None) == (best[1] if best else None), made[number][0]
        found += match is not None
        if match is None:
            index.add(StoryKey(number, key, "", published))
            stories.append((number, key, published))
    assert 50 < found < 550  # both outcomes are exercised
