"""bench/feedback.py keeps working: it fills a small database and times both reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import feedback


async def test_the_feedback_benchmark_runs_on_a_small_database(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    p95 = await feedback.run(tmp_path / "bench.sqlite3", chats_count=50, days=10, stories_per_day=5, runs=2, seed=1)
    out = capsys.readouterr().out
    assert "50 chats, 250 sent alerts over 10 days" in out
    assert "topic_feedback (7 days): p50" in out and "flagged (7 days): p50" in out
    assert p95 > 0
