"""Command arguments -> typed values, or `UsageError` naming what was wrong. Pure: no I/O, no Telegram.

Forgiving on purpose: topics by id or by Spanish/English name in any case and with or without accents,
Spanish and English words for `all`, `off`, `now`, modes and languages, `7:30` as well as `07:30`.
Every refusal carries a message key from `handlers.texts` so that the user learns what to type instead.
"""

from __future__ import annotations

import difflib
import functools
import re
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from delivery.keywords import parse_phrase
from errors import UsageError
from model import ChatMode, Lang, Scope, Topic
from settings import check_timezone, parse_hhmm
from text import fold, words

DEFAULT_LATEST = 5
MAX_LATEST = 20
MAX_ALERTS = 20
MAX_URL = 2048  # a feed address longer than this is refused, whatever it is
ECHO = 40  # at most this much of what the user typed is quoted back in a refusal
MAX_ARGUMENTS = 300
"""Characters of a command's arguments, at most. Nothing the bot accepts comes close (an alert phrase is at
most 100 characters once normalised, a time zone name about 30); a longer text is refused before it is
parsed, so that no parser works on it and no reply echoes it back."""

TOGGLE_PREFIX = "topic"
"""Callback data of a topic button: ``topic:<view>:<topic id>``; view is ``start`` or ``list``."""
TOGGLE_VIEWS = ("start", "list")
OFFER_PREFIX = "offer"
"""Callback data of the button under a reply to plain text: ``offer:subscribe:<ids>`` or ``offer:alert:<phrase>``."""
MAX_CALLBACK_DATA = 64  # bytes: Telegram's limit on a button's callback data
MAX_OFFER_WORDS = 6  # longer text reads as a sentence to the bot, not as a phrase to watch


# --------------------------------------------------------------------------------------------------
# Typed arguments


@dataclass(frozen=True, slots=True)
class UnsubscribeArgs:
    topics: tuple[str, ...]  # empty when `everything`
    everything: bool = False


@dataclass(frozen=True, slots=True)
class LatestArgs:
    topics: tuple[str, ...]  # empty: the chat's own topics
    count: int = DEFAULT_LATEST
    capped: bool = False  # the user asked for more than MAX_LATEST


@dataclass(frozen=True, slots=True)
class AlertAdd:
    phrase: str  # the canonical form of the query, as stored
    typed: str = ""  # what the user typed, markup stripped: what the chat is shown


@dataclass(frozen=True, slots=True)
class AlertRemove:
    number: int | None = None  # 1-based position in /alerts
    phrase: str | None = None  # canonical form, when the text parses as a query
    raw: str | None = None  # the text as typed


@dataclass(frozen=True, slots=True)
class AlertList:
    pass


AlertArgs = AlertAdd | AlertRemove | AlertList


@dataclass(frozen=True, slots=True)
class DigestAt:
    at: time


@dataclass(frozen=True, slots=True)
class DigestOff:
    pass


@dataclass(frozen=True, slots=True)
class DigestNow:
    pass


DigestArgs = DigestAt | DigestOff | DigestNow


@dataclass(frozen=True, slots=True)
class QuietWindow:
    start: time
    end: time


@dataclass(frozen=True, slots=True)
class QuietOff:
    pass


@dataclass(frozen=True, slots=True)
class QuietStyle:
    silent: bool  # True: send at once without a sound; False: hold and bundle


QuietArgs = QuietWindow | QuietOff | QuietStyle


@dataclass(frozen=True, slots=True)
class FeedAdd:
    url: str
    scope: Scope = Scope.WORLD  # the safe default: an item counts only if it is about Venezuela


@dataclass(frozen=True, slots=True)
class FeedRemove:
    feed_id: int  # the number /feeds shows


FeedArgs = FeedAdd | FeedRemove


@dataclass(frozen=True, slots=True)
class ToggleArgs:
    view: str
    topic: str


# --------------------------------------------------------------------------------------------------
# Words people type


