"""The `classify` and `evaluate` subcommands of bot.py: JSON Lines in, classifications or a metrics table out.

bot.py only parses arguments and passes streams; reading and checking the lines, classifying and
printing happen here, so the commands can be tested with string streams.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from feeds.classify import Classifier
from feeds.topics import load_classifier
from model import Scope
from ops.evaluate import Judged, Report, format_report, score, with_interval
from settings import Settings

DEFAULT_SCOPE = Scope.VENEZUELA
"""The scope of a line without one. Like a feed of a Venezuelan outlet: every item is taken to be about
Venezuela unless it names another country and not Venezuela."""


class BadLine(ValueError):
    """A line of the input that is not a usable item; the message names the line."""


@dataclass(frozen=True, slots=True)
class _Line:
    number: int
    record: dict[str, Any]
    title: str
    summary: str
    scope: Scope


def _text(record: dict[str, Any], key: str, number: int, default: str | None = None) -> str:
    """The string at `key`; a missing or null optional key gives `default`."""
    value = record.get(key)
    if value is None and default is not None:
        return default
    if not isinstance(value, str):
        raise BadLine(f"line {number}: {key!r} must be a string" + ("" if default is not None else " and is required"))
    return value


def _read(lines: Iterable[str]) -> Iterator[_Line]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise BadLine(f"line {number}: not JSON ({exc.msg})") from exc
        if not isinstance(record, dict):
            raise BadLine(f"line {number}: not a JSON object")
        scope = _text(record, "scope", number, DEFAULT_SCOPE.value)
        if scope not in set(Scope):
            raise BadLine(f"line {number}: scope {scope!r} is not one of {', '.join(s.value for s in Scope)}")
        yield _Line(number, record, _text(record, "title", number), _text(record, "summary", number, ""), Scope(scope))


def read_labelled(lines: Iterable[str]) -> Iterator[tuple[_Line, frozenset[str]]]:
    """Each usable line with its labelled topics. Raises BadLine at the first line without a topics list."""
    for line in _read(lines):
        expected = line.record.get("topics")
        if not isinstance(expected, list) or not all(isinstance(topic, str) for topic in expected):
            raise BadLine(f"line {line.number}: 'topics' must be a list of topic ids")
        yield line, frozenset(expected)


def run_classify(settings: Settings, input_stream: TextIO, output_stream: TextIO,
                 errors: TextIO | None = None) -> int:
    """Classify each JSON line ({"title", "summary"?, "scope"?}) of `input_stream` and write one JSON line
    per item: {"topics": [sorted ids], "matches": {topic: [terms]}}. Returns 0, or 2 at the first bad line."""
    classifier = load_classifier(settings)
    try:
        for line in _read(input_stream):
            result = classifier.classify(line.title, line.summary, line.scope)
            output_stream.write(json.dumps({"topics": list(result.topics),
                                            "matches": {topic: list(terms) for topic, terms in result.matches}},
                                           ensure_ascii=False) + "\n")
    except BadLine as exc:
        print(f"error: {exc}", file=errors or sys.stderr)
        return 2
    return 0


def evaluate_file(classifier: Classifier, path: str | Path, *, split: str | None = None,
                  scope: Scope | None = None) -> Report:
    """Classify the labelled JSON lines in `path` (each with "topics") and score the answers, with a
    bootstrap interval for the macro F1. With `split`, only the lines of that split ("split" key); with
    `scope`, every line is read as from a feed of that scope, whatever its own says.
    Raises OSError if the file cannot be read and BadLine at the first unusable line."""
    judged = []
    with Path(path).open(encoding="utf-8") as file:
        for line, expected in read_labelled(file):
            if split is not None and line.record.get("split") != split:
                continue
            judged.append(Judged(ref=str(line.record.get("id", line.number)), title=line.title, expected=expected,
                                 got=classifier.classify(line.title, line.summary, scope or line.scope)))
    topic_ids = [topic.id for topic in classifier.topics]
    return with_interval(score(judged, topic_ids), judged, topic_ids)


def run_evaluate(settings: Settings, path: str | Path, output_stream: TextIO, errors: TextIO | None = None, *,
                 split: str | None = None, scope: Scope | None = None) -> int:
    """Print per-topic precision, recall and F1 of the labelled JSON lines in `path` (of one split, read
    in one scope, if asked), their macro average with its bootstrap interval and the misclassified items.
    Returns 0, or 2 if the file is missing, has a bad line or no line of the split."""
    try:
        report = evaluate_file(load_classifier(settings), path, split=split, scope=scope)
    except OSError as exc:
        print(f"error: {path}: {exc.strerror}", file=errors or sys.stderr)
        return 2
    except BadLine as exc:
        print(f"error: {path}: {exc}", file=errors or sys.stderr)
        return 2
    if report.items == 0:
        print(f"error: {path}: no labelled line" + (f" in split {split!r}" if split else ""), file=errors or sys.stderr)
        return 2
    output_stream.write(format_report(report))
    return 0
