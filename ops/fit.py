"""The `fit` subcommand of bot.py: the learned part of the classifier (feeds.topic_model), fitted from the
labelled corpus's train and dev splits and written as JSON.

One logistic regression per topic (L2-regularised, full-batch Adam from zero weights, a fixed number of
steps: the same corpus and config give the same file) over the features `Classifier.features` builds with
the rules alone. Each topic's threshold is chosen on out-of-fold scores: the fitting items are cut into
folds by outlet (no outlet in two folds), each fold is scored by a model fitted on the others, and the
threshold is the one with the best F1 among those whose precision is at least TARGET_PRECISION. A held-out
fold is scored as new text: the configured terms that only its items contain are struck from the lists first
(they were written from those items, so keeping them would score the fold with what was learned from it).
Plain Python, so fitting needs nothing the bot does not already have.
"""

from __future__ import annotations

import bisect
import hashlib
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

from feeds.classify import Classifier, compile_classifier
from feeds.topic_model import TopicModel, make_model, partition, word_scale
from model import LANGS, Scope, Topic
from ops.classify import BadLine, read_labelled
from settings import TERM_TIERS, ClassifierSettings, Settings

FIT_SPLITS = ("train", "dev")
FOLDS = 5
MIN_ITEMS = 2  # a feature seen in fewer fitting items than this gets no weight
L2 = 0.01  # per item: the penalty is L2 / 2 * |w|^2 added to the mean log loss
STEPS = 400
RATE = 0.05
TARGET_PRECISION = 0.95  # out-of-fold precision a threshold must reach (the goal on new text is 0.90; held-out
# outlets scored as new text still do better than test did, by 3 to 8 points)
DIGITS = 4  # weights are stored rounded, so the file is small and the same on every machine
MIN_WEIGHT = 0.005  # a feature whose weights are all smaller than this is left out of the file


Term = tuple[str, str, str]  # a configured term: (topic id or "classifier", tier, term), as Classifier.terms_found


@dataclass(frozen=True, slots=True)
class Example:
    title: str
    summary: str
    features: tuple[str, ...]
    labels: frozenset[str]
    group: str  # the outlet's domain: folds never split one
    terms: frozenset[Term]  # the configured terms it contains


@dataclass(frozen=True, slots=True)
class Rules:
    """What the classifier is compiled from: the topics and the classifier settings of the config."""

    topics: tuple[Topic, ...]
    settings: ClassifierSettings

    def compile(self) -> Classifier:
        return compile_classifier(self.topics, self.settings)

    def without(self, terms: Iterable[Term]) -> Rules:
        """These rules with `terms` struck from their lists (both languages)."""
        struck: dict[tuple[str, str], set[str]] = {}
        for owner, tier, label in terms:
            struck.setdefault((owner, tier), set()).add(label)

        def kept(owner: str, tier: str, labels: tuple[str, ...]) -> tuple[str, ...]:
            return tuple(label for label in labels if label not in struck.get((owner, tier), ()))

        topics = []
        for topic in self.topics:
            lists: dict[str, Any] = {f"{tier}_{lang}": kept(topic.id, tier, getattr(topic, f"{tier}_{lang}"))
                                     for tier in TERM_TIERS for lang in LANGS}
            topics.append(replace(topic, **lists))
        context: dict[str, Any] = {f"{tier}_terms": kept("classifier", tier, getattr(self.settings, f"{tier}_terms"))
                                   for tier in ("venezuela", "foreign")}
        return Rules(tuple(topics), replace(self.settings, **context))


def _domain(ref: str) -> str:
    host = urlsplit(ref).hostname or ref
    return host.lower().removeprefix("www.")


def examples(classifier: Classifier, path: Path) -> list[Example]:
    """The fitting items of the corpus at `path` (splits FIT_SPLITS), as features and labels."""
    with path.open(encoding="utf-8") as file:
        return [Example(line.title, line.summary, tuple(classifier.features(line.title, line.summary, Scope.VENEZUELA)),
                        labels, _domain(str(line.record.get("ref", line.number))),
                        frozenset(classifier.terms_found(line.title, line.summary)))
                for line, labels in read_labelled(file) if line.record.get("split") in FIT_SPLITS]