_ALL = {"all", "todo", "todos", "todas", "everything"}
_OFF = {"off", "no", "none", "apagar", "apagado", "desactivar", "desactivado", "stop"}
_NOW = {"now", "ya", "ahora"}
_MODES = {
    ChatMode.INSTANT: {"instant", "instantaneo", "instantanea", "inmediato", "al instante", "alerts", "alertas"},
    ChatMode.DIGEST: {"digest", "resumen", "daily", "diario", "resumen diario"},
}
_LANGUAGES: dict[Lang, set[str]] = {
    "es": {"es", "espanol", "spanish", "castellano", "esp"},
    "en": {"en", "english", "ingles", "eng"},
}
_ADD = {"add", "new", "anadir", "agregar", "nueva", "nuevo", "crear", "+"}
_REMOVE = {"remove", "rm", "del", "delete", "quitar", "borrar", "eliminar", "-"}
_LIST = {"list", "ls", "lista", "listar", "ver", "show"}
_SILENT = {"silent", "silencio", "silencioso", "sin sonido", "mute"}
_HOLD = {"hold", "bundle", "retener", "guardar", "agrupar", "juntas"}


def _bounded(command: str, args: Sequence[str] | None) -> Sequence[str]:
    """`args`, unless together they are longer than MAX_ARGUMENTS: then a UsageError that does not echo them."""
    args = args or ()
    if sum(map(len, args)) + len(args) - 1 > MAX_ARGUMENTS:
        raise UsageError(command, "common.too_long", limit=MAX_ARGUMENTS)
    return args


def _tokens(command: str, args: Sequence[str] | None) -> list[str]:
    """Split on whitespace and commas; drop empty pieces, hashtags' `#` and surrounding quotes."""
    tokens = []
    for arg in _bounded(command, args):
        for piece in arg.split(","):
            piece = piece.strip().strip("\"'«»“”").lstrip("#")
            if piece:
                tokens.append(piece)
    return tokens


def _one_word(command: str, args: Sequence[str] | None) -> str:
    tokens = [token for token in _bounded(command, args) if token.strip()]
    if not tokens:
        raise UsageError(command)
    if len(tokens) > 1:
        raise UsageError(command, "common.too_many_args", extra=" ".join(tokens[1:]))
    return tokens[0].strip()


# --------------------------------------------------------------------------------------------------
# Topics


def _topic_keys(topics: Iterable[Topic]) -> dict[str, str]:
    """Folded id and names -> topic id."""
    keys: dict[str, str] = {}
    for topic in topics:
        for key in (topic.id, topic.id.replace("_", " "), topic.name.es, topic.name.en):
            keys.setdefault(fold(key), topic.id)
    return keys


def _unknown_topic(command: str, token: str, rest: str, keys: dict[str, str], topics: Sequence[Topic]) -> UsageError:
    known = ", ".join(topic.id for topic in topics)
    for candidate in (fold(token), fold(rest)):
        close = difflib.get_close_matches(candidate, list(keys), n=1, cutoff=0.6)
        if close:
            return UsageError(command, "topics.unknown_suggest", topic=token, suggestion=keys[close[0]], known=known)
    return UsageError(command, "topics.unknown", topic=token, known=known)


def resolve_topics(command: str, tokens: Sequence[str], topics: Sequence[Topic]) -> tuple[str, ...]:
    """Topic ids for `tokens`, which hold ids or names (a name may span several tokens), in order, once each.

    Raises UsageError with the list of topics and the closest match when a token names no topic.
    """
    keys = _topic_keys(topics)
    longest = max((len(key.split()) for key in keys), default=1)  # no name spans more tokens than this
    found: list[str] = []
    position = 0
    while position < len(tokens):
        # the longest run of tokens that names a topic
        for end in range(min(len(tokens), position + longest), position, -1):
            topic = keys.get(fold(" ".join(tokens[position:end])))
            if topic is not None:
                if topic not in found:
                    found.append(topic)
                position = end
                break
        else:
            raise _unknown_topic(command, tokens[position], " ".join(tokens[position:]), keys, topics)
    return tuple(found)


