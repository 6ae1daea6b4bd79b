"""Decides whether a new item reports a story already seen (another outlet, the other language, a
re-published URL) or a new one.

Pure. Two items are the same story when they have the same canonical link, or when they were published
within STORY_WINDOW of each other and their titles say the same event: reduced to tokens that are the same
in Spanish and English (feeds.story_words: names, numbers, the domain's key words), they share enough
weight (people and numbers count double, everyday words nothing), and nothing vetoes them: different
countries, actors, sides, lifted vs imposed sanctions or different numbers never merge ("EE.UU. sanciona a
funcionarios venezolanos" is not "EE.UU. sanciona a funcionarios rusos"). The rules and their measured
precision and recall are in docs/design.md; tests/feeds/test_cluster.py and test_story_pairs.py test them.
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import combinations

from feeds.story_words import LONGEST_PHRASE, MONTHS, NUMBERS, PHRASE_STARTS, PHRASES, WEAK, is_person, token
from model import StoryKey
from text import fold

MIN_STRONG = 2  # shared tokens that are not WEAK
MIN_WEIGHT = 2.0  # the weight of the shared tokens (a person or number 2, a word 1, a WEAK token 0)
DICE = 0.55  # and either that weight over the mean weight of the two titles...
CONTAINMENT = 0.55  # ...or over the weight of the lighter one
TWO_DICE = 0.5  # two shared tokens are enough only for titles that are mostly those two, one of them a name
TWO_CONTAINMENT = 0.7
NAME_WEIGHT = 2.0
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
    same token for a name, number or key word however either language spells it (feeds.story_words).

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
    their labels and their total weight."""

    words: frozenset[str]
    labels: Labels
    weight: float

    @classmethod
    def of(cls, key: str) -> _Key:
        words = frozenset(map(sys.intern, key.split()))  # interned: the index holds each token once
        strong = words - WEAK
        return cls(strong, _labels(words), sum(map(_weight, strong)))


def similarity(left: str, right: str) -> float:
    """0 when two title keys are not the same story, else how alike they are (0..1]."""
    return _score(_Key.of(left), _Key.of(right))


def _score(a: _Key, b: _Key) -> float:
    shared = a.words & b.words
    if len(shared) < MIN_STRONG:
        return 0.0
    weight = sum(map(_weight, shared))
    if weight < MIN_WEIGHT:
        return 0.0
    dice = 2 * weight / (a.weight + b.weight)
    containment = weight / min(a.weight, b.weight)
    if len(shared) < 3 and not (dice >= TWO_DICE and containment >= TWO_CONTAINMENT
                                and any(map(_is_entity, shared))):
        return 0.0
    if not (dice >= DICE or containment >= CONTAINMENT):
        return 0.0
    return 0.0 if _conflict(a.labels, b.labels) else dice


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
        self._keys[story.story_id] = key
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
        published = self._published
        for story_id in candidates:
            when = published.get(story_id)
            if when is not None and published_at is not None and abs(when - published_at) > STORY_WINDOW:
                continue
            score = _score(title, self._keys[story_id])
            if score and (best is None or (score, abs(story_id)) > (best.score, abs(best.story_id))):
                best = Match(story_id, score)
        return best


def find_story(key: str, link: str | None, candidates: Sequence[StoryKey]) -> int | None:
    """The story among `candidates` that an item with title key `key` and `link` belongs to, or None."""
    match = StoryIndex(candidates).find(key, link)
    return match.story_id if match else None
