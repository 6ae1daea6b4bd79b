"""Decides whether a new item reports a story already seen (another outlet, the other language, a
re-published URL) or a new one.

Pure. Two items are the same story when they have the same canonical link, or when they were published
within STORY_WINDOW of each other and their titles say the same event: reduced to tokens that are the same
in Spanish and English (feeds.story_words: names, numbers, the domain's key words), they share at least
MIN_STRONG tokens that are not everyday words, nothing vetoes them (different countries, actors, sides,
lifted vs imposed sanctions, successive bulletins or different numbers never merge: "EE.UU. sanciona a
funcionarios venezolanos" is not "EE.UU. sanciona a funcionarios rusos"), and a learned pair scorer
(feeds.story_weights, fitted by `bot.py fit-stories`) finds the overlap convincing: how much they share
and of what kind (names, numbers, key words), how alike in size, in one language or across, how far apart.
The rules and their measured precision and recall are in docs/design.md; tests/feeds/test_cluster.py and
test_story_pairs.py test them.
"""

from __future__ import annotations

import functools
import re
import sys
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from itertools import combinations
from math import exp

from feeds.story_weights import BIAS, THRESHOLD, WEIGHTS
from feeds.story_words import LONGEST_PHRASE, MONTHS, NUMBERS, PHRASE_STARTS, PHRASES, WEAK, is_person, token
from model import StoryKey
from text import fold

MIN_STRONG = 2  # shared tokens that are not WEAK: fewer never merge, more go to the pair scorer
NAME_WEIGHT = 2.0  # the weight of a shared person or number; a key word 1, a WEAK token 0
LANGUAGE_MARK = "@"  # a title key ends with "@es" or "@en" when the item's language is known
COMMON = 100  # a token in more recent titles than this does not select candidates
STORY_WINDOW = timedelta(hours=48)  # reports published further apart are two stories, however alike

STOPWORDS = frozenset(
    # Spanish
    "a al algo ante antes aqui asi aun bajo cada como con contra cual cuando de del desde donde dos durante e el "
    "ella ellas ellos en entre era es esa ese eso esta estan este esto estos fue fueron ha han hasta hay la las "
    "le les lo los mas me mi muy ni no nos o otra otro para pero por porque que quien se segun ser sera seran "
    "si sido sin sobre son su sus tambien tan tras u un una uno unos y ya "
    "ultima hora vivo breaking live update actualizacion "
    "dice dicen asegura afirma segun ante hoy ayer manana tras este esta estos estas "
    # days of the week (the story window and the publication date say when)
    "lunes martes miercoles jueves viernes sabado domingo monday tuesday wednesday thursday friday saturday "
    "sunday "
    # English
    "a an and are as at be been but by for from had has have he her his how in into is it its new no not of on "
    "or our over says said she so than that the their them then there they this to up was we were what when "
    "which who will with would after amid about against more than us you your today".split())

def _stem(word: str) -> str:
    """A plural ending off: elecciones -> eleccion, sanciones -> sancion, protestas -> protesta, talks -> talk."""
    if len(word) > 4 and word.endswith("es") and word[-3] in "lnrdzj":
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


# Words that pin a title to one side of a distinction. Two titles that each carry a label of the same kind,
# but no label in common, are about different things.
_LABELS: dict[str, tuple[str, str]] = {}


def _label(kind: str, name: str, words: str) -> None:
    for word in words.split():
        _LABELS[_stem(word)] = _LABELS[token(word)] = _LABELS[token(_stem(word))] = (kind, name)


