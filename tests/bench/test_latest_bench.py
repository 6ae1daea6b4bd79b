"""bench/latest.py keeps working: it fills a small database, prints the plan and times every case."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import latest


async def test_the_latest_benchmark_runs_on_a_small_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p95 = await latest.run(tmp_path / "bench.sqlite3", total=3_000, runs=3, seed=1)
    out = capsys.readouterr().out
    assert "rows: {'stories': " in out and "'items': 3000" in out
    assert "SEARCH item_topics USING INDEX ix_item_topics_topic_published_at (topic=?)" in out
    assert "GROUP BY" not in out  # the ranking never groups every row of a topic
    assert p95 > 0


async def test_the_latest_benchmark_runs_during_an_ingestion_cycle(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    p95 = await latest.latest_during_ingestion(feeds=4, entries=3, database_url=None, folder=tmp_path)
    out = capsys.readouterr().out
    assert "cycle: 4 feeds: 12 new items" in out
    assert "/latest during the cycle" in out and "/latest idle" in out
    assert p95 > 0
