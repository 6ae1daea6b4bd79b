"""Which configured topics a feed item is about, and the terms that say why.

Pure and compiled once: `compile_classifier` folds every configured term into a word index, and
`Classifier.classify` only splits an item into words and looks them up. No I/O, no clock, no state.

How an item earns a topic (terms match whole words, ignoring case and accents; `protest*` matches any ending):
1. Each term of the topic that appears scores by its tier: `strong` 4 points, plain `terms` 2, `weak` 1,
   doubled when it is in the title. A term counts once however often it appears.
2. The topic fires at 4 points: one strong term anywhere, one plain term in the title, or lesser evidence
   that adds up (a plain term in the summary needs company).
3. A topic that lists `needs` terms fires only if one of them, or a strong term, also appears. They score
   nothing: dialogue is talks *and* the opposition, so talks between Maduro and Petro do not count.
4. Where a topic's terms overlap, the longest wins, so an `ignore` phrase ("en marcha", "post-election")
   hides the term inside it. An `exclude` term anywhere stops the topic.
5. A topic about Venezuela (`requires_context`) never fires on an item that names another country and not
   Venezuela (Colombia's CNE, sanctions on Russia, protests in Chile), and from a `world` feed it needs
   an item that names Venezuela.
6. A topic can yield to others (`classifier.yields_to`): an election is often only the background of a protest,
   a sanction or a deal. When a topic it yields to fires with a term in the title, the yielding topic fires
   only if one of its own strong terms is in the title (or, for "any", anywhere in the item).
7. With a fitted model (feeds.topic_model, `classifier.model`), the model decides each topic it knows, from
   the item's words and everything the steps above found; step 5 still holds whatever it says. An alert it
   fires names the terms that fired or, when none did, the words that weighed most. A summary longer than
   the model's LEAD_WORDS is a whole post, unlike the feed items it was fitted on: the rules decide those.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from errors import ConfigError
from feeds.topic_model import LEAD_WORDS, TopicModel, feature_names
from model import LANGS, Scope, Topic
from settings import TERM_TIERS, ClassifierSettings
from text import words

# Points per tier (settings.TERM_TIERS); `needs`, `ignore` and `exclude` score nothing: they gate, hide or veto.
POINTS = {"strong": 4, "terms": 2, "weak": 1, "needs": 0, "ignore": 0, "exclude": 0}
TITLE_FACTOR = 2
THRESHOLD = 4
# classifier.yields_to: what keeps a topic next to one it yields to: a strong term in the title, or one anywhere.
KEEPS = {"title": 2, "any": 1}
# What the rules found about a topic, as the learned model weighs it (r:<topic>:<name>): the rules fire; the
# points reach THRESHOLD; some term scored; a term is in the title; a strong one; the needs gate is open; vetoed.
SIGNALS = ("fired", "points", "some", "title", "strong", "unlocked", "vetoed")
_VENEZUELA, _FOREIGN = "venezuela", "foreign"  # the tiers of the context terms, which belong to no topic


@dataclass(frozen=True, slots=True)
class Classification:
    """The topics an item belongs to (sorted ids) and, for each, the terms that fired, in text order."""

    topics: tuple[str, ...]
    matches: tuple[tuple[str, tuple[str, ...]], ...]

    def terms_for(self, topic: str) -> tuple[str, ...]:
        return next((terms for topic_id, terms in self.matches if topic_id == topic), ())


@dataclass(frozen=True, slots=True, eq=False)  # compared by identity: each term is built once
class _Term:
    """One configured term, indexed under its first word; `rest` are the words that must follow it."""

    topic: int  # index into Classifier.topics; -1 for the context terms
    group: int  # overlapping terms compete only within a group: a topic's scored terms, its needs, a context
    label: str  # the term as configured: what an alert shows as the reason
    rest: tuple[tuple[str, bool], ...]  # (word, is_prefix)
    size: tuple[int, int]  # (words, characters): the longer of two overlapping terms wins
    tier: str
    signal: str  # what the learned model calls this term firing ("t:cne:cne"); "" for those that score nothing

    def length_at(self, tokens: Sequence[str], start: int) -> int:
        """How many words this term covers from `start` (its first word already matched), or 0."""
        end = start + 1 + len(self.rest)
        if end > len(tokens):
            return 0
        for token, (word, is_prefix) in zip(tokens[start + 1:end], self.rest, strict=True):
            if not (token.startswith(word) if is_prefix else token == word):
                return 0
        return end - start


@dataclass(frozen=True, slots=True)
class _Rules:
    """What the configured terms say about one item: per topic whether the rules fire, the terms that
    fired, whether the item is in the topic's context, and what the learned model weighs: the terms that fired
    (as it names them) and the other signals."""

    passed: list[bool]
    fired: list[list[str]]
    in_context: list[bool]
    terms: list[str]
    signals: list[str]


@dataclass(frozen=True, slots=True)
class Classifier:
    """Topics compiled into one word index. Build it with `compile_classifier`."""

    topics: tuple[Topic, ...]
    _locked: tuple[bool, ...]  # per topic: it lists `needs` terms
    _exact: dict[str, tuple[_Term, ...]]  # first word -> terms (but those of the next field)
    _pairs: dict[str, dict[str, tuple[_Term, ...]]]  # first word -> second word -> phrases that start with both
    _stems: dict[str, tuple[tuple[str, tuple[_Term, ...]], ...]]  # a stem's first _head letters -> (stem, terms)
    _head: int  # the length of the shortest stem
    _yields: tuple[tuple[tuple[int, int], ...], ...] = ()  # per topic: (topic it yields to, KEEPS value), ...
    model: TopicModel | None = None  # the learned part: with it, its score decides the topics it knows
    _columns: tuple[int, ...] = ()  # per topic: its column in the model, or -1 where the rules alone decide
    _signals: tuple[tuple[str, ...], ...] = ()  # per topic: the names of SIGNALS
    _context_signals: tuple[str, str] = ("r:venezuela", "r:foreign")

    def classify(self, title: str, summary: str, scope: Scope) -> Classification:
        title_words, summary_words = words(title), words(summary)
        model = self.model
        if len(summary_words) > LEAD_WORDS:
            model = None  # a whole post, not a feed item: unlike anything the model was fitted on, so the rules decide
        rules = self._rules(title_words, summary_words, scope, signals=model is not None)
        passed, fired = rules.passed, rules.fired
        if model is not None:
            scores = model.scores(title_words, summary_words, rules.terms, rules.signals)
            passed = list(passed)
            for index, column in enumerate(self._columns):
                if column >= 0:  # a topic the model knows: its score decides, within the context rule
                    passed[index] = scores[column] >= model.thresholds[column] and rules.in_context[index]
                    if passed[index] and not fired[index]:
                        fired[index] = list(model.reasons(column, title_words, summary_words))
        chosen = sorted((topic.id, tuple(fired[index])) for index, topic in enumerate(self.topics) if passed[index])
        return Classification(topics=tuple(topic_id for topic_id, _ in chosen), matches=tuple(chosen))

    def features(self, title: str, summary: str, scope: Scope) -> list[str]:
        """What the learned model weighs for this item (see feeds.topic_model): what `bot.py fit` fits on."""
        title_words, summary_words = words(title), words(summary)
        rules = self._rules(title_words, summary_words, scope, signals=True)
        return feature_names(title_words, summary_words, rules.terms, rules.signals)

    def in_context(self, title: str, summary: str, scope: Scope) -> list[bool]:
        """Per topic, whether step 5 lets this item have it at all, whatever the terms or the model say."""
        return self._rules(words(title), words(summary), scope, signals=False).in_context

    def terms_found(self, title: str, summary: str) -> set[tuple[str, str, str]]:
        """Every configured term this item contains, as (topic id or "classifier", tier, term as configured):
        what `bot.py fit` leaves out of the lists when it scores an item as if the lists had been written
        without it (ops.fit)."""
        found: dict[_Term, int] = {}
        self._scan(words(title), TITLE_FACTOR, found)
        self._scan(words(summary), 1, found)
        return {(self.topics[term.topic].id if term.topic >= 0 else "classifier", term.tier, term.label)
                for term in found}

    def _rules(self, title: list[str], summary: list[str], scope: Scope, *, signals: bool) -> _Rules:
        found: dict[_Term, int] = {}  # term -> its factor (title or summary), in order of first appearance
        self._scan(title, TITLE_FACTOR, found)
        self._scan(summary, 1, found)

        count = len(self.topics)
        scores = [0] * count
        fired: list[list[str]] = [[] for _ in range(count)]
        unlocked = [not locked for locked in self._locked]
        vetoed = [False] * count
        in_title = [False] * count  # a term of the topic is in the title
        strong = [0] * count  # 2: a strong term in the title, 1: a strong term in the summary only
        venezuela = foreign = False
        for term, factor in found.items():
            tier, topic = term.tier, term.topic
            if tier == _VENEZUELA:
                venezuela = True
            elif tier == _FOREIGN:
                foreign = True
            elif tier == "exclude":
                vetoed[topic] = True
            elif tier == "needs":
                unlocked[topic] = True
            elif points := POINTS[tier]:
                scores[topic] += points * factor
                in_title[topic] |= factor == TITLE_FACTOR
                if tier == "strong":
                    unlocked[topic] = True
                    strong[topic] = max(strong[topic], 2 if factor == TITLE_FACTOR else 1)
                fired[topic].append(term.label)

        off_context = (foreign and not venezuela) or (scope == Scope.WORLD and not venezuela)
        in_context = [not (topic.requires_context and off_context) for topic in self.topics]
        passed = [scores[index] >= THRESHOLD and unlocked[index] and not vetoed[index] and in_context[index]
                  for index in range(count)]
        if self._yields:  # a topic in the background of another one that makes the headline: see yields_to
            passed = [ok and not any(passed[other] and in_title[other] and strong[index] < keep
                                     for other, keep in self._yields[index])
                      for index, ok in enumerate(passed)]
        evidence: list[str] = []
        terms = [term.signal for term in found if term.signal] if signals else []
        if signals:  # what feeds.topic_model weighs: names made once, in compile_classifier
            evidence += [name for name, present in zip(self._context_signals, (venezuela, foreign), strict=True)
                         if present]
            for index, names in enumerate(self._signals):
                score = scores[index]
                if score:
                    evidence += [name for name, present in zip(names, (
                        passed[index], score >= THRESHOLD, True, in_title[index], strong[index] > 0,
                        unlocked[index], vetoed[index]), strict=True) if present]
                elif vetoed[index]:
                    evidence.append(names[-1])
        return _Rules(passed=passed, fired=fired, in_context=in_context, terms=terms, signals=evidence)

    def _scan(self, tokens: list[str], factor: int, found: dict[_Term, int]) -> None:
        """Record in `found` every term in `tokens`, taking the longest where a group's terms overlap."""
        free_from: dict[int, int] = {}  # group -> first token index not covered by its previous match
        exact, pairs, stems, head = self._exact, self._pairs, self._stems, self._head
        count = len(tokens)
        for start, token in enumerate(tokens):
            candidates = exact.get(token, ())
            if (seconds := pairs.get(token)) is not None and start + 1 < count:
                candidates += seconds.get(tokens[start + 1], ())
            for stem, terms in stems.get(token[:head], ()):
                if token.startswith(stem):
                    candidates += terms
            if not candidates:
                continue
            best: dict[int, tuple[int, _Term]] = {}
            following = tokens[start + 1] if start + 1 < count else ""
            for term in candidates:
                group = term.group
                if free_from.get(group, 0) > start:
                    continue
                rest = term.rest
                if rest:
                    # Most phrases start with a common word: look at the next one before walking the phrase.
                    second, is_prefix = rest[0]
                    if not (following.startswith(second) if is_prefix else following == second):
                        continue
                    length = term.length_at(tokens, start) if len(rest) > 1 else 2
                else:
                    length = 1
                if length and (group not in best or term.size > best[group][1].size):
                    best[group] = (length, term)
            for group, (length, term) in best.items():
                free_from[group] = start + length
                if found.get(term, 0) < factor:
                    found[term] = factor