_label("place", "ve", "venezuela venezolano venezolana venezuelan caracas")
_label("place", "ve", "maduro guaido machado capriles cabello padrino pdvsa")  # Venezuelans: "Maduro loyalists"
_label("place", "co", "duque")
_label("place", "br", "lula")
_label("place", "co", "colombia colombiano colombiana colombian bogota")
_label("place", "cl", "chile chileno chilena chilean")
_label("place", "pe", "peru peruano peruana peruvian lima")
_label("place", "ec", "ecuador ecuatoriano ecuatoriana ecuadorian ecuadorean quito")
_label("place", "bo", "bolivia boliviano boliviana bolivian")
_label("place", "ar", "argentina argentino argentine")
_label("place", "br", "brasil brazil brasileno brasilena brazilian")
_label("place", "mx", "mexico mexicano mexicana mexican")
_label("place", "cu", "cuba cubano cubana cuban habana havana")
_label("place", "ni", "nicaragua nicaraguense nicaraguan managua")
_label("place", "hn", "honduras hondureno hondurena honduran")
_label("place", "gy", "guyana guyanes guyanese essequibo esequibo")
_label("place", "ru", "rusia russia ruso rusa russian moscu moscow kremlin")
_label("place", "ua", "ucrania ukraine ucraniano ucraniana ukrainian kiev kyiv")
_label("place", "ir", "iran irani iranian teheran tehran")
_label("place", "cn", "china chino china chinese pekin beijing")
_label("place", "kp", "norcorea pyongyang")
_label("place", "sy", "siria syria sirio syrian")
# Who acts: the United States (and its officials), the European Union, the Lima Group...
_label("actor", "us", "eeuu trump biden obama rubio bolton pompeo mnuchin tesoro")
_label("actor", "eu", "ue")
_label("actor", "lima", "grupolima")
_label("actor", "un", "onu")
_label("actor", "oas", "oea")
_label("side", "government", "chavismo chavista oficialismo oficialista psuv gobierno government regime regimen")
_label("side", "opposition", "oposicion opositor opositora opposition unitaria")
# Sanctions lifted or eased are not sanctions imposed or put back, however alike the rest of the titles.
_label("action", "eases", "levanta levantan alivia alivio flexibiliza flexibilizan suaviza lifts lift eases ease relief")
_label("action", "imposes", "impone imponen reimpone reinstaura reinstauro restablece restablecio imposes impose "
       "reimposes reimpose snapback")
# Successive announcements of one process are different events: the CNE's results (a bulletin) and its
# proclamation of the winner, the election date and the call published in the gazette days later, its
# schedule, its audits, its rules and its appointments.
_label("stage", "results", "resultado")
_label("stage", "proclamation", "proclama")
_label("stage", "gazette", "gaceta")
_label("stage", "date", "fecha")
_label("stage", "schedule", "cronograma calendario schedule timetable")
_label("stage", "audit", "auditoria audit")
_label("stage", "rules", "reglamento normas rules regulation regulations")
_label("stage", "appointment", "designa designan designo rector rectores appoints appointed")
_label("stage", "request", "solicita solicitan solicito solicitud pide piden pidio asks asked seeks sought requests "
       "requested")
for _number, _words in enumerate(MONTHS, start=1):  # "marzo" / "March": one token, and a date to agree on
    _label("month", str(_number), _words)
for _number, _words in enumerate(("primer primero primera first", "segundo segunda second",
                                  "tercer tercero tercera third", "cuarto cuarta fourth"), start=1):
    _label("number", str(_number), _words)

_OUTLET_SUFFIX = re.compile(r"\s+[-|–—]\s+(?:\S+\s+){0,4}\S+\s*$")
_ACRONYM_DOTS = re.compile(r"(?<=\w)\.(?=\w)")
_THOUSANDS = re.compile(r"(?<=\d)[.,](?=\d{3}\b)")
_DECIMAL = re.compile(r"(?<=\d)[.,](?=\d)")  # 67,7 -> 67p7: one token, not the numbers 67 and 7
_DECIMAL_TOKEN = re.compile(r"\d+p\d+")
_NON_WORD = re.compile(r"[^0-9a-z]+")
# "US" in capitals is the country; folded, "us" is the English pronoun, so it is read first. In a Spanish
# title "EU" is Mexico's spelling of Estados Unidos; in an English one it is the European Union.
_US_CAPITALS = re.compile(r"\bU\.\s?S\.(?=\W|$)|\bU\.S\b|\bUSA?\b")
_EU_CAPITALS = re.compile(r"\bEU\b")
_MARCH_MAY = re.compile(r"\b(?:(March|May)\.?\s+(?=\d{1,2}\b)|(?<=\b\d)\s+(March|May)\b|(?<=\b\d\d)\s+(March|May)\b)")