def _sigmoid(value: float) -> float:
    return 1 / (1 + math.exp(-value)) if value >= 0 else math.exp(value) / (1 + math.exp(value))


def fit_logistic(rows: Sequence[Sequence[int]], scales: Sequence[float], words: int, targets: Sequence[float],
                 width: int, *, steps: int = STEPS, non_negative: Iterable[int] = ()) -> tuple[float, list[float]]:
    """Bias and weights minimising mean log loss + L2/2 |w|^2, by full-batch Adam from zero. `rows` lists the
    features each item has; features below `words` are word features, worth the item's `scales` entry,
    the others are worth 1. The features `non_negative` never get a weight below 0 (projected after each step)."""
    floored = sorted(set(non_negative))
    count = len(rows)
    columns: list[list[int]] = [[] for _ in range(width)]  # feature -> the items that have it
    for position, row in enumerate(rows):
        for feature in row:
            columns[feature].append(position)
    split = [(row[:cut], row[cut:]) for row in rows for cut in [bisect.bisect_left(row, words)]]
    bias, weights = 0.0, [0.0] * width
    moment, square = [0.0] * (width + 1), [0.0] * (width + 1)  # the last entry is the bias's
    beta1, beta2, epsilon = 0.9, 0.999, 1e-8
    for step in range(1, steps + 1):
        lookup = weights.__getitem__
        errors = [(_sigmoid(bias + scale * sum(map(lookup, word_row)) + sum(map(lookup, signal_row))) - wanted)
                  / count for (word_row, signal_row), scale, wanted in zip(split, scales, targets, strict=True)]
        scaled = [error * scale for error, scale in zip(errors, scales, strict=True)]
        gradient = [sum(map((scaled if feature < words else errors).__getitem__, column)) + L2 * weight
                    for feature, (column, weight) in enumerate(zip(columns, weights, strict=True))]
        gradient.append(sum(errors))
        moment = [beta1 * m + (1 - beta1) * g for m, g in zip(moment, gradient, strict=True)]
        square = [beta2 * v + (1 - beta2) * g * g for v, g in zip(square, gradient, strict=True)]
        step_size = RATE * math.sqrt(1 - beta2 ** step) / (1 - beta1 ** step)
        moves = [step_size * m / (math.sqrt(v) + epsilon) for m, v in zip(moment, square, strict=True)]
        weights = [weight - move for weight, move in zip(weights, moves, strict=False)]
        for feature in floored:
            weights[feature] = max(0.0, weights[feature])
        bias -= moves[-1]
    return bias, weights


def _fit(items: Sequence[Example], topics: Sequence[str]) -> TopicModel:
    """A model of `topics` fitted on `items`, with every threshold at 0 (probability one half)."""
    counts = Counter(feature for item in items for feature in set(item.features))
    kept_words, kept_signals = partition(feature for feature, seen in counts.items() if seen >= MIN_ITEMS)
    vocabulary = sorted(kept_words) + sorted(kept_signals)  # the word features first: see fit_logistic
    index = {feature: position for position, feature in enumerate(vocabulary)}
    rows = [sorted({index[feature] for feature in item.features if feature in index}) for item in items]
    scales = [word_scale(len(partition(item.features)[0])) for item in items]
    fitted = [fit_logistic(rows, scales, len(kept_words), [float(topic in item.labels) for item in items],
                           len(vocabulary)) for topic in topics]
    kept = {feature: row for position, feature in enumerate(vocabulary)
            if max(map(abs, row := tuple(round(weights[position], DIGITS) for _, weights in fitted))) >= MIN_WEIGHT}
    return make_model(topics, [round(bias, DIGITS) for bias, _ in fitted], [0.0] * len(topics), kept)


def fold_of(group: str) -> int:
    """The fold (0 to FOLDS - 1) of every example of `group`."""
    return int(hashlib.sha256(f"fold:{group}".encode()).hexdigest(), 16) % FOLDS