def parse_subscribe(args: Sequence[str] | None, topics: Sequence[Topic]) -> tuple[str, ...]:
    """`/subscribe TOPIC...` -> topic ids."""
    tokens = _tokens("subscribe", args)
    if not tokens:
        raise UsageError("subscribe", "topics.missing", known=", ".join(topic.id for topic in topics))
    return resolve_topics("subscribe", tokens, topics)


def parse_unsubscribe(args: Sequence[str] | None, topics: Sequence[Topic]) -> UnsubscribeArgs:
    """`/unsubscribe TOPIC...|all`."""
    tokens = _tokens("unsubscribe", args)
    if not tokens:
        raise UsageError("unsubscribe", "topics.missing", known=", ".join(topic.id for topic in topics))
    if len(tokens) == 1 and fold(tokens[0]) in _ALL:
        return UnsubscribeArgs(topics=(), everything=True)
    return UnsubscribeArgs(topics=resolve_topics("unsubscribe", tokens, topics))


_INTEGER = re.compile(r"^[+-]?\d+$")


def parse_latest(args: Sequence[str] | None, topics: Sequence[Topic]) -> LatestArgs:
    """`/latest [TOPIC] [N]`: the number may come first or last; more than MAX_LATEST is capped, not refused."""
    tokens = _tokens("latest", args)
    numbers = [token for token in tokens if _INTEGER.match(token)]
    if len(numbers) > 1:
        raise UsageError("latest", "latest.two_counts")
    count, capped = DEFAULT_LATEST, False
    if numbers:
        count = int(numbers[0])
        if count < 1:
            raise UsageError("latest", "latest.bad_count", max=MAX_LATEST)
        if count > MAX_LATEST:
            count, capped = MAX_LATEST, True
    words = [token for token in tokens if not _INTEGER.match(token)]
    return LatestArgs(topics=resolve_topics("latest", words, topics), count=count, capped=capped)


def parse_toggle(data: str | None, topics: Sequence[Topic]) -> ToggleArgs | None:
    """Callback data of a topic button -> what to toggle; None for data that is not ours or is stale."""
    parts = (data or "").split(":")
    if len(parts) != 3 or parts[0] != TOGGLE_PREFIX or parts[1] not in TOGGLE_VIEWS:
        return None
    if parts[2] not in {topic.id for topic in topics}:
        return None
    return ToggleArgs(view=parts[1], topic=parts[2])


def toggle_data(view: str, topic_id: str) -> str:
    return f"{TOGGLE_PREFIX}:{view}:{topic_id}"


# --------------------------------------------------------------------------------------------------
# Keyword alerts


_MARKUP = re.compile(r"</?[A-Za-z][^<>]*>")


def strip_markup(typed: str) -> str:
    """What the user typed without HTML tags (`<b>negrita</b>` -> `negrita`), spaces collapsed: a pasted tag is
    not a word anyone wants alerts for."""
    return " ".join(_MARKUP.sub(" ", typed).split())


def _canonical(phrase: str) -> str:
    """The stored form of a keyword query; raises UsageError("alert", ...) for a query that cannot match."""
    return parse_phrase(phrase).canonical


def parse_alert(args: Sequence[str] | None) -> AlertArgs:
    """`/alert add PHRASE`, `/alert remove PHRASE|NUMBER`, `/alert list`."""
    words = [arg for arg in _bounded("alert", args) if arg.strip()]
    if not words:
        raise UsageError("alert")
    action, rest = fold(words[0]), strip_markup(" ".join(words[1:]))
    if action in _LIST and not rest:
        return AlertList()
    if action in _ADD:
        if not rest:
            raise UsageError("alert", "alert.missing_phrase")
        return AlertAdd(phrase=_canonical(rest), typed=rest)
    if action in _REMOVE:
        if not rest:
            raise UsageError("alert", "alert.missing_phrase")
        if _INTEGER.match(rest):
            number = int(rest)
            if number < 1:
                raise UsageError("alert", "alert.bad_number", number=number)
            return AlertRemove(number=number)
        try:
            canonical = _canonical(rest)
        except UsageError:
            canonical = None  # it cannot be a stored alert, but it may match one stored verbatim before
        return AlertRemove(phrase=canonical, raw=rest)
    raise UsageError("alert", "alert.unknown_action")