def _parse_term(term: str) -> tuple[tuple[str, bool], ...]:
    """'sal* a la calle' -> (('sal', True), ('a', False), ('la', False), ('calle', False))."""
    parsed: list[tuple[str, bool]] = []
    for chunk in term.split():
        chunk_words = words(chunk)
        parsed += [(word, False) for word in chunk_words]
        if chunk.endswith("*"):
            parsed[-1] = (parsed[-1][0], True)
    return tuple(parsed)


def compile_classifier(topics: Sequence[Topic], classifier: ClassifierSettings,
                       model: TopicModel | None = None) -> Classifier:
    """Fold and index every term once, with the learned `model` if given. Raises ConfigError if a topic
    lists one term in two tiers."""
    entries: dict[tuple[int, tuple[tuple[str, bool], ...]], _Term] = {}

    def add(topic: int, group: int, label: str, tier: str, where: str) -> None:
        pattern = _parse_term(label)
        earlier = entries.get((group, pattern))
        if earlier and earlier.tier != tier:
            raise ConfigError(where, f'"{label}" is also listed as "{earlier.label}" in {earlier.tier}')
        entries.setdefault((group, pattern), _Term(
            topic=topic, group=group, label=label, rest=pattern[1:], tier=tier,
            signal=f"t:{topics[topic].id}:{label}" if POINTS.get(tier) else "",
            size=(len(pattern), sum(len(word) for word, _ in pattern))))

    for index, topic in enumerate(topics):
        for tier in TERM_TIERS:
            for lang in LANGS:
                for label in getattr(topic, f"{tier}_{lang}"):
                    # A topic's needs are looked for on their own, so a longer term cannot hide them.
                    add(index, 2 * index + (tier == "needs"), label, tier, f"topics[{index}].{tier}.{lang}")
    for offset, (key, tier) in enumerate((("venezuela_terms", _VENEZUELA), ("foreign_terms", _FOREIGN))):
        for label in getattr(classifier, key):
            add(-1, 2 * len(topics) + offset, label, tier, f"classifier.{key}")

    exact: dict[str, list[_Term]] = {}
    pairs: dict[str, dict[str, list[_Term]]] = {}
    prefixes: dict[str, list[_Term]] = {}
    for (_, pattern), term in entries.items():
        first, is_prefix = pattern[0]
        if is_prefix:
            prefixes.setdefault(first, []).append(term)
        elif len(pattern) > 1 and not pattern[1][1]:  # "after the election*": looked up by "after" and "the"
            pairs.setdefault(first, {}).setdefault(pattern[1][0], []).append(term)
        else:
            exact.setdefault(first, []).append(term)
    index_of = {topic.id: index for index, topic in enumerate(topics)}
    yields_to = dict(classifier.yields_to)
    for topic_id, others in yields_to.items():
        for name in (topic_id, *dict(others)):
            if name not in index_of:
                raise ConfigError(f"classifier.yields_to.{topic_id}", f'unknown topic "{name}"')
        for _, keep in others:
            if keep not in KEEPS:
                raise ConfigError(f"classifier.yields_to.{topic_id}", f'"{keep}" is neither "title" nor "any"')
    head = min(map(len, prefixes), default=1)
    stems: dict[str, list[tuple[str, tuple[_Term, ...]]]] = {}
    for stem, terms in prefixes.items():
        stems.setdefault(stem[:head], []).append((stem, tuple(terms)))
    return Classifier(
        topics=tuple(topics),
        _locked=tuple(bool(topic.needs_es or topic.needs_en) for topic in topics),
        _exact={word: tuple(terms) for word, terms in exact.items()},
        _pairs={word: {second: tuple(terms) for second, terms in seconds.items()} for word, seconds in pairs.items()},
        _stems={key: tuple(group) for key, group in stems.items()},
        _head=head,
        _yields=tuple(tuple((index_of[other], KEEPS[keep]) for other, keep in yields_to.get(topic.id, ()))
                      for topic in topics) if yields_to else (),
        model=model,
        _signals=tuple(tuple(f"r:{topic.id}:{name}" for name in SIGNALS) for topic in topics),
        _columns=tuple(model.topics.index(topic.id) if model and topic.id in model.topics else -1
                       for topic in topics),
    )
