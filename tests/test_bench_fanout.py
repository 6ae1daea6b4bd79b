"""bench/fanout.py keeps working: a tiny run of every kind, the limited one over a 150 ms round trip (the real
figures come from running it by hand)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.process

REPO = Path(__file__).resolve().parent.parent


def test_the_fanout_benchmark_runs_and_the_limited_run_gets_no_429() -> None:
    result = subprocess.run([sys.executable, str(REPO / "bench" / "fanout.py"), "--chats", "60", "--limited-chats", "12",
                             "--rtt", "150"],
                            capture_output=True, text=True, timeout=120, check=False, cwd=REPO)
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line.startswith("[")]
    assert sum("drain (httpx): 60 messages" in line for line in lines) == 1
    assert sum("drain (aiohttp): 60 messages" in line for line in lines) == 1
    assert "[limited, 150 ms] stand-in: 12 messages accepted, 0 answered 429" in lines