# --------------------------------------------------------------------------------------------------
# Plain text in a private chat: what it could have meant


@dataclass(frozen=True, slots=True)
class SubscribeOffer:
    topics: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AlertOffer:
    phrase: str  # canonical


Offer = SubscribeOffer | AlertOffer


def offer_data(offer: Offer) -> str:
    if isinstance(offer, SubscribeOffer):
        return f"{OFFER_PREFIX}:subscribe:{','.join(offer.topics)}"
    return f"{OFFER_PREFIX}:alert:{offer.phrase}"


def offer_for(message: str, topics: Sequence[Topic]) -> Offer | None:
    """A message that is not a command: the topics it names, if it names nothing else, or else the keyword
    alert it would be when it is a short phrase; None for a sentence (or a phrase too long for a button)."""
    typed = strip_markup(message)
    if not typed or len(typed) > MAX_ARGUMENTS:
        return None
    try:
        return SubscribeOffer(resolve_topics("subscribe", _tokens("subscribe", typed.split()), topics))
    except UsageError:
        pass
    if len(typed.split()) > MAX_OFFER_WORDS:
        return None
    try:
        offer = AlertOffer(_canonical(typed))
    except UsageError:
        return None
    return offer if len(offer_data(offer).encode()) <= MAX_CALLBACK_DATA else None


def parse_offer(data: str | None, topics: Sequence[Topic]) -> Offer | None:
    """The callback data `offer_data` wrote -> the offer; None for data that is not ours or no longer valid."""
    prefix, _, rest = (data or "").partition(":")
    kind, _, value = rest.partition(":")
    if prefix != OFFER_PREFIX or not value:
        return None
    if kind == "subscribe":
        known = {topic.id for topic in topics}
        wanted = tuple(value.split(","))
        return SubscribeOffer(wanted) if all(topic in known for topic in wanted) else None
    if kind == "alert":
        try:
            return AlertOffer(_canonical(value))
        except UsageError:
            return None
    return None


# --------------------------------------------------------------------------------------------------
# Chat settings


_LOOSE_HHMM = re.compile(r"^(\d{1,2})[:.h](\d{2})$")


def parse_digest(args: Sequence[str] | None) -> DigestArgs:
    """`/digest HH:MM|off|now`; '7:30', '07.30' and '7h30' are read as 07:30."""
    word = _one_word("digest", args)
    folded = fold(word)
    if folded in _OFF:
        return DigestOff()
    if folded in _NOW:
        return DigestNow()
    at = _loose_hhmm(folded)
    if at is None:
        raise UsageError("digest", "digest.bad_time", value=word)
    return DigestAt(at)


def _loose_hhmm(word: str) -> time | None:
    """'23:00', '7:30', '07.30', '7h30' -> the time; anything else -> None."""
    match = _LOOSE_HHMM.match(word)
    try:
        return parse_hhmm(f"{int(match.group(1)):02d}:{match.group(2)}" if match else word)
    except ValueError:
        return None


def parse_quiet(args: Sequence[str] | None) -> QuietArgs:
    """`/quiet HH:MM-HH:MM|off|silent|hold`; the window is in the chat's time zone and may span midnight."""
    typed = " ".join(token for token in _bounded("quiet", args) if token.strip())
    word = fold(typed)
    if not word:
        raise UsageError("quiet")
    if word in _OFF:
        return QuietOff()
    if word in _SILENT or word in _HOLD:
        return QuietStyle(silent=word in _SILENT)
    start, _, end = word.replace(" ", "").partition("-")
    start_at, end_at = _loose_hhmm(start), _loose_hhmm(end)
    if start_at is None or end_at is None or start_at == end_at:
        raise UsageError("quiet", "quiet.bad_window", value=typed)
    return QuietWindow(start_at, end_at)