def title_key(title: str, language: str | None = None) -> str:
    """A title reduced to the tokens that identify a story, in order, space-separated ('' if none): the
    same token for a name, number or key word however either language spells it (feeds.story_words), then
    the language's mark when `language` is given (the scorer weighs a pair across languages apart).

    An aggregator's trailing outlet name ("... - El Universal", "... | Reuters") is not part of it.
    """
    title = _US_CAPITALS.sub(" EEUU ", _OUTLET_SUFFIX.sub("", title))
    title = _EU_CAPITALS.sub(" EEUU " if language == "es" else " UE ", title)
    title = _MARCH_MAY.sub(lambda match: " marzo " if "March" in match.group() else " mayo ", title)
    folded = _DECIMAL.sub("p", _THOUSANDS.sub("", fold(title)))
    words = _NON_WORD.split(_ACRONYM_DOTS.sub("", folded))
    keep: dict[str, None] = {}
    position = 0
    while position < len(words):
        phrase = _phrase_at(words, position)
        if phrase:
            keep.update(dict.fromkeys(PHRASES[phrase]))
            position += len(phrase)
            continue
        key_word = _key_word(words[position])
        if key_word:
            keep[key_word] = None
        position += 1
    if keep and language:
        keep[LANGUAGE_MARK + language] = None
    return " ".join(keep)


def _phrase_at(words: Sequence[str], position: int) -> tuple[str, ...] | None:
    """The longest phrase of story_words.PHRASES that starts at words[position], if any."""
    if words[position] not in PHRASE_STARTS:
        return None
    for length in range(min(LONGEST_PHRASE, len(words) - position), 1, -1):
        candidate = tuple(words[position:position + length])
        if candidate in PHRASES:
            return candidate
    return (words[position],) if (words[position],) in PHRASES else None


@functools.lru_cache(maxsize=65536)
def _key_word(word: str) -> str:
    """A folded word as it goes into a title key: its token, or its stem, or '' when it says nothing
    (cached: the same words come back in every title)."""
    if word in NUMBERS:  # before the stopwords: "dos" is 2
        return NUMBERS[word]
    if not word or word in STOPWORDS or (len(word) == 1 and not word.isdigit()):
        return ""
    known = token(word)
    if known != word:
        return known
    stem = _stem(word)
    return token(stem)


def distinctive_keys(keys: Sequence[str], links: Sequence[str]) -> list[str]:
    """`keys`, with '' for a title key that the same document uses for entries with different links.

    Such a title is boilerplate ("Notice of OFAC Sanctions Actions", "Press briefing"), not the name of a
    story, so those entries are clustered by link only.
    """
    seen: dict[str, set[str]] = {}
    for key, link in zip(keys, links, strict=True):
        seen.setdefault(key, set()).add(link)
    return ["" if len(seen[key]) > 1 else key for key in keys]


Labels = Mapping[str, frozenset[str]]
"""A title's labels: kind ("place", "actor", "number"...) -> the names of that kind it carries."""


def _labels(words: Iterable[str]) -> Labels:
    found: set[tuple[str, str]] = set()
    for word in words:
        label = _LABELS.get(word) or _number_label(word)
        if label is not None:
            found.add(label)
    return _shared_labels(frozenset(found))


@functools.lru_cache(maxsize=16384)
def _shared_labels(found: frozenset[tuple[str, str]]) -> Labels:
    """One (read-only) mapping for every title with the same labels: a cycle's index holds thousands."""
    kinds: dict[str, set[str]] = {}
    for kind, name in found:
        kinds.setdefault(kind, set()).add(name)
    return {kind: frozenset(names) for kind, names in kinds.items()}


def _number_label(word: str) -> tuple[str, str] | None:
    """Numbers of one kind must agree: small numbers (8 officials), years, decimals (51p2 for 51,2 %), counts
    (10554320 votes)."""
    if _DECIMAL_TOKEN.fullmatch(word):
        return ("decimal", word)
    if not word.isdigit():
        return None
    if len(word) < 4:
        return ("number", str(int(word)))
    if len(word) == 4 and word[:2] in ("19", "20"):
        return ("year", word)
    return ("count", word)


