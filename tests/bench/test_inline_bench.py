"""bench/inline.py keeps working: it fills a small database and times every kind of inline query."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import inline


async def test_the_inline_benchmark_runs_on_a_small_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    worst = await inline.run(tmp_path / "bench.sqlite3", total=3_000, runs=2, seed=1)
    out = capsys.readouterr().out
    assert "sanciones            10 results" in out and "terremoto             0 results" in out
    assert worst > 0
