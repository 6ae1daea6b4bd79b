"""The `fit-stories` subcommand of bot.py: the pair scorer of story merging (feeds.cluster), fitted on
labelled headline pairs and written as feeds/story_weights.py.

The examples are, for each file given (and within it: two files name one event differently), every two of
its headlines published within two days of each other, and its labelled pairs once more (they are the hard
cases: the same event told differently, different events told alike), that feeds.cluster would score at all
(enough shared tokens, no veto), labelled same event or not by the events their notes name. One logistic regression over their
features (ops.fit.fit_logistic: full-batch Adam from zero, L2, a fixed number of steps, so the same pairs
give the same file). The threshold is chosen out of fold: the examples are cut into folds by the month of
the earlier headline (an event's reports stay in one fold), each fold is scored by a model fitted on the
others, and the threshold is the one with the best F1 among those whose precision reaches
TARGET_PRECISION. Plain Python: the weights are a small module the pure clustering code imports.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from feeds.cluster import more_is_surer, pair_features, title_key
from ops.fit import DIGITS, FOLDS, MIN_WEIGHT, choose_threshold, fit_logistic, fold_of
from ops.story_pairs import Headline, load_pairs, near_pairs

WEIGHTS = Path(__file__).resolve().parent.parent / "feeds" / "story_weights.py"  # the shipped weights
TARGET_PRECISION = 0.985  # out of fold; the goal on new pairs is 0.98


@dataclass(frozen=True, slots=True)
class Example:
    features: tuple[str, ...]
    same_event: bool
    group: str  # the month of the earlier headline: folds never split one


def _example(first: Headline, second: Headline) -> Example | None:
    features = pair_features(title_key(first.title, first.lang), title_key(second.title, second.lang),
                             abs(second.published_at - first.published_at))
    return None if features is None else Example(tuple(features), first.event == second.event,
                                                 min(first.published_at, second.published_at).strftime("%Y-%m"))


def examples(paths: Sequence[Path]) -> tuple[list[Example], int]:
    """The scored pairs of the files (in each, every two headlines within two days, then the labelled pairs
    again: they are the hard cases), and how many same-event pairs there are in all (scored or not: the
    recall's denominator)."""
    cases: list[tuple[Headline, Headline]] = []
    for path in paths:
        pairs = load_pairs(path)
        cases += [(first, second) for _, first, _, second in near_pairs(pairs)] + [(pair.a, pair.b) for pair in pairs]
    found = [example for first, second in cases if (example := _example(first, second)) is not None]
    return found, sum(first.event == second.event for first, second in cases)


Weights = tuple[float, dict[str, float]]


def _fit(items: Sequence[Example]) -> Weights:
    vocabulary = sorted({feature for item in items for feature in item.features})
    index = {feature: position for position, feature in enumerate(vocabulary)}
    rows = [sorted(index[feature] for feature in item.features) for item in items]
    floored = more_is_surer()
    bias, weights = fit_logistic(rows, [1.0] * len(items), 0, [float(item.same_event) for item in items],
                                 len(vocabulary), non_negative=[index[feature] for feature in vocabulary
                                                                if feature in floored])
    return round(bias, DIGITS), {feature: round(weight, DIGITS) for feature, weight in zip(vocabulary, weights,
                                                                                           strict=True)
                                 if abs(weight) >= MIN_WEIGHT}


def _logit(weights: Weights, features: Sequence[str]) -> float:
    bias, by_feature = weights
    return bias + sum(by_feature.get(feature, 0.0) for feature in features)


def out_of_fold_logits(items: Sequence[Example]) -> list[float]:
    logits = [0.0] * len(items)
    for fold in range(FOLDS):
        held = [position for position, item in enumerate(items) if fold_of(item.group) == fold]
        if held:
            weights = _fit([item for item in items if fold_of(item.group) != fold])
            for position in held:
                logits[position] = _logit(weights, items[position].features)
    return logits


def render(weights: Weights, threshold: float, source: str) -> str:
    """feeds/story_weights.py's text."""
    bias, by_feature = weights
    rows = "".join(f"    {feature!r}: {weight!r},\n" for feature, weight in sorted(by_feature.items()))
    return (f'"""The pair scorer\'s weights (feeds.cluster), written by (ops/fit_stories.py; not edited by hand)\n'
            f'    python bot.py fit-stories {source}\n"""\n\n'
            f"BIAS = {bias!r}\nTHRESHOLD = {threshold!r}  # a pair merges when BIAS + its features' weights reach this\n"
            f"WEIGHTS: dict[str, float] = {{\n{rows}}}\n")


def run_fit_stories(pairs: Sequence[Path], output: Path, output_stream: TextIO, errors: TextIO) -> int:
    """Fit the scorer on every pair of the files `pairs`, write it to `output` and print the out-of-fold
    figures. Returns 0, or 2 if the pairs cannot be read."""
    try:
        items, same = examples(pairs)
    except (OSError, ValueError, KeyError) as exc:
        print(f"error: {exc}", file=errors)
        return 2
    if not items:
        print(f"error: {' '.join(map(str, pairs))}: no pair to fit on", file=errors)
        return 2
    logits = out_of_fold_logits(items)
    threshold = round(choose_threshold(logits, [item.same_event for item in items], TARGET_PRECISION), DIGITS)
    weights = _fit(items)
    output.write_text(render(weights, threshold, " ".join(path.as_posix() for path in pairs)), encoding="utf-8")
    chosen = [logit >= threshold for logit in logits]
    merges = sum(chosen)
    right = sum(merge and item.same_event for merge, item in zip(chosen, items, strict=True))
    output_stream.write(f"fitted on {len(items)} scored pairs (headlines within two days, labelled pairs; {same} of one "
                        f"event in all), {len(weights[1])} features; wrote {output}\n")
    output_stream.write(f"out of fold, by month: precision {right / merges if merges else 1.0:.3f} ({merges} merges), "
                        f"recall {right / same if same else 1.0:.3f}, threshold {threshold}\n")
    return 0