def out_of_fold_scores(items: Sequence[Example], rules: Rules) -> list[list[float]]:
    """Each item's scores from a model fitted on the folds it is not in, its features found by the rules
    without the terms that no item of those folds contains. The term lists were written from the fitting
    items, so a held-out outlet scored with all of them would be scored with names and forms learned from
    itself: struck, it is new text as far as the lists too are concerned."""
    topics = [topic.id for topic in rules.topics]
    scores: list[list[float]] = [[] for _ in items]
    for fold in range(FOLDS):
        held = [position for position, item in enumerate(items) if fold_of(item.group) == fold]
        if not held:
            continue
        fitting = [item for item in items if fold_of(item.group) != fold]
        known = frozenset().union(*(item.terms for item in fitting))
        unseen = frozenset().union(*(items[position].terms for position in held)) - known
        classifier = rules.without(unseen).compile()
        model = _fit(fitting, topics)
        for position in held:
            item = items[position]
            scores[position] = model.scores_of(classifier.features(item.title, item.summary, Scope.VENEZUELA))
    return scores


def choose_threshold(scores: Sequence[float], labels: Sequence[bool], target: float = TARGET_PRECISION) -> float:
    """The score threshold with the best F1 among those with precision >= `target` (the most precise one if
    none reaches it), halfway between two neighbouring scores."""
    ranked = sorted(zip(scores, labels, strict=True), reverse=True)
    positives = sum(labels)
    best: tuple[bool, float, float, float] | None = None  # (reaches target, f1 or precision, -threshold, threshold)
    hits = 0
    for position, (score, label) in enumerate(ranked):
        hits += label
        if position + 1 < len(ranked) and ranked[position + 1][0] == score:
            continue  # a threshold cannot fall between equal scores
        below = ranked[position + 1][0] if position + 1 < len(ranked) else score - 1.0
        threshold = (score + below) / 2
        precision, recall = hits / (position + 1), hits / positives if positives else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        candidate = (precision >= target, f1 if precision >= target else precision, threshold, threshold)
        if best is None or candidate[:3] > best[:3]:
            best = candidate
    return best[3] if best else 0.0


def fit_model(rules: Rules, path: Path) -> tuple[TopicModel, list[Example], list[list[float]]]:
    """The model fitted on the whole of the corpus's fitting splits, with thresholds from out-of-fold scores;
    also the examples and their out-of-fold scores (what `run_fit` reports)."""
    topics = [topic.id for topic in rules.topics]
    items = examples(rules.compile(), path)
    held_out = out_of_fold_scores(items, rules)
    thresholds = tuple(round(choose_threshold([row[column] for row in held_out],
                                              [topic in item.labels for item in items]), DIGITS)
                       for column, topic in enumerate(topics))
    fitted = _fit(items, topics)
    model = make_model(fitted.topics, fitted.bias, thresholds, fitted.weights)
    return model, items, held_out


def run_fit(settings: Settings, corpus: Path, output: Path, output_stream: TextIO, errors: TextIO) -> int:
    """Fit the model on `corpus`, write it to `output` and print the out-of-fold figures per topic.
    Returns 0, or 2 if the corpus cannot be read."""
    try:
        model, items, held_out = fit_model(Rules(tuple(settings.topics), settings.classifier), corpus)
    except OSError as exc:
        print(f"error: {corpus}: {exc.strerror}", file=errors)
        return 2
    except BadLine as exc:
        print(f"error: {corpus}: {exc}", file=errors)
        return 2
    if not items:
        print(f"error: {corpus}: no labelled line in the splits {', '.join(FIT_SPLITS)}", file=errors)
        return 2
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(model.dumps(), encoding="utf-8")
    output_stream.write(f"fitted on {len(items)} items ({' + '.join(FIT_SPLITS)}), {len(model.weights)} features;"
                        f" wrote {output}\n")
    output_stream.write("out-of-fold, by outlet:  topic  precision  recall  threshold\n")
    for column, topic in enumerate(model.topics):
        chosen = [row[column] >= model.thresholds[column] for row in held_out]
        truth = [topic in item.labels for item in items]
        hits = sum(c and t for c, t in zip(chosen, truth, strict=True))
        precision = hits / sum(chosen) if any(chosen) else 1.0
        recall = hits / sum(truth) if any(truth) else 1.0
        output_stream.write(f"  {topic:<10} {precision:9.3f}  {recall:6.3f}  {model.thresholds[column]:9.3f}\n")
    return 0