def _conflict(left: Labels, right: Labels) -> bool:
    return any(kind in right and not names & right[kind] for kind, names in left.items())


@functools.lru_cache(maxsize=65536)
def _weight(word: str) -> float:
    """How much a shared token (not WEAK) says about two titles being one event."""
    return NAME_WEIGHT if is_person(word) or _number_label(word) else 1.0  # places, actors: vetoes instead


def _is_entity(word: str) -> bool:
    """A person, company, number, place, actor or side: what a title is about, not what happened."""
    return word in _LABELS or is_person(word) or _number_label(word) is not None


@dataclass(frozen=True, slots=True)
class _Key:
    """A title key as the index compares it: its tokens that are not WEAK (WEAK ones only carry labels),
    their labels, their total weight and the title's language ('' when not known).

    The title being looked up (the first of a pair) also has its words as a set, and the kinds of token the
    pair scorer counts as sets, so that a pair's counts are intersections (the index scores hundreds of
    thousands of pairs in a first cycle). A stored story's key (`stored`) keeps only the tuple: a set costs
    five times the memory, and the index holds a key per story of the window."""

    words: tuple[str, ...]
    labels: Labels
    weight: float
    language: str
    has_number: bool  # a label of a number's kind, WEAK tokens' included
    word_set: frozenset[str]  # the words as a set (_NONE once stored)
    entities: frozenset[str]  # the words that are entities (_is_entity)
    names: frozenset[str]  # people and companies
    numbers: frozenset[str]

    @classmethod
    def of(cls, key: str) -> _Key:
        tokens = key.split()
        language = tokens.pop()[len(LANGUAGE_MARK):] if tokens and tokens[-1].startswith(LANGUAGE_MARK) else ""
        words = frozenset(map(sys.intern, tokens))  # interned: the index holds each token once
        strong = words - WEAK
        labels = _labels(words)
        return cls(tuple(strong), labels, sum(map(_weight, strong)), language,
                   any(kind in labels for kind in ("number", "count", "decimal")), strong,
                   _those(_is_entity, strong), _those(is_person, strong), _those(_number_label, strong))

    def stored(self) -> _Key:
        """This key as the index keeps a story's: without the sets, which only the title looked up needs."""
        return replace(self, word_set=_NONE, entities=_NONE, names=_NONE, numbers=_NONE)


_NONE: frozenset[str] = frozenset()


def _those(kind: Callable[[str], object], words: frozenset[str]) -> frozenset[str]:
    """The words of a kind; the one empty set when there are none (most titles name no one: the index holds
    a _Key per story)."""
    return frozenset(filter(kind, words)) or _NONE


# The pair scorer's features: thermometer steps of what two titles share (a feature "dice>=0.5" is present
# when the pair's Dice reaches 0.5), and flags (no cuts: present when true).
_FLAG: tuple[float, ...] = ()
_FEATURES: tuple[tuple[str, tuple[float, ...]], ...] = (
    ("shared", (3, 4, 5)),  # tokens, not WEAK
    ("weight", (3, 4, 5, 6)),  # of those tokens (NAME_WEIGHT for a person or number, else 1)
    ("dice", (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)),  # shared weight over the two titles' mean weight
    ("containment", (0.4, 0.5, 0.6, 0.7, 0.8, 1)),  # shared weight over the lighter title's
    ("names", (1, 2)),  # shared people and companies
    ("numbers", (1,)),
    ("entities", (1, 2)),  # shared names, numbers, places, actors, sides
    ("key words", (1, 2, 3)),  # shared tokens that are not entities
    ("number on one side", _FLAG),
    ("actor on one side", _FLAG),  # one title names who acts (the US, the EU...), the other nobody
    ("place on one side", _FLAG),
    ("side on one side", _FLAG),
    ("stage on one side", _FLAG),  # one title names a step of a process (results, a request...), the other none
    ("across languages", _FLAG),
    ("across, dice", (0.3, 0.4, 0.5)),
    ("longest title", (8, 13)),  # tokens: a lead sentence used as a title is long
    ("shortest title", (8, 13)),
    ("days apart", (1, 2)),
)