def _alias(command: str, args: Sequence[str] | None, table: dict) -> object:  # type: ignore[type-arg]
    word = fold(" ".join(token for token in _bounded(command, args) if token.strip()))
    if not word:
        raise UsageError(command)
    for value, aliases in table.items():
        if word in aliases or word == fold(str(value)):
            return value
    raise UsageError(command)


def parse_mode(args: Sequence[str] | None) -> ChatMode:
    """`/mode instant|digest` (or modo instantáneo / resumen)."""
    return _alias("mode", args, _MODES)  # type: ignore[return-value]


def parse_language(args: Sequence[str] | None) -> Lang:
    """`/language es|en` (or español / english)."""
    return _alias("language", args, _LANGUAGES)  # type: ignore[return-value]


@functools.cache
def _zones() -> dict[str, str]:
    """Lower-cased IANA name -> IANA name, for every zone this machine knows."""
    return {name.lower(): name for name in zoneinfo.available_timezones()}


def parse_timezone(args: Sequence[str] | None) -> str:
    """`/timezone Area/City`: an IANA name in any case; a near miss or a bare city gets a suggestion."""
    word = _one_word("timezone", args)
    try:
        return check_timezone(word)
    except ValueError:
        pass
    zones = _zones()
    wanted = word.lower().replace(" ", "_")
    if wanted in zones:
        return check_timezone(zones[wanted])
    cities = {name.rsplit("/", 1)[-1]: name for name in sorted(zones, reverse=True)}
    suggestion = cities.get(wanted)
    if suggestion is None:
        close = difflib.get_close_matches(wanted, list(zones), n=1, cutoff=0.8) or \
            difflib.get_close_matches(wanted, list(cities), n=1, cutoff=0.8)
        if close:
            suggestion = close[0] if close[0] in zones else cities[close[0]]
    if suggestion is not None:
        raise UsageError("timezone", "timezone.unknown_suggest", value=word, suggestion=zones[suggestion])
    raise UsageError("timezone", "timezone.unknown", value=word)


# --------------------------------------------------------------------------------------------------
# Admin commands


_SCOPES: dict[Scope, set[str]] = {
    Scope.VENEZUELA: {"venezuela", "vzla", "ve", "nacional", "national", "local"},
    Scope.WORLD: {"world", "mundo", "internacional", "international", "global"},
}


def _echo(value: str) -> str:
    """What the user typed, short enough to quote back."""
    return value if len(value) <= ECHO else value[:ECHO - 1] + "…"


def parse_feed_url(raw: str) -> str:
    """An absolute http(s) URL of at most MAX_URL characters, without credentials or spaces; else UsageError.
    Whether its host may be fetched is decided later, after DNS (feeds.fetch)."""
    url = raw.strip().strip("<>")
    if len(url) > MAX_URL:
        raise UsageError("feed", "feed.url_too_long", max=MAX_URL, length=len(url))
    if any(char.isspace() or not char.isprintable() for char in url):
        raise UsageError("feed", "feed.bad_url", value=_echo(url))
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number from 0 to 65535
    except ValueError:
        raise UsageError("feed", "feed.bad_url", value=_echo(url)) from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise UsageError("feed", "feed.bad_url", value=_echo(url))
    if parts.username is not None or parts.password is not None:
        raise UsageError("feed", "feed.credentials")
    return url


def parse_scope(word: str) -> Scope:
    folded = fold(word)
    for scope, aliases in _SCOPES.items():
        if folded in aliases:
            return scope
    raise UsageError("feed", "feed.bad_scope", value=_echo(word))


