"""`bot.py fit-stories`: the shipped pair scorer is exactly what the command fits from the labelled pairs (so
anyone can rebuild it, and a change to the features or the pairs that is not refitted fails here); a
missing file is a clear error that writes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import main
from ops.fit_stories import WEIGHTS

REPO = Path(__file__).resolve().parents[2]


def test_the_shipped_weights_are_what_fit_stories_fits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(REPO)  # the command is named in the file as it was run: from the checkout
    output = tmp_path / "story_weights.py"
    assert main(["fit-stories", "tests/data/stories/pairs.jsonl", "tests/data/stories/fresh.jsonl",
                 "tests/data/stories/fresh2.jsonl", "--out", str(output)]) == 0
    assert output.read_text(encoding="utf-8") == WEIGHTS.read_text(encoding="utf-8")
    assert "out of fold" in capsys.readouterr().out


def test_fit_stories_without_the_pairs_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "story_weights.py"
    assert main(["fit-stories", str(tmp_path / "missing.jsonl"), "--out", str(output)]) == 2
    assert "missing.jsonl" in capsys.readouterr().err
    assert not output.exists()