# What two titles share: having more of it never makes them less likely one event, so the steps of these
# features after the first are fitted with weights of at least 0 (the exact title then beats a shorter one).
_SHARING = ("shared", "weight", "dice", "containment", "names", "numbers", "entities", "key words", "across, dice")


def more_is_surer() -> frozenset[str]:
    """The pair scorer's features that must not count against a merge (ops/fit_stories.py)."""
    return frozenset(feature for name, cuts in _FEATURES if name in _SHARING
                     for _, feature in _named_steps(name, cuts)[1:])


def _overlap(a: _Key, b: _Key, shared: frozenset[str], weight: float) -> tuple[float, float, float, float]:
    """The values of the first four of _FEATURES (how much two titles share), cheap to have."""
    return len(shared), weight, 2 * weight / (a.weight + b.weight), weight / min(a.weight, b.weight)


def _pair_values(a: _Key, b: _Key, gap: timedelta | None) -> tuple[float, ...]:
    """The values of the features at _PAIR in _FEATURES: what the two titles are, whatever words they share."""
    a_labels, b_labels = a.labels, b.labels
    return (a.has_number != b.has_number, ("actor" in a_labels) != ("actor" in b_labels),
            ("place" in a_labels) != ("place" in b_labels), ("side" in a_labels) != ("side" in b_labels),
            ("stage" in a_labels) != ("stage" in b_labels),
            bool(a.language and b.language and a.language != b.language), max(len(a.words), len(b.words)),
            min(len(a.words), len(b.words)), gap / timedelta(days=1) if gap is not None else 0.0)


def _values(a: _Key, b: _Key, shared: frozenset[str], weight: float, pair: tuple[float, ...]) -> tuple[float, ...]:
    """The value of each of _FEATURES for two titles that share the tokens `shared`, of total `weight`, and
    whose _pair_values are `pair`."""
    overlap = _overlap(a, b, shared, weight)
    entities = len(shared & a.entities)  # shared is a part of a.words
    cross = pair[5]
    return (*overlap, len(shared & a.names), len(shared & a.numbers), entities, len(shared) - entities,
            *pair[:6], overlap[2] if cross else 0.0, *pair[6:])


def _named_steps(name: str, cuts: tuple[float, ...]) -> list[tuple[float, str]]:
    """A feature's steps: (cut, the name of the feature present when the value reaches it)."""
    return [(cut, f"{name}>={cut:g}") for cut in cuts] if cuts else [(1, name)]


def _candidate(a: _Key, b: _Key) -> tuple[frozenset[str], float] | None:
    """The tokens two titles share and their weight, or None when they cannot be one story whatever the
    scorer says: too few shared tokens, or only two and neither of them a name, number, place, actor or
    side ("CNE ... regionales" is every announcement of the regional elections)."""
    shared = a.word_set.intersection(b.words)
    if len(shared) < MIN_STRONG or (len(shared) == MIN_STRONG and not shared & a.entities):
        return None
    return shared, sum(map(_weight, shared))


def pair_features(left: str, right: str, gap: timedelta | None = None) -> list[str] | None:
    """The pair scorer's features of two title keys published `gap` apart, by name (None: never one story:
    too few shared tokens, or a veto)."""
    a, b = _Key.of(left), _Key.of(right)
    candidate = _candidate(a, b)
    if candidate is None or _conflict(a.labels, b.labels):
        return None
    values = _values(a, b, *candidate, _pair_values(a, b, gap))
    return [feature for (name, cuts), value in zip(_FEATURES, values, strict=True)
            for cut, feature in _named_steps(name, cuts) if value >= cut]