def parse_feed(args: Sequence[str] | None) -> FeedArgs:
    """`/feed add URL [venezuela|world]` (world by default), `/feed remove N`."""
    words = [arg for arg in (args or ()) if arg.strip()]
    if not words:
        raise UsageError("feed")
    action, rest = fold(words[0]), words[1:]
    if action in _ADD:
        if not rest:
            raise UsageError("feed", "feed.missing_url")
        url = parse_feed_url(rest[0])
        if len(rest) > 2:
            raise UsageError("feed", "common.too_many_args", extra=_echo(" ".join(rest[2:])))
        return FeedAdd(url, parse_scope(rest[1])) if len(rest) == 2 else FeedAdd(url)
    if action in _REMOVE:
        if not rest:
            raise UsageError("feed", "feed.missing_number")
        if len(rest) > 1:
            raise UsageError("feed", "common.too_many_args", extra=_echo(" ".join(rest[1:])))
        number = rest[0].lstrip("#")
        if not number.isascii() or not number.isdigit() or len(number) > 9 or int(number) < 1:
            raise UsageError("feed", "feed.bad_number", value=_echo(rest[0]))
        return FeedRemove(int(number))
    raise UsageError("feed", "feed.unknown_action")


# --------------------------------------------------------------------------------------------------
# /flagged: a period

DEFAULT_PERIOD_DAYS = 7
MAX_PERIOD_DAYS = 366
_DAYS = re.compile(r"([0-9]{1,4}) ?(?:d|days?|dias?)")  # folded: "7d", "30 días", "7 days"


def parse_period(args: Sequence[str] | None, *, now: datetime, timezone: str) -> tuple[datetime, datetime]:
    """`/flagged [7d | FROM [TO]]` -> [since, until): the last N days up to `now` (7 unless told), or whole
    days from FROM to TO inclusive (YYYY-MM-DD, in the chat's time zone; TO is today unless told)."""
    words = [word for word in _bounded("flagged", args) if word.strip()]
    if not words:
        return now - timedelta(days=DEFAULT_PERIOD_DAYS), now
    days = _DAYS.fullmatch(fold(" ".join(words)))
    if days:
        count = int(days.group(1))
        if not 1 <= count <= MAX_PERIOD_DAYS:
            raise UsageError("flagged", "flagged.bad_days", max=MAX_PERIOD_DAYS)
        return now - timedelta(days=count), now
    if len(words) > 2:
        raise UsageError("flagged")
    zone = ZoneInfo(timezone)
    first = _day(words[0])
    last = _day(words[1]) if len(words) == 2 else now.astimezone(zone).date()
    if last < first:
        raise UsageError("flagged", "flagged.backwards")
    if (last - first).days >= MAX_PERIOD_DAYS:
        raise UsageError("flagged", "flagged.bad_days", max=MAX_PERIOD_DAYS)
    start = datetime.combine(first, time(), zone)
    end = datetime.combine(last + timedelta(days=1), time(), zone)
    return start, end


def _day(word: str) -> date:
    """A YYYY-MM-DD date, else UsageError."""
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", word):
        try:
            return date.fromisoformat(word)
        except ValueError:
            pass
    raise UsageError("flagged", "flagged.bad_period", value=_echo(word))

# Inline mode: @bot QUERY

MAX_INLINE_WORDS = 8
INLINE_QUERY_LIMIT = 256  # Telegram sends at most this many characters of an inline query


@dataclass(frozen=True, slots=True)
class InlineSearch:
    """What `@bot QUERY` asks for: topics it names, else words every title must have; neither: the latest."""

    topics: tuple[str, ...] = ()
    words: tuple[str, ...] = ()  # folded; each matches a title word it begins


def parse_inline(query: str, topics: Sequence[Topic]) -> InlineSearch:
    """Any text is a search, never an error: topic ids or names in either language, or free words."""
    tokens = query[:INLINE_QUERY_LIMIT].split()
    if not tokens:
        return InlineSearch()
    try:
        return InlineSearch(topics=resolve_topics("inline", tokens, topics))
    except UsageError:
        return InlineSearch(words=tuple(dict.fromkeys(words(" ".join(tokens))))[:MAX_INLINE_WORDS])


def title_matches(title: str, wanted: Sequence[str]) -> bool:
    """Whether every wanted word begins some word of `title`, accents and case aside ("sanc" finds
    "Sanciones"), so results follow what the user is still typing."""
    have = words(title)
    return all(any(word.startswith(part) for word in have) for part in wanted)

