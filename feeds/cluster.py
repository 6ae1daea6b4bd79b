"""Decides whether a new item reports a story already seen (another outlet, a re-published URL) or a new one.

Pure. Two items are the same story when they have the same canonical link, or when their titles are
near-duplicates: after folding case and accents, dropping function words and plural endings, they share
at least three words and either most of all their words (Jaccard >= 0.6) or nearly all the words of the
shorter title (>= 0.8, with at least four shared). Titles that name different countries, different sides
(government / opposition) or different numbers are never merged, however many words they share
("EE.UU. sanciona a funcionarios venezolanos" is not "EE.UU. sanciona a funcionarios rusos").
The thresholds are tested on real-looking pairs in tests/feeds/test_cluster.py.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain

from model import StoryKey
from text import fold

MIN_SHARED = 3
JACCARD = 0.6
CONTAINMENT = 0.8
CONTAINMENT_MIN_SHARED = 4
COMMON = 100  # a word in more recent titles than this does not select candidates...
MIN_HITS = 2  # ...and at least this many of the shared words must be less common than that

STOPWORDS = frozenset(
    # Spanish
    "a al algo ante antes aqui asi aun bajo cada como con contra cual cuando de del desde donde dos durante e el "
    "ella ellas ellos en entre era es esa ese eso esta estan este esto estos fue fueron ha han hasta hay la las "
    "le les lo los mas me mi muy ni no nos o otra otro para pero por porque que quien se segun ser sera seran "
    "si sido sin sobre son su sus tambien tan tras u un una uno unos y ya "
    "dice dicen asegura afirma segun ante hoy ayer manana tras este esta estos estas "
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
        _LABELS[_stem(word)] = (kind, name)


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
_label("side", "government", "chavismo chavista oficialismo oficialista psuv gobierno government regime regimen")
_label("side", "opposition", "oposicion opositor opositora opposition unitaria")
# Sanctions lifted or eased are not sanctions imposed or put back, however alike the rest of the titles.
_label("action", "eases", "levanta levantan alivia alivio flexibiliza flexibilizan suaviza lifts lift eases ease relief")
_label("action", "imposes", "impone imponen reimpone reinstaura reinstauro restablece restablecio imposes impose "
       "reimposes reimpose snapback")
for _number, _words in enumerate(("primer primero primera first", "segundo segunda second",
                                  "tercer tercero tercera third", "cuarto cuarta fourth"), start=1):
    _label("number", str(_number), _words)

_OUTLET_SUFFIX = re.compile(r"\s+[-|–—]\s+(?:\S+\s+){0,4}\S+\s*$")
_ACRONYM_DOTS = re.compile(r"(?<=\w)\.(?=\w)")
_NON_WORD = re.compile(r"[^0-9a-z]+")

# One spelling for the names newsrooms write several ways, in either language: the United States (EE. UU.,
# EE.UU., EEUU, Estados Unidos, U.S., US, USA, United States), the European Union (UE, EU, Unión Europea,
# European Union). "US" in capitals is the country; folded, "us" is the English pronoun, so it is read first.
_US_CAPITALS = re.compile(r"\bU\.\s?S\.(?=\W|$)|\bU\.S\b|\bUSA?\b")
_NAMES = [(re.compile(pattern), token) for pattern, token in (
    (r"\bee\s?\.?\s?uu\b\.?|\bestados unidos\b|\bunited states\b", " eeuu "),
    (r"\bunion europea\b|\beuropean union\b|\bu\.e\.", " ue "),
)]
# Number words as digits ("ocho" / "eight" / "8").
_SAME_WORD: dict[str, str] = {
    **{word: str(number) for number, words in enumerate((
        "", "", "dos two", "tres three", "cuatro four", "cinco five", "seis six", "siete seven", "ocho eight",
        "nueve nine", "diez ten", "once eleven", "doce twelve", "trece thirteen", "catorce fourteen",
        "quince fifteen", "dieciseis sixteen", "diecisiete seventeen", "dieciocho eighteen",
        "diecinueve nineteen", "veinte twenty")) for word in words.split()},
    "eu": "ue", "usa": "eeuu",
}


def title_key(title: str) -> str:
    """A title reduced to the words that identify a story, in order, space-separated ('' if none).

    An aggregator's trailing outlet name ("... - El Universal", "... | Reuters") is not part of it.
    """
    title = _US_CAPITALS.sub(" EEUU ", _OUTLET_SUFFIX.sub("", title))
    folded = fold(title)
    for pattern, token in _NAMES:
        folded = pattern.sub(token, folded)
    keep: dict[str, None] = {}
    for word in _NON_WORD.split(_ACRONYM_DOTS.sub("", folded)):
        stem = _key_word(word)
        if stem:
            keep[stem] = None
    return " ".join(keep)


@functools.lru_cache(maxsize=65536)
def _key_word(word: str) -> str:
    """A folded word as it goes into a title key: stemmed, or '' when it says nothing (cached: the same
    words come back in every title)."""
    if not word or word in STOPWORDS or (len(word) == 1 and not word.isdigit()):
        return ""
    word = _SAME_WORD.get(word, word)
    stem = _stem(word)
    return _SAME_WORD.get(stem, stem)


def distinctive_keys(keys: Sequence[str], links: Sequence[str]) -> list[str]:
    """`keys`, with '' for a title key that the same document uses for entries with different links.

    Such a title is boilerplate ("Notice of OFAC Sanctions Actions", "Press briefing"), not the name of a
    story, so those entries are clustered by link only.
    """
    seen: dict[str, set[str]] = {}
    for key, link in zip(keys, links, strict=True):
        seen.setdefault(key, set()).add(link)
    return ["" if len(seen[key]) > 1 else key for key in keys]


def _labels(words: Iterable[str]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for word in words:
        label = _LABELS.get(word)
        if label is None and word.isdigit():
            label = ("number", str(int(word)) if len(word) < 6 else word)
        if label is not None:
            found.setdefault(label[0], set()).add(label[1])
    return found


def _conflict(left: dict[str, set[str]], right: dict[str, set[str]]) -> bool:
    return any(kind in right and not names & right[kind] for kind, names in left.items())


def similarity(left: str, right: str) -> float:
    """0 when two title keys are not the same story, else their Jaccard similarity (how alike, 0..1]."""
    a, b = frozenset(left.split()), frozenset(right.split())
    return _score(a, _labels(a), b, _labels(b))


def _score(a: frozenset[str], a_labels: dict[str, set[str]], b: frozenset[str],
           b_labels: dict[str, set[str]]) -> float:
    shared = len(a & b)
    if shared < MIN_SHARED:
        return 0.0
    jaccard = shared / (len(a) + len(b) - shared)
    containment = shared / min(len(a), len(b))
    if not (jaccard >= JACCARD or (containment >= CONTAINMENT and shared >= CONTAINMENT_MIN_SHARED)):
        return 0.0
    return 0.0 if _conflict(a_labels, b_labels) else jaccard


@dataclass(frozen=True, slots=True)
class Match:
    story_id: int
    score: float  # the Jaccard similarity of the titles; 1.0 for the same link


class StoryIndex:
    """The recent stories of one ingestion cycle, indexed by title word and by link.

    `find` compares the title only with stories that have enough of its words: it counts, through the
    index, how many of the title's words each story has, and scores only those with at least as many as a
    match needs. A word found in more than COMMON recent titles ("venezuela" on a busy day) is not looked
    up at all: a match then needs one word fewer from the rest, but always MIN_HITS of them (two titles
    that share only everyday words and one more are not the same story). That keeps a first cycle of
    thousands of items from comparing every pair.
    """

    def __init__(self, stories: Iterable[StoryKey] = ()) -> None:
        self._words: dict[int, frozenset[str]] = {}
        self._labels: dict[int, dict[str, set[str]]] = {}
        self._postings: dict[str, list[int]] = {}
        self._links: dict[str, int] = {}
        self._renamed: dict[int, int] = {}
        for story in stories:
            self.add(story)

    def __len__(self) -> int:
        return len(self._words)

    def add(self, story: StoryKey) -> None:
        if story.story_id in self._words:
            return
        words = frozenset(story.title_key.split())
        self._words[story.story_id] = words
        self._labels[story.story_id] = _labels(words)
        for word in words:
            self._postings.setdefault(word, []).append(story.story_id)
        if story.link:
            self._links.setdefault(story.link, story.story_id)

    def remove(self, story_id: int) -> None:
        """Forget a story (one that was added before it was stored, and then was not)."""
        words = self._words.pop(story_id, None)
        if words is None:
            return
        del self._labels[story_id]
        for word in words:
            self._postings[word].remove(story_id)
        for link in [link for link, linked in self._links.items() if linked == story_id]:
            del self._links[link]

    def rename(self, story_id: int, new_id: int) -> None:
        """From now on, report `story_id` (a provisional id) as `new_id` (the stored story's id)."""
        self._renamed[story_id] = new_id

    def find(self, key: str, link: str | None = None) -> Match | None:
        """The best matching story: same link first, else the most similar title (newest on a tie)."""
        match = self._find(key, link)
        if match is not None and match.story_id in self._renamed:
            return Match(self._renamed[match.story_id], match.score)
        return match

    def _find(self, key: str, link: str | None) -> Match | None:
        if link and link in self._links:
            return Match(self._links[link], 1.0)
        words = frozenset(key.split())
        size = len(words)
        if size < MIN_SHARED:
            return None
        # Every story that can match shares at least `required` words with the title (see similarity):
        # count, for each story, how many of the title's words it has, looking common words up not at all.
        required = max(MIN_SHARED, min(math.ceil(JACCARD * size - 1e-9), CONTAINMENT_MIN_SHARED))
        postings = []
        unseen = 0
        for word in words:
            posting = self._postings.get(word)
            if posting is None:
                continue
            if len(posting) > COMMON:
                unseen += 1
            else:
                postings.append(posting)
        hits = Counter(chain.from_iterable(postings))
        enough = max(MIN_HITS, required - unseen)
        labels = _labels(words)
        best: Match | None = None
        for story_id, count in hits.items():
            if count < enough:
                continue
            score = _score(words, labels, self._words[story_id], self._labels[story_id])
            if score and (best is None or (score, abs(story_id)) > (best.score, abs(best.story_id))):
                best = Match(story_id, score)
        return best


def find_story(key: str, link: str | None, candidates: Sequence[StoryKey]) -> int | None:
    """The story among `candidates` that an item with title key `key` and `link` belongs to, or None."""
    match = StoryIndex(candidates).find(key, link)
    return match.story_id if match else None