@dataclass(frozen=True, slots=True)
class _Steps:
    """One feature's part of the score: `totals[i]` is the sum of the weights of its first i steps, and a
    value reaches as many steps as there are `cuts` at or below it."""

    cuts: tuple[float, ...]
    totals: tuple[float, ...]

    @classmethod
    def of(cls, name: str, cuts: tuple[float, ...]) -> _Steps:
        named = _named_steps(name, cuts)
        totals = [0.0]
        for _, feature in named:
            totals.append(totals[-1] + WEIGHTS.get(feature, 0.0))
        return cls(tuple(cut for cut, _ in named), tuple(totals))

    def reached(self, value: float) -> float:
        return self.totals[bisect_right(self.cuts, value)]


_STEPS = tuple(_Steps.of(name, cuts) for name, cuts in _FEATURES)
_OVERLAP = 4  # the first four of _FEATURES are what _overlap gives
# The features _pair_values gives, by their place in _FEATURES
_PAIR = tuple(index for index, (name, _) in enumerate(_FEATURES)
              if name.endswith(" on one side") or name in ("across languages", "longest title", "shortest title",
                                                            "days apart"))
# The most that the features other than the overlap can add, and the part of it that _PAIR's can: a pair
# whose overlap falls short of the threshold even with the first is not scored further (about half the
# candidates of a lookup), nor one whose overlap and _pair_values fall short of it with the rest's most (four
# in five of the others).
assert _PAIR == (8, 9, 10, 11, 12, 13, 15, 16, 17), "_values puts _pair_values at these places"
_BEST_REST = sum(max(steps.totals) for steps in _STEPS[_OVERLAP:])
_BEST_PAIR = sum(max(_STEPS[index].totals) for index in _PAIR)
_SHARED, _WEIGHT, _DICE, _CONTAINMENT = _STEPS[:_OVERLAP]
# _STEPS taken apart: summing a scored pair's steps is the index's innermost loop (no method call there)
_CUTS_TOTALS = tuple((steps.cuts, steps.totals) for steps in _STEPS)
_PAIR_CUTS_TOTALS = tuple(_CUTS_TOTALS[index] for index in _PAIR)


def similarity(left: str, right: str, gap: timedelta | None = None) -> float:
    """0 when two title keys are not the same story, else how sure the pair scorer is that they are (0..1]."""
    return _score(_Key.of(left), _Key.of(right), gap)


def _score(a: _Key, b: _Key, gap: timedelta | None) -> float:
    candidate = _candidate(a, b)
    if candidate is None:
        return 0.0
    shared, weight, dice, containment = _overlap(a, b, *candidate)
    bound = (BIAS + _BEST_REST + _SHARED.reached(shared) + _WEIGHT.reached(weight)
             + _DICE.reached(dice) + _CONTAINMENT.reached(containment))
    if bound < THRESHOLD:
        return 0.0
    pair = _pair_values(a, b, gap)
    bound += sum([totals[bisect_right(cuts, value)]
                  for (cuts, totals), value in zip(_PAIR_CUTS_TOTALS, pair, strict=True)]) - _BEST_PAIR
    if bound < THRESHOLD or _conflict(a.labels, b.labels):
        return 0.0
    values = _values(a, b, *candidate, pair)
    logit = BIAS + sum([totals[bisect_right(cuts, value)]
                        for (cuts, totals), value in zip(_CUTS_TOTALS, values, strict=True)])
    return 1 / (1 + exp(-logit)) if logit >= THRESHOLD else 0.0


@dataclass(frozen=True, slots=True)
class Match:
    story_id: int
    score: float  # how alike the titles are (similarity); 1.0 for the same link


