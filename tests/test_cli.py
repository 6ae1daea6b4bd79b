"""bot.py as a user meets it: --help, a missing token, a broken config, the offline demo."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.process

REPO = Path(__file__).resolve().parent.parent


def run_bot(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if key != "TELEGRAM_BOT_TOKEN"}
    environment.update(env or {})
    return subprocess.run([sys.executable, str(REPO / "bot.py"), *args], capture_output=True, text=True,
                          cwd=REPO, env=environment, timeout=60, check=False)


def test_help_explains_every_subcommand() -> None:
    result = run_bot("--help")
    assert result.returncode == 0
    for command in ("run", "demo", "classify", "evaluate", "db"):
        assert command in result.stdout


def test_run_without_a_token_is_a_one_line_error() -> None:
    result = run_bot("run")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: TELEGRAM_BOT_TOKEN is not set; get a token from @BotFather and export it"]
    assert "Traceback" not in result.stderr


def test_a_broken_config_stops_start_up_with_one_line_naming_the_key(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    text = (REPO / "config.toml").read_text(encoding="utf-8").replace('digest_time = "08:00"', 'digest_time = "25:00"')
    config.write_text(text, encoding="utf-8")
    result = run_bot("--config", str(config), "run", env={"TELEGRAM_BOT_TOKEN": "123:abc"})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == ['config error: schedule.digest_time: "25:00" is not HH:MM (00:00 to 23:59)']


def test_demo_runs_offline_without_a_token() -> None:
    result = run_bot("demo")
    assert result.returncode == 0, result.stderr
    assert "protests" in result.stdout


def test_classify_reads_json_lines_from_standard_input_and_explains_each_topic() -> None:
    line = '{"title": "OFAC sanciona a tres funcionarios venezolanos", "summary": ""}\n'
    result = subprocess.run([sys.executable, str(REPO / "bot.py"), "classify"], input=line, capture_output=True,
                            text=True, cwd=REPO, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert '"topics": ["sanctions"]' in result.stdout


def test_evaluate_prints_a_table_with_a_macro_row() -> None:
    result = run_bot("evaluate", str(REPO / "tests" / "data" / "eval" / "dev.jsonl"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].split()[:4] == ["topic", "precision", "recall", "f1"]
    assert any(line.startswith("macro") for line in result.stdout.splitlines())


def test_classify_of_a_missing_file_is_a_one_line_error(tmp_path: Path) -> None:
    result = run_bot("classify", str(tmp_path / "nope.jsonl"))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [f"error: {tmp_path / 'nope.jsonl'}: No such file or directory"]
