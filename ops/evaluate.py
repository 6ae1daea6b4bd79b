"""How well the classifier agrees with labelled items: precision, recall and F1 per topic and
macro-averaged, the items it got wrong, and the plain-text table that shows them.

Pure: it receives what was expected and what the classifier said, and returns numbers and text.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from feeds.classify import Classification


@dataclass(frozen=True, slots=True)
class Judged:
    """One labelled item next to the classifier's answer for it."""

    ref: str  # the item's id, or its line number in the file
    title: str
    expected: frozenset[str]
    got: Classification

    @property
    def correct(self) -> bool:
        return self.expected == frozenset(self.got.topics)


@dataclass(frozen=True, slots=True)
class Scores:
    precision: float
    recall: float
    f1: float


@dataclass(frozen=True, slots=True)
class TopicScores:
    topic: str
    scores: Scores
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def support(self) -> int:
        """How many items are labelled with the topic."""
        return self.true_positives + self.false_negatives


@dataclass(frozen=True, slots=True)
class Report:
    topics: tuple[TopicScores, ...]
    macro: Scores  # the unweighted mean over topics, so a rare topic weighs as much as a common one
    misclassified: tuple[Judged, ...]
    items: int
    macro_f1_interval: tuple[float, float] | None = None  # 95% bootstrap interval of macro.f1 (`with_interval`)


def _ratio(hits: int, total: int) -> float:
    """hits / total, where nothing to get right counts as all right (no false alarm, nothing missed)."""
    return hits / total if total else 1.0


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def score(judged: Sequence[Judged], topic_ids: Sequence[str]) -> Report:
    """Score every topic in `topic_ids`, plus any topic a label names that the classifier does not know."""
    labelled = {topic for item in judged for topic in item.expected}
    topics = [*topic_ids, *sorted(labelled - set(topic_ids))]
    rows = []
    for topic in topics:
        tp = sum(1 for item in judged if topic in item.expected and topic in item.got.topics)
        fp = sum(1 for item in judged if topic not in item.expected and topic in item.got.topics)
        fn = sum(1 for item in judged if topic in item.expected and topic not in item.got.topics)
        precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
        rows.append(TopicScores(topic, Scores(precision, recall, _f1(precision, recall)), tp, fp, fn))
    count = len(rows) or 1
    macro = Scores(*(sum(getattr(row.scores, name) for row in rows) / count for name in ("precision", "recall", "f1")))
    return Report(topics=tuple(rows), macro=macro, misclassified=tuple(item for item in judged if not item.correct),
                  items=len(judged))


BOOTSTRAP_RESAMPLES = 1000


def with_interval(report: Report, judged: Sequence[Judged], topic_ids: Sequence[str], *, seed: int = 0,
                  resamples: int = BOOTSTRAP_RESAMPLES) -> Report:
    """`report` with a 95% percentile bootstrap interval for its macro F1: the items resampled with
    replacement `resamples` times (seeded, so the same items give the same interval)."""
    if not judged:
        return report
    chance = random.Random(seed)
    values = sorted(score([chance.choice(judged) for _ in judged], topic_ids).macro.f1 for _ in range(resamples))
    low, high = values[int(0.025 * (resamples - 1))], values[int(0.975 * (resamples - 1))]
    return Report(report.topics, report.macro, report.misclassified, report.items, (low, high))


def _topics(topics: frozenset[str] | tuple[str, ...]) -> str:
    return ", ".join(sorted(topics)) or "-"


def format_report(report: Report, title_width: int = 100) -> str:
    """The metrics table, then one entry per misclassified item with the terms behind each topic it got."""
    width = max([len("macro"), *(len(row.topic) for row in report.topics)])
    lines = [f"{'topic':<{width}}  precision  recall     f1  support   tp   fp   fn"]
    for row in report.topics:
        s = row.scores
        lines.append(f"{row.topic:<{width}}  {s.precision:9.3f}  {s.recall:6.3f}  {s.f1:5.3f}  {row.support:7d}"
                     f"  {row.true_positives:3d}  {row.false_positives:3d}  {row.false_negatives:3d}")
    m = report.macro
    lines.append(f"{'macro':<{width}}  {m.precision:9.3f}  {m.recall:6.3f}  {m.f1:5.3f}  {report.items:7d} items")
    if report.macro_f1_interval is not None:
        low, high = report.macro_f1_interval
        lines.append(f"macro F1 95% bootstrap interval: {low:.3f} to {high:.3f}")
    lines.append("")
    lines.append(f"misclassified: {len(report.misclassified)} of {report.items}")
    for item in report.misclassified:
        title = item.title if len(item.title) <= title_width else item.title[:title_width - 1] + "…"
        lines.append(f"- {item.ref}: expected [{_topics(item.expected)}], got [{_topics(item.got.topics)}]")
        lines.append(f"    {title}")
        for topic, terms in item.got.matches:
            if topic not in item.expected:
                lines.append(f"    {topic} because of: {', '.join(terms)}")
    return "\n".join(lines) + "\n"