class StoryIndex:
    """The recent stories of one ingestion cycle, indexed by title token and by link.

    `find` compares a title only with stories that share at least MIN_STRONG (two) of its tokens that are
    not WEAK (any match needs that many), at least one of them a rare token: one found in at most COMMON
    recent titles. The candidates come from set operations on the tokens' postings (two rare postings
    intersected, or one rare and one common), so a lookup touches at most COMMON stories per rare token of
    the title, whatever the number of stories in the window: a first cycle of n items costs O(n).
    """

    def __init__(self, stories: Iterable[StoryKey] = ()) -> None:
        self._keys: dict[int, _Key] = {}
        self._published: dict[int, datetime] = {}
        self._postings: dict[str, set[int]] = {}
        self._links: dict[str, int] = {}
        self._renamed: dict[int, int] = {}
        self._looked_up: tuple[str, _Key] | None = None  # the last title `find` read: `add` often follows
        for story in stories:
            self.add(story)

    def __len__(self) -> int:
        return len(self._keys)

    def add(self, story: StoryKey) -> None:
        if story.story_id in self._keys:
            return
        looked_up = self._looked_up
        key = looked_up[1] if looked_up and looked_up[0] == story.title_key else _Key.of(story.title_key)
        self._keys[story.story_id] = key.stored()
        if story.published_at is not None:
            self._published[story.story_id] = story.published_at
        for word in key.words:
            self._postings.setdefault(word, set()).add(story.story_id)
        if story.link:
            self._links.setdefault(story.link, story.story_id)

    def remove(self, story_id: int) -> None:
        """Forget a story (one that was added before it was stored, and then was not)."""
        key = self._keys.pop(story_id, None)
        if key is None:
            return
        self._published.pop(story_id, None)
        for word in key.words:
            self._postings[word].discard(story_id)
        for link in [link for link, linked in self._links.items() if linked == story_id]:
            del self._links[link]

    def rename(self, story_id: int, new_id: int) -> None:
        """From now on, report `story_id` (a provisional id) as `new_id` (the stored story's id)."""
        self._renamed[story_id] = new_id

    def find(self, key: str, link: str | None = None, published_at: datetime | None = None) -> Match | None:
        """The best matching story: same link first, else the most similar title (newest on a tie) of a story
        published within STORY_WINDOW of `published_at`."""
        match = self._find(key, link, published_at)
        if match is not None and match.story_id in self._renamed:
            return Match(self._renamed[match.story_id], match.score)
        return match

    def _find(self, key: str, link: str | None, published_at: datetime | None) -> Match | None:
        if link and link in self._links:
            return Match(self._links[link], 1.0)
        title = _Key.of(key)
        self._looked_up = (key, title)
        rare: list[set[int]] = []
        common: list[set[int]] = []
        for word in title.words:
            posting = self._postings.get(word)
            if posting is not None:
                (common if len(posting) > COMMON else rare).append(posting)
        # Any match shares MIN_STRONG (two) tokens, at least one of them rare: the stories in two of the
        # rare postings, and those in one of them and in a common one. Set operations, so that the many
        # stories that share a single token are never looked at one by one.
        candidates: set[int] = set().union(*(one & other for one, other in combinations(rare, 2)))
        if rare and common:
            sharing_one = set().union(*rare)
            for posting in common:
                candidates |= sharing_one & posting
        best: Match | None = None
        for story_id in candidates:
            gap = self._gap(story_id, published_at)
            if gap is not None and gap > STORY_WINDOW:
                continue
            score = _score(title, self._keys[story_id], gap)
            if score and (best is None or score > best.score
                          or (score == best.score and self._closer(title, story_id, best.story_id))):
                best = Match(story_id, score)
        return best

    def _closer(self, title: _Key, story_id: int, other_id: int) -> bool:
        """On a tie of scores (the scorer's steps stop at some overlap), the story whose title shares more of
        `title` (Dice) wins, and on a tie of that too the newest."""
        return (self._dice(title, story_id), abs(story_id)) > (self._dice(title, other_id), abs(other_id))

    def _dice(self, title: _Key, story_id: int) -> float:
        key = self._keys[story_id]
        return 2 * sum(map(_weight, title.word_set.intersection(key.words))) / (title.weight + key.weight)

    def _gap(self, story_id: int, published_at: datetime | None) -> timedelta | None:
        """How far apart a story and a new item were published (None: not known)."""
        published = self._published.get(story_id)
        return None if published is None or published_at is None else abs(published - published_at)


def find_story(key: str, link: str | None, candidates: Sequence[StoryKey]) -> int | None:
    """The story among `candidates` that an item with title key `key` and `link` belongs to, or None."""
    match = StoryIndex(candidates).find(key, link)
    return match.story_id if match else None
