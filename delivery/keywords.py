"""Keyword alerts: a chat's own words, matched against every new story.

The phrase syntax, at most 100 characters once normalised (see KeywordQuery.canonical):
    sanciones chevron        every word must appear, anywhere in the title or summary
    "Edmundo González"       a quoted phrase must appear as written: its words together, in order
    protestas -chile         a word (or -"a phrase") after a minus must not appear
Case and accents never matter and words match whole: "paro" finds "Paro" and "PARO", never "parole".
A user's text is only ever compared word for word, never compiled into a regular expression.
Pure: standard library, errors and text only.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from errors import UsageError
from text import fold, words

MAX_LENGTH = 100
COMMAND = "alert"

Phrase = tuple[str, ...]  # folded words; a single word is a phrase of one
# An optional minus, then a "quoted phrase" (its closing quote captured, to notice a missing one) or a bare chunk.
_PART = re.compile(r'(-?)"([^"]*)("?)|(-?)([^\s"]+)')
_SEPARATOR = "\n"  # stands between title and summary words, so no phrase spans the two; never a word itself

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True, slots=True)
class StoryText:
    """A story's words, split once and shared by every alert matched against it."""

    words: tuple[str, ...]
    positions: dict[str, tuple[int, ...]]  # word -> where it occurs in `words`

    @classmethod
    def of(cls, title: str, summary: str) -> StoryText:
        all_words = (*words(title), _SEPARATOR, *words(summary))
        positions: dict[str, list[int]] = {}
        for index, word in enumerate(all_words):
            positions.setdefault(word, []).append(index)
        return cls(all_words, {word: tuple(found) for word, found in positions.items()})

    def contains(self, phrase: Phrase) -> bool:
        first, size = phrase[0], len(phrase)
        if size == 1:
            return first in self.positions
        if not all(word in self.positions for word in phrase):
            return False
        return any(self.words[start:start + size] == phrase for start in self.positions[first])


@dataclass(frozen=True, slots=True)
class KeywordQuery:
    """A parsed alert phrase. Two phrases that mean the same thing parse to equal queries."""

    required: tuple[Phrase, ...]  # sorted, without duplicates
    excluded: tuple[Phrase, ...]

    @property
    def canonical(self) -> str:
        """The normalised form to store and compare: folded, sorted, duplicates dropped.
        parse_phrase(query.canonical) == query."""
        def show(phrase: Phrase) -> str:
            return phrase[0] if len(phrase) == 1 else '"' + " ".join(phrase) + '"'

        return " ".join([*map(show, self.required), *("-" + show(phrase) for phrase in self.excluded)])

    def matches(self, story: StoryText) -> bool:
        return all(map(story.contains, self.required)) and not any(map(story.contains, self.excluded))


def parse_phrase(text: str) -> KeywordQuery:
    """Parse what a user typed after /alert. Raises UsageError("alert", detail_key=...) with one of
    alert_empty, alert_too_long (limit), alert_unbalanced_quote or alert_only_exclusions."""
    required: set[Phrase] = set()
    excluded: set[Phrase] = set()
    for part in _PART.finditer(fold(text)):
        quoted_minus, quoted, closing, bare_minus, bare = part.groups()
        if quoted is not None and not closing:
            raise UsageError(COMMAND, "alert_unbalanced_quote")
        phrase = tuple(words(bare if quoted is None else quoted))
        if phrase:  # a lone "-" or a chunk of punctuation says nothing
            (excluded if (quoted_minus or bare_minus) else required).add(phrase)
    if not required:
        raise UsageError(COMMAND, "alert_only_exclusions" if excluded else "alert_empty")
    query = KeywordQuery(required=tuple(sorted(required)), excluded=tuple(sorted(excluded)))
    # The limit applies to what is stored, so a stored alert always parses again.
    if len(query.canonical) > MAX_LENGTH:
        raise UsageError(COMMAND, "alert_too_long", limit=MAX_LENGTH)
    return query


@dataclass(frozen=True, slots=True)
class KeywordIndex(Generic[K]):
    """Many alerts, indexed so that one story is checked only against the alerts that could match it.

    Each alert is filed under one of its required words, the longest (long words are rare words); a story
    then looks up only the words it contains.
    """

    _by_word: dict[str, tuple[tuple[K, KeywordQuery], ...]]

    @classmethod
    def build(cls, queries: Iterable[tuple[K, KeywordQuery]]) -> KeywordIndex[K]:
        by_word: dict[str, list[tuple[K, KeywordQuery]]] = {}
        for key, query in queries:
            anchor = max((word for phrase in query.required for word in phrase), key=lambda word: (len(word), word))
            by_word.setdefault(anchor, []).append((key, query))
        return cls({word: tuple(entries) for word, entries in by_word.items()})

    def matching(self, title: str, summary: str) -> set[K]:
        """The keys of every alert that the story with this title and summary matches."""
        story = StoryText.of(title, summary)
        return {key for word in story.positions for key, query in self._by_word.get(word, ())
                if query.matches(story)}
