"""Precision, recall and F1 against labels, the printed report, and the classify and evaluate commands
driven through string streams."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from feeds.classify import Classification
from model import Scope
from ops.classify import run_classify, run_evaluate
from ops.evaluate import Judged, Scores, format_report, score, with_interval
from settings import Settings, load

REPO = Path(__file__).resolve().parents[2]


def judged(ref: str, expected: set[str], got: dict[str, tuple[str, ...]]) -> Judged:
    return Judged(ref=ref, title=f"item {ref}", expected=frozenset(expected),
                  got=Classification(topics=tuple(sorted(got)), matches=tuple(sorted(got.items()))))


ITEMS = [
    judged("1", {"a"}, {"a": ("x",)}),  # a: true positive
    judged("2", {"a"}, {}),  # a: false negative
    judged("3", set(), {"a": ("y",)}),  # a: false positive
    judged("4", {"a", "b"}, {"a": ("x",), "b": ("z",)}),  # a, b: true positives
]


def test_per_topic_and_macro_scores() -> None:
    report = score(ITEMS, ["a", "b"])
    a, b = report.topics
    assert (a.topic, a.true_positives, a.false_positives, a.false_negatives, a.support) == ("a", 2, 1, 1, 3)
    assert a.scores == Scores(precision=2 / 3, recall=2 / 3, f1=pytest.approx(2 / 3))
    assert b.scores == Scores(1.0, 1.0, 1.0)
    assert report.macro.f1 == pytest.approx((2 / 3 + 1.0) / 2)
    assert [item.ref for item in report.misclassified] == ["2", "3"]
    assert report.items == 4


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        pytest.param([judged("1", set(), {})], Scores(1.0, 1.0, 1.0),
                     id="a topic nobody labelled and nothing predicted has nothing wrong"),
        pytest.param([judged("1", set(), {"a": ("x",)})], Scores(0.0, 1.0, 0.0),
                     id="only false alarms: precision 0"),
        pytest.param([judged("1", {"a"}, {})], Scores(1.0, 0.0, 0.0), id="only misses: recall 0"),
    ],
)
def test_empty_denominators(items: list[Judged], expected: Scores) -> None:
    assert score(items, ["a"]).topics[0].scores == expected


def test_a_label_the_classifier_does_not_know_is_scored_as_missed() -> None:
    report = score([judged("1", {"weather"}, {})], ["a"])
    assert [row.topic for row in report.topics] == ["a", "weather"]
    assert report.topics[1].scores.recall == 0.0


def test_the_report_shows_the_table_and_why_each_wrong_topic_fired() -> None:
    text = format_report(score(ITEMS, ["a", "b"]))
    lines = text.splitlines()
    assert lines[0].split() == ["topic", "precision", "recall", "f1", "support", "tp", "fp", "fn"]
    assert lines[1].split() == ["a", "0.667", "0.667", "0.667", "3", "2", "1", "1"]
    assert lines[3].split()[:4] == ["macro", "0.833", "0.833", "0.833"]
    assert "misclassified: 2 of 4" in text
    assert "- 3: expected [-], got [a]" in text
    assert "    a because of: y" in text


@pytest.fixture(scope="module")
def shipped() -> Settings:
    return load(REPO / "config.toml")


def test_classify_writes_one_json_line_per_item(shipped: Settings) -> None:
    lines = [
        {"title": "Cacerolazo en Caracas", "summary": ""},
        {"title": "Teachers strike over wages", "scope": "world"},
        {"title": "EU agrees new sanctions against Russia", "summary": None},
    ]
    source = io.StringIO("\n".join(json.dumps(line) for line in lines) + "\n\n")
    out = io.StringIO()
    assert run_classify(shipped, source, out) == 0
    assert [json.loads(line) for line in out.getvalue().splitlines()] == [
        {"topics": ["protests"], "matches": {"protests": ["cacerolazo*"]}},
        {"topics": [], "matches": {}},
        {"topics": [], "matches": {}},
    ]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        pytest.param("not json", "error: line 2: not JSON", id="a line that is not JSON"),
        pytest.param('["a list"]', "error: line 2: not a JSON object", id="a line that is not an object"),
        pytest.param('{"summary": "x"}', "error: line 2: 'title' must be a string and is required", id="no title"),
        pytest.param('{"title": "x", "summary": 3}', "error: line 2: 'summary' must be a string", id="a summary not text"),
        pytest.param('{"title": "x", "scope": "latam"}', "error: line 2: scope 'latam' is not one of venezuela, world",
                     id="an unknown scope"),
    ],
)
def test_classify_stops_at_a_bad_line_naming_it(shipped: Settings, line: str, message: str) -> None:
    out, errors = io.StringIO(), io.StringIO()
    assert run_classify(shipped, io.StringIO('{"title": "ok"}\n' + line + "\n"), out, errors) == 2
    assert errors.getvalue().startswith(message)
    assert len(out.getvalue().splitlines()) == 1


def test_evaluate_prints_metrics_and_the_misclassified(shipped: Settings, tmp_path: Path) -> None:
    labelled = tmp_path / "labelled.jsonl"
    labelled.write_text("\n".join(json.dumps(line) for line in [
        {"id": "ok", "title": "Cacerolazo en Caracas", "topics": ["protests"]},
        {"id": "miss", "title": "Informe semanal", "summary": "Sin novedades.", "topics": ["cne"]},
    ]) + "\n", encoding="utf-8")
    out = io.StringIO()
    assert run_evaluate(shipped, labelled, out) == 0
    text = out.getvalue()
    assert text.splitlines()[1].split()[:4] == ["protests", "1.000", "1.000", "1.000"]
    assert "misclassified: 1 of 2" in text
    assert "- miss: expected [cne], got [-]" in text


def test_evaluate_on_the_labelled_real_items(shipped: Settings) -> None:
    out = io.StringIO()
    assert run_evaluate(shipped, REPO / "tests" / "data" / "eval" / "dev.jsonl", out) == 0
    assert out.getvalue().splitlines()[5].split()[0] == "macro"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(None, "No such file", id="a missing file"),
        pytest.param('{"title": "x"}\n', "line 1: 'topics' must be a list of topic ids", id="an item without labels"),
    ],
)
def test_evaluate_refuses_a_missing_or_unlabelled_file(shipped: Settings, tmp_path: Path, content: str | None,
                                                         message: str) -> None:
    path = tmp_path / "labelled.jsonl"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    errors = io.StringIO()
    assert run_evaluate(shipped, path, io.StringIO(), errors) == 2
    assert message in errors.getvalue()


def test_evaluate_reads_one_split_in_the_scope_asked_with_a_bootstrap_interval(shipped: Settings,
                                                                               tmp_path: Path) -> None:
    labelled = tmp_path / "labelled.jsonl"
    labelled.write_text("\n".join(json.dumps(line) for line in [
        {"id": "t1", "split": "test", "title": "Cacerolazo contra el alza de precios", "topics": ["protests"]},
        {"id": "t2", "split": "test", "title": "Protestas en Bogotá contra la reforma tributaria", "topics": []},
        {"id": "d1", "split": "dev", "title": "Informe semanal", "topics": ["cne"]},
    ]) + "\n", encoding="utf-8")
    out = io.StringIO()
    assert run_evaluate(shipped, labelled, out, split="test", scope=Scope.WORLD) == 0
    text = out.getvalue()
    assert "2 items" in text and "- d1" not in text
    # From a world feed the cacerolazo has nothing that says Venezuela; the Bogotá protest never counts.
    assert "- t1: expected [protests], got [-]" in text and "- t2" not in text
    low, high = map(float, re.search(r"interval: ([\d.]+) to ([\d.]+)", text).groups())  # type: ignore[union-attr]
    assert 0.0 <= low <= high <= 1.0
    assert run_evaluate(shipped, labelled, io.StringIO(), io.StringIO(), split="train") == 2  # nothing in it


def test_the_bootstrap_interval_is_the_same_for_the_same_items() -> None:
    judged = [Judged(str(n), "t", frozenset({"cne"} if n % 3 else set()),
                     Classification(topics=("cne",) if n % 2 else (), matches=())) for n in range(60)]
    first = with_interval(score(judged, ["cne"]), judged, ["cne"])
    assert first.macro_f1_interval == with_interval(score(judged, ["cne"]), judged, ["cne"]).macro_f1_interval
    low, high = first.macro_f1_interval  # type: ignore[misc]
    assert low < first.macro.f1 < high
