"""Story merging measured on real headline pairs (tests/data/stories/*.jsonl, from stored public pages): the
same event from two outlets in one language, the same event in Spanish and English, and hard pairs of
different events of the same days and topic. A wrong merge hides news, so precision has a floor.

The pair scorer (`bot.py fit-stories`, ops/fit_stories.py) is fitted on pairs.jsonl, fresh.jsonl and
fresh2.jsonl, so their figures are in-sample. fresh3a.jsonl and fresh3b.jsonl (sanctions and dialogue; CNE and
protests) were gathered afterwards by helpers who never ran this code, and were measured once, with the scorer
fitted without them: theirs are the honest figures. Each part is measured on its labelled pairs (the issue's
figures), then on every two of its headlines published within two days (same event or not by the event each
pair's note names), compared alone and clustered oldest first as ingestion does. Run with -s for the
figures; docs/design.md records them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from math import exp
from pathlib import Path

import pytest

from feeds.cluster import StoryIndex, pair_features, similarity, title_key
from feeds.story_weights import BIAS, THRESHOLD, WEIGHTS
from model import StoryKey
from ops.story_pairs import Headline, Pair, headlines, load_pairs, near_pairs

STORIES = Path(__file__).resolve().parent.parent / "data" / "stories"
PAIRS = STORIES / "pairs.jsonl"
FRESH = STORIES / "fresh.jsonl"
FRESH2 = STORIES / "fresh2.jsonl"
FRESH3 = (STORIES / "fresh3a.jsonl", STORIES / "fresh3b.jsonl")  # never fitted on


def merged(first: Headline, second: Headline) -> bool:
    """Whether the second headline joins the story the first started, as ingestion decides it."""
    index = StoryIndex([StoryKey(1, title_key(first.title, first.lang), "", first.published_at)])
    return index.find(title_key(second.title, second.lang), None, second.published_at) is not None


@dataclass(frozen=True)
class Figures:
    same_found: int
    same_total: int
    cross_found: int
    cross_total: int
    merges: int
    wrong: int

    @property
    def precision(self) -> float:
        return (self.merges - self.wrong) / self.merges if self.merges else 1.0

    @property
    def recall_one_language(self) -> float:
        return self.same_found / self.same_total

    @property
    def recall_across_languages(self) -> float:
        return self.cross_found / self.cross_total

    def line(self, name: str) -> str:
        return (f"{name}: precision {self.precision:.3f} ({self.merges} merges, {self.wrong} wrong); recall "
                f"{self.recall_one_language:.3f} in one language ({self.same_found}/{self.same_total}), "
                f"{self.recall_across_languages:.3f} across languages ({self.cross_found}/{self.cross_total})")


def figures(cases: Iterable[tuple[Headline, Headline, bool, bool]]) -> Figures:
    """Counts over (first, second, same event, merged) cases."""
    same_found = same_total = cross_found = cross_total = merges = wrong = 0
    for first, second, same_event, merge in cases:
        merges += merge
        wrong += merge and not same_event
        if same_event and first.lang == second.lang:
            same_total += 1
            same_found += merge
        elif same_event:
            cross_total += 1
            cross_found += merge
    return Figures(same_found, same_total, cross_found, cross_total, merges, wrong)


def labelled(pairs: Sequence[Pair]) -> Figures:
    return figures((pair.a, pair.b, pair.same_event, merged(pair.a, pair.b)) for pair in pairs)


def stream(pairs: Sequence[Pair]) -> Figures:
    """Every two distinct headlines of `pairs` published within two days of each other, compared alone."""
    return figures((first, second, first.event == second.event, merged(first, second))
                   for _, first, _, second in near_pairs(pairs))


def clustered(pairs: Sequence[Pair]) -> Figures:
    """The headlines of `pairs` clustered oldest first, as ingestion does (a report joins the story whose
    first report it matches), then every two within two days counted as together or apart."""
    index, story_of = StoryIndex(), {}
    for number, headline in enumerate(headlines(pairs)):
        key = title_key(headline.title, headline.lang)
        match = index.find(key, None, headline.published_at)
        if match is None:
            index.add(StoryKey(number, key, "", headline.published_at))
        story_of[number] = match.story_id if match else number
    return figures((first, second, first.event == second.event, story_of[i] == story_of[j])
                   for i, first, j, second in near_pairs(pairs))


def part_of(part: str) -> list[Pair]:
    if part in ("fresh", "fresh2"):
        return load_pairs(FRESH if part == "fresh" else FRESH2)
    if part in ("fresh3a", "fresh3b"):
        return load_pairs(FRESH3[part == "fresh3b"])
    return [pair for pair in load_pairs(PAIRS) if pair.tuning is (part == "tuning")]


# Floors a little under today's figures, so that a change that loses merges or makes wrong ones fails here.
# Precision's is the goal, 0.98. The scorer is fitted on these files (the labelled pairs and every two
# headlines within two days), so their figures are in-sample: the honest ones are fresh3a's and fresh3b's
# (measured once, at 12:52 UTC on 2026-12-03, with this scorer; docs/design.md).
FLOORS = {  # part: (precision, recall in one language, recall across languages), labelled pairs
    "tuning": (0.98, 0.37, 0.40),
    "held-out": (0.98, 0.31, 0.27),
    "fresh": (0.98, 0.45, 0.10),
    "fresh2": (0.98, 0.30, 0.17),
    "fresh3a": (0.90, 0.26, 0.18),  # never fitted on: precision 0.903 (3 wrong merges in 31), under the goal
    "fresh3b": (0.98, 0.12, 0.12),
}


def test_there_are_at_least_300_labelled_pairs_in_each_kind_of_case() -> None:
    pairs = load_pairs(PAIRS) + load_pairs(FRESH)
    assert len(pairs) >= 300
    assert all(sum(1 for pair in pairs if predicate(pair)) >= 50 for predicate in (
        lambda pair: pair.same_event and pair.a.lang == pair.b.lang,
        lambda pair: pair.same_event and pair.a.lang != pair.b.lang,
        lambda pair: not pair.same_event))


@pytest.mark.parametrize("part", FLOORS)
def test_headline_pairs_merge_with_the_measured_precision_and_recall(part: str) -> None:
    chosen = part_of(part)
    pair_figures = labelled(chosen)
    print()
    print(pair_figures.line(f"{part} pairs ({len(chosen)})"))
    print(stream(chosen).line(f"{part}, every two headlines within two days"))
    print(clustered(chosen).line(f"{part}, clustered oldest first"))
    precision, one_language, across = FLOORS[part]
    assert pair_figures.precision >= precision
    assert pair_figures.recall_one_language >= one_language
    assert pair_figures.recall_across_languages >= across


def _days_later(headline: Headline, first: Headline, days: int) -> Headline:
    return Headline(headline.title, headline.lang, first.published_at + timedelta(days=days), headline.event)


def test_reports_published_more_than_the_story_window_apart_are_two_stories() -> None:
    """A day apart a report can still join (the scorer weighs the gap: two days apart, only a near copy);
    three days apart, never."""
    first = next(pair for pair in load_pairs(PAIRS)
                 if pair.same_event and merged(pair.a, _days_later(pair.b, pair.a, 1)))
    for days in (3, -3):
        assert not merged(first.a, _days_later(first.b, first.a, days)), days


def test_the_scorers_shortcuts_never_change_a_merge() -> None:
    """`similarity` skips most pairs on bounds of the pair scorer's sum (what keeps a first cycle's clustering
    cheap). Over every two labelled headlines published near each other, both languages, every file: it
    merges exactly when the whole sum of the pair's features (`pair_features`, no shortcut) reaches the
    threshold, and with the same score."""
    pairs = load_pairs(PAIRS) + load_pairs(FRESH) + load_pairs(FRESH2) + [pair for path in FRESH3
                                                                          for pair in load_pairs(path)]
    compared = merges = 0
    for _, first, _, second in near_pairs(pairs):
        left, right = title_key(first.title, first.lang), title_key(second.title, second.lang)
        gap = abs(first.published_at - second.published_at)
        features = pair_features(left, right, gap)
        logit = BIAS + sum(WEIGHTS.get(feature, 0.0) for feature in features or ())
        if features is not None and abs(logit - THRESHOLD) < 1e-9:
            continue  # at the threshold to rounding: the two sums add in different orders
        expected = 1 / (1 + exp(-logit)) if features is not None and logit >= THRESHOLD else 0.0
        assert similarity(left, right, gap) == pytest.approx(expected, abs=1e-12), (first.title, second.title)
        compared += 1
        merges += expected > 0
    assert compared > 2000 and merges > 500, (compared, merges)  # the check saw many pairs, and merges among them
