"""The learned part of the topic classifier: one logistic regression per topic over an item's words and
what the rules found, fitted by `bot.py fit` (ops/fit.py) and shipped as a small JSON file.

An item's features are its words (`w:`, title and summary alike), the configured terms that fired (`t:`)
and the rules' signals (`r:`: which topic's rules fired, with what kind of evidence; whether the item names
Venezuela or another country), built by `feeds.classify.Classifier.features`. A topic's score is its bias,
plus the weights of the signals present, plus those of the words and terms present times 1/sqrt(how many
of those the item has); the topic fires when the score reaches its threshold, chosen when fitting for
precision. Scoring is a few dictionary look-ups per word: no third-party code at run time.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from errors import ConfigError

FORMAT = 1
SCALED_KINDS = ("w:", "t:")  # weighed by the item's length (see word_scale); "r:" signals are not
LEAD_WORDS = 120  # the longest summary the model scores (feed summaries have 30 to 50 words, the corpus's at most
# 115); a longer one is a whole post, which the rules alone classify (feeds.classify)
REASONS = 3  # how many of the strongest word features an alert shows when no configured term fired


Row = tuple[float, ...]  # one feature's weight for each topic of the model


def feature_names(title: Sequence[str], summary: Sequence[str], terms: Iterable[str],
                  signals: Iterable[str]) -> list[str]:
    """Every feature of an item (its folded title and summary words, the configured terms that fired and
    the rules' other signals), each once."""
    return [*(f"w:{word}" for word in {*title, *summary}), *dict.fromkeys(terms), *dict.fromkeys(signals)]


def partition(features: Iterable[str]) -> tuple[list[str], list[str]]:
    """An item's features split into those weighed by the item's length (words, word pairs, terms that
    fired) and the rules' other signals."""
    words: list[str] = []
    signals: list[str] = []
    for feature in features:
        (words if feature.startswith(SCALED_KINDS) else signals).append(feature)
    return words, signals


def word_scale(count: int) -> float:
    """What each word feature (SCALED_KINDS) of an item with `count` of them counts for: 1/sqrt(count), so
    that a long post weighs its words and terms no more than a headline does (the rules' other signals count
    1 each)."""
    return 1 / math.sqrt(count) if count else 0.0


def _total(bias: Row, words: list[Row], signals: list[Row], count: int) -> list[float]:
    scale = word_scale(count)
    word_sums = [sum(column) for column in zip(*words, strict=True)] if words else [0.0] * len(bias)
    signal_sums = [sum(column) for column in zip(*signals, strict=True)] if signals else [0.0] * len(bias)
    return [base + scale * word + signal for base, word, signal in zip(bias, word_sums, signal_sums, strict=True)]


@dataclass(frozen=True, slots=True)
class TopicModel:
    """Per topic (in `topics` order) a bias, a threshold on the score, and each feature's weight. Build it
    with `make_model`, which also indexes the weights by kind so scoring builds no strings."""

    topics: tuple[str, ...]
    bias: Row
    thresholds: Row
    weights: Mapping[str, Row]
    _words: Mapping[str, Row]
    _terms: Mapping[str, Row]
    _signals: Mapping[str, Row]

    def scores(self, title: Sequence[str], summary: Sequence[str], terms: Iterable[str],
               signals: Iterable[str]) -> list[float]:
        """Each topic's score for an item: what `feature_names` gives, weighed, plus the bias."""
        vocabulary, fired = {*title, *summary}, set(terms)
        rows = [*filter(None, map(self._words.get, vocabulary)), *filter(None, map(self._terms.get, fired))]
        return _total(self.bias, rows, [*filter(None, map(self._signals.get, signals))], len(vocabulary) + len(fired))

    def scores_of(self, features: Iterable[str]) -> list[float]:
        """Each topic's score for an item given as `feature_names`."""
        words, signals = partition(features)
        return _total(self.bias, [*filter(None, map(self.weights.get, words))],
                      [*filter(None, map(self.weights.get, signals))], len(words))

    def reasons(self, topic: int, title: Sequence[str], summary: Sequence[str]) -> tuple[str, ...]:
        """The words that weigh most for `topic` in this item, strongest first."""
        weighed = sorted(((row[topic], word) for word in {*title, *summary}
                          if (row := self._words.get(word)) and row[topic] > 0), reverse=True)
        return tuple(dict.fromkeys(word for _, word in weighed[:REASONS]))

    def dumps(self) -> str:
        """The JSON file `from_json` reads: one feature a line, sorted, so that a refit shows as a diff."""
        head = json.dumps({"format": FORMAT, "topics": self.topics, "bias": self.bias, "thresholds": self.thresholds},
                          ensure_ascii=False)
        rows = ",\n".join(f"{json.dumps(feature, ensure_ascii=False)}: {json.dumps(row)}"
                           for feature, row in sorted(self.weights.items()))
        return f'{head[:-1]}, "weights": {{\n{rows}\n}}}}\n'


def make_model(topics: Sequence[str], bias: Sequence[float], thresholds: Sequence[float],
               weights: Mapping[str, Row]) -> TopicModel:
    kinds: dict[str, dict[str, Row]] = {"w": {}, "t": {}, "r": {}}
    for feature, row in weights.items():
        kind, _, word = feature.partition(":")
        kinds[kind][word if kind == "w" else feature] = row
    return TopicModel(topics=tuple(topics), bias=tuple(bias), thresholds=tuple(thresholds), weights=dict(weights),
                      _words=kinds["w"], _terms=kinds["t"], _signals=kinds["r"])


def from_json(document: Any, where: str) -> TopicModel:
    """A TopicModel from its JSON form. Raises ConfigError (naming `where`) if it is not one."""
    try:
        if document["format"] != FORMAT:
            raise ConfigError(where, f"format {document['format']!r} is not {FORMAT}: fit the model again")
        topics = tuple(str(topic) for topic in document["topics"])
        size = len(topics)
        bias = tuple(float(value) for value in document["bias"])
        thresholds = tuple(float(value) for value in document["thresholds"])
        weights = {str(feature): tuple(float(value) for value in row) for feature, row in document["weights"].items()}
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ConfigError(where, f"not a topic model ({exc!r})") from exc
    if len(bias) != size or len(thresholds) != size or any(len(row) != size for row in weights.values()):
        raise ConfigError(where, "not a topic model (a row has the wrong number of topics)")
    unknown = sorted({feature for feature in weights if feature[:2] not in (*SCALED_KINDS, "r:")})
    if unknown:
        raise ConfigError(where, f'not a topic model (feature "{unknown[0]}" is of no known kind)')
    return make_model(topics, bias, thresholds, weights)
