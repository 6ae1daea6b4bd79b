"""Turns one parsed feed entry into an `Item`: plain text, a canonical link, an aware UTC time, a language
and a stable identity.

Pure: no I/O and no clock (the fetch time is an argument). Whatever a feed puts in a title or a summary
comes out as plain text, never as markup; the formatter escapes it again for Telegram.
"""

from __future__ import annotations

import functools
import hashlib
import html
import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from urllib.parse import unquote_plus, urljoin, urlsplit, urlunsplit

from feeds.parse import ParsedEntry, ParsedFeed, TextField
from model import Item, Lang
from text import shorten

TITLE_MAX = 300
SUMMARY_MAX = 1000
GUID_MAX = 512  # longer ids are stored as their hash
TITLE_FROM_SUMMARY = 140  # an entry without a title gets the start of its summary

# ---------------------------------------------------------------------------------------------------
# Plain text

# Linear time whatever the field holds: every quantifier below is possessive, so no pattern backtracks, and a
# tag is only looked for before the last ">" of the text, where every tag that opens also closes (after it,
# no tag can end, and trying each "<" there would cost the square of the text's length). Inside a tag a
# quoted attribute value may contain ">"; a quote with no partner counts as a plain character.
_TAG_BODY = r"""(?:[^>"']++|"[^"]*+"|'[^']*+'|["'])*+>"""
_DROPPED_NAMES = "script|style|noscript|template|iframe|object|embed|svg|math|head|title|textarea|select"
_DROPPED_OPEN = re.compile(rf"<(?=[A-Za-z])({_DROPPED_NAMES})\b{_TAG_BODY}", re.IGNORECASE)  # content is never text
_DROPPED_CLOSE = {name: re.compile(rf"</{name}\s*+>", re.IGNORECASE) for name in _DROPPED_NAMES.split("|")}
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)|<!\[CDATA\[|\]\]>", re.DOTALL)
_BLOCK = re.compile(  # tags that separate words: replaced by a space, not by nothing
    r"<(?=[/A-Za-z])/?(?:p|br|div|li|ul|ol|h[1-6]|tr|td|th|table|blockquote|section|article|header|footer|figure"
    rf"|figcaption|hr|pre|dd|dt|dl)\b{_TAG_BODY}",
    re.IGNORECASE)
_TAG = re.compile(rf"</?[A-Za-z][^\s/>]*+{_TAG_BODY}|<![A-Za-z][^>]*+>|<\?[^>]*+>")
_UNCLOSED_TAG = re.compile(r"</?[A-Za-z][^<>]*\Z")  # a tag cut off by the end of the text
# A "<" that still opens a tag once the tags are gone: the outer part of nested markup (`<<b>b>`,
# `<scr<b>ipt>`) that removing the inner tag put back together. Dropped, so no tag is ever rebuilt.
_TAG_OPENER = re.compile(r"<(?=[A-Za-z/!?])")
# Characters a reader cannot see or that change the direction of the text around them, by Unicode category:
# controls (Cc; the whitespace ones become spaces when whitespace is folded), format characters (Cf: bidi
# marks and overrides, zero-width characters, soft hyphens, byte-order marks, the tag characters
# U+E0000-E007F), lone surrogates (Cs), and the default-ignorable letters that render as nothing (the
# Hangul fillers, Khmer inherent vowels, the combining grapheme joiner). Those categories exist only in
# planes 0, 1 and 14 (tests/feeds/test_normalize.py checks it on this Python's Unicode tables).
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})
_INVISIBLE_LETTERS = "\u034f\u115f\u1160\u17b4\u17b5\u3164\uffa0"
_KEPT_CONTROLS = "\t\n\x0b\x0c\r\x85"
INVISIBLE_PLANES = (0, 1, 14)


def _invisible_pattern() -> re.Pattern[str]:
    points = [point for plane in INVISIBLE_PLANES for point in range(plane << 16, (plane + 1) << 16)
              if unicodedata.category(chr(point)) in _INVISIBLE_CATEGORIES and chr(point) not in _KEPT_CONTROLS]
    points += map(ord, _INVISIBLE_LETTERS)
    points.sort()
    ranges: list[list[int]] = []
    for point in points:
        if ranges and point == ranges[-1][1] + 1:
            ranges[-1][1] = point
        else:
            ranges.append([point, point])
    return re.compile("[" + "".join(f"\\U{low:08x}-\\U{high:08x}" for low, high in ranges) + "]")


_INVISIBLE = _invisible_pattern()

# UTF-8 read as Latin-1 or Windows-1252 by someone upstream ("AdemÃ¡s", "regiÃ£o", "itâ€™s"): a lead byte of a
# two-to-four-byte sequence followed by continuation bytes, each shown as the character that single byte is
# in those code pages. Such a run is turned back into the character it was; real Spanish, English or
# Portuguese text never has these pairs.
_CP1252_HIGH = "\u20ac\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u017d\u2018\u2019" \
               "\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u017e\u0178"
_MOJIBAKE = re.compile(f"[\u00c2-\u00f4][\u0080-\u00bf{_CP1252_HIGH}]{{1,3}}")


def _undo_mojibake(match: re.Match[str]) -> str:
    return _undone(match.group())


@functools.lru_cache(maxsize=4096)
def _undone(run: str) -> str:
    """A run of at most four characters as the UTF-8 character its bytes were (the same few runs come back
    in every garbled text, hence the cache)."""
    try:  # each character back to its byte: Windows-1252 where it has one, else Latin-1 (0x81, 0x9d...)
        return b"".join(_byte(char) for char in run).decode("utf-8")
    except UnicodeError:
        return run


def _byte(char: str) -> bytes:
    try:
        return char.encode("cp1252")
    except UnicodeEncodeError:
        return char.encode("latin-1")


def plain_text(value: str, *, markup: bool, limit: int) -> str:
    """`value` as one line of plain text of at most `limit` characters.

    With `markup` (an HTML or XHTML field): the content of script, style and similar elements is
    dropped, tags are removed (and a tag rebuilt by removing one nested in it loses its "<"), and only
    then are entities decoded, so that `&lt;b&gt;` becomes the literal text `<b>` and never a tag.
    Without it (a text field), the value already is text.
    Either way UTF-8 that was decoded as Latin-1 or Windows-1252 upstream is mended, invisible and control
    characters go and whitespace is folded.
    """
    if not value.isascii():
        value = _MOJIBAKE.sub(_undo_mojibake, value)  # before the soft hyphen of "Ã\xad" (í) is removed
    value = _INVISIBLE.sub("", value)  # an invisible character inside a tag (`<\u200bb>`) must not hide it
    if markup and ("<" in value or "&" in value):
        value = _COMMENT.sub(" ", _drop_elements(value))
        end = value.rfind(">") + 1
        head = _BLOCK.sub(" ", value[:end])  # may remove the last ">" ("<a<p>"): look for tags before the new one
        cut = head.rfind(">") + 1
        value = _TAG.sub("", head[:cut]) + head[cut:] + value[end:]
        value = _UNCLOSED_TAG.sub("", value)
        value = _TAG_OPENER.sub("", value)
        value = _INVISIBLE.sub("", html.unescape(value))  # and what entities such as &#8203; stand for
    return shorten(" ".join(value.split()), limit)



def _drop_elements(value: str) -> str:
    """`value` without script, style and the other elements whose content is not text (an element left
    open runs to the end of the text)."""
    parts: list[str] = []
    position, end = 0, value.rfind(">") + 1
    while (opener := _DROPPED_OPEN.search(value, position, end)) is not None:
        parts += (value[position:opener.start()], " ")
        closer = _DROPPED_CLOSE[opener.group(1).lower()].search(value, opener.end())
        if closer is None:
            return "".join(parts)
        position = closer.end()
    parts.append(value[position:])
    return "".join(parts)


# WordPress (with Yoast SEO and similar plugins) ends every summary with a line naming the post and the
# site, in the site's language: "The post X appeared first on Y.", "The post X first appeared on Y.",
# "La entrada X se publicó primero en Y.", "La entrada X aparece primero en Y.", "La publicación X apareció
# primero en Y.", "El cargo X apareció primero en Y." (all seen in tests/data/feeds/real/); an excerpt cut
# short ends in "[…]". Neither is the news.
_WORDPRESS_FOOTER = re.compile(
    r"\s*(?:The post|The article|La entrada|La publicación|El cargo|El artículo|La noticia) .{1,600}? "
    r"(?:appeared first on|first appeared on|se publicó primero en|apareció primero en|aparece primero en)"
    r" [^.]{1,200}\.?\s*$", re.DOTALL)
_CUT_SHORT = re.compile(r"\s*\[(?:…|\.\.\.)\]\s*$")


def field_text(field: TextField | None, limit: int) -> str:
    if field is None:
        return ""
    text = plain_text(field.value, markup=field.is_markup, limit=limit + 800)
    return shorten(_CUT_SHORT.sub("", _WORDPRESS_FOOTER.sub("", text)), limit)


# ---------------------------------------------------------------------------------------------------
# Links

TRACKING_PARAMETERS = frozenset({
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "ttclid", "igshid",
    "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok", "oly_anon_id", "oly_enc_id", "vero_id",
    "wt_mc", "ncid", "cmpid", "s_cid", "spm", "__twitter_impression",
})
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_PLAIN_LINK = re.compile(r"https?://[a-z0-9-]+(?:\.[a-z0-9-]+)+(?:/[^?#%\\]*)?\Z")  # no port, query, fragment


def canonical_link(link: str | None, base: str | None = None) -> str | None:
    """An absolute http(s) URL with scheme and host lower-cased, no user info, no default port, no fragment
    and no tracking parameters (utm_*, fbclid...); None if `link` is not a web address."""
    if not link:
        return None
    link = "".join(link.split())  # feeds wrap long links over lines
    if _PLAIN_LINK.match(link):  # the common case, already canonical: no parsing needed
        return link if link.count("/") > 2 else link + "/"
    if base and not link.startswith(("http://", "https://")):
        try:
            link = urljoin(base, link)
        except ValueError:
            return None
    try:
        parts = urlsplit(link)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    host = parts.hostname.lower().rstrip(".")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    # User info is dropped: `https://t.me@evil.example/login` reads as t.me but goes to evil.example.
    netloc = host
    query = "&".join(pair for pair in parts.query.split("&") if pair and not _is_tracking(pair))
    return urlunsplit((scheme, netloc, parts.path or "/", query, ""))


def _is_tracking(pair: str) -> bool:
    key = unquote_plus(pair.partition("=")[0]).strip().lower()
    return key in TRACKING_PARAMETERS or key.startswith(TRACKING_PREFIXES)


# ---------------------------------------------------------------------------------------------------
# Time

EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)  # before this, a date is a feed's placeholder, not news


def published_time(entry: ParsedEntry, fetched_at: datetime) -> datetime:
    """The entry's publication time in UTC: its published date, else its updated date, else the fetch
    time. Nothing was published after it was fetched, so a later date becomes the fetch time; a date
    before 1990 is a placeholder and is skipped too."""
    for parsed in (entry.published, entry.updated):
        if parsed is None:
            continue
        try:
            year, month, day, hour, minute, second = parsed[:6]
            moment = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
        except (TypeError, ValueError, OverflowError):  # a short tuple, or a date that does not exist
            continue
        if moment < EARLIEST:
            continue
        return min(moment, fetched_at)
    return fetched_at


# ---------------------------------------------------------------------------------------------------
# Language

_SPANISH = frozenset(
    "el la los las de del que y en un una por con para al se su sus es lo como más pero sobre este esta "
    "fue son ha han tras entre sin desde hasta según ante durante también contra".split())
_ENGLISH = frozenset(
    "the of and to in is for on with that by as from at an be are was were has have after over its their "
    "this will would says said amid against about into".split())
_SPANISH_LETTERS = frozenset("ñáéíóúü¿¡")


def language_code(value: str | None) -> str | None:
    """A declared language as its ISO 639-1 code: 'es-VE', 'ES', 'es-419' -> 'es'; 'en_US' -> 'en';
    'pt-BR' -> 'pt'; None when `value` is not a language tag."""
    if not value:
        return None
    code = value.strip().lower().replace("_", "-").split("-")[0]
    return code if len(code) == 2 and code.isascii() and code.isalpha() else None


def detect_language(text: str) -> Lang | None:
    """Spanish or English from function words and Spanish letters; None when the text does not say."""
    words = text.lower().split()
    spanish = sum(word in _SPANISH for word in words)
    english = sum(word in _ENGLISH for word in words)
    spanish += 2 * sum(1 for char in set(text.lower()) if char in _SPANISH_LETTERS)
    if spanish == english:
        return None
    return "es" if spanish > english else "en"


# ---------------------------------------------------------------------------------------------------
# Identity


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def identity(guid: str | None, link: str | None, title: str) -> str:
    """The entry's id if it has one, else its canonical link, else a hash of its title (and link)."""
    guid = " ".join(guid.split()) if guid else ""
    if guid:
        return guid if len(guid) <= GUID_MAX else "sha256:" + _digest(guid)
    if link:
        return link if len(link) <= GUID_MAX else "sha256:" + _digest(link)
    return "sha256:" + _digest(title, link or "")


# ---------------------------------------------------------------------------------------------------
# Entry -> Item


@dataclass(frozen=True, slots=True)
class FeedContext:
    """What normalising an entry needs to know about its feed."""

    url: str  # where the document came from: relative links resolve against it
    home: str  # the link of an entry that has none: the outlet's site, else the feed URL
    language: Lang | None  # configured language (wins), else None
    feed_language: str | None  # what the document or the HTTP headers declare (wins over guessing)


def context_for(parsed: ParsedFeed, *, url: str, configured: Lang | None,
                content_language: str | None = None) -> FeedContext:
    home = canonical_link(parsed.link, url) or canonical_link(url) or url
    return FeedContext(url=url, home=home, language=configured,
                       feed_language=language_code(parsed.language) or language_code(content_language))


def to_item(entry: ParsedEntry, context: FeedContext, *, fetched_at: datetime) -> Item | None:
    """The entry as an Item, or None when it has neither a title nor a summary (nothing to show)."""
    title = field_text(entry.title, TITLE_MAX)
    own_link = canonical_link(entry.link, context.url)
    outlet = " ".join(entry.source.split()) if entry.source else None
    if own_link is not None and _is_aggregated(own_link):
        # Google News: the title ends in " - Outlet"; the summary is that headline again, or a list of other
        # outlets' headlines on the subject, and is neither shown nor classified.
        summary = ""
        if outlet and title.endswith(f" - {outlet}") and len(title) > len(outlet) + 3:
            title = title[:-len(outlet) - 3].rstrip()
    else:
        summary = field_text(entry.summary, SUMMARY_MAX)
    if not title:
        if not summary:
            return None
        title = shorten(summary, TITLE_FROM_SUMMARY)
    language = (context.language or language_code(entry.language) or context.feed_language
                or detect_language(f"{title} {summary}"))
    return Item(
        guid=identity(entry.id, own_link, title),
        link=own_link or context.home,
        title=title,
        summary=summary,
        language=language,
        published_at=published_time(entry, fetched_at),
        fetched_at=fetched_at,
        content_hash=_digest(title, summary),
        outlet=outlet,
    )


_AGGREGATOR_HOSTS = ("https://news.google.com/",)


def _is_aggregated(link: str) -> bool:
    """Whether `link` is an aggregator's redirect to an outlet's article rather than the article itself."""
    return link.startswith(_AGGREGATOR_HOSTS)


def to_items(parsed: ParsedFeed, context: FeedContext, *, fetched_at: datetime,
             limit: int | None = None) -> tuple[tuple[Item, ...], int]:
    """Every usable entry of `parsed` as an Item, each identity once (the first wins), at most the `limit`
    newest, in document order; returns the items and how many entries were skipped (empty ones, repeated
    ids and the older ones past the limit)."""
    items: list[Item] = []
    seen: set[str] = set()
    for entry in parsed.entries:
        item = to_item(entry, context, fetched_at=fetched_at)
        if item is None or item.guid in seen:
            continue
        seen.add(item.guid)
        items.append(item)
    if any(item.language is None for item in items):
        # A feed that declares no language, with items too short to tell ("Agency Information Collection
        # Activities"): the language of the feed's text as a whole stands in for theirs.
        guessed = detect_language(" ".join(f"{item.title} {item.summary}" for item in items))
        if guessed is not None:
            items = [item if item.language is not None else replace(item, language=guessed) for item in items]
    if limit is not None and len(items) > limit:
        newest = set(sorted(range(len(items)), key=lambda index: items[index].published_at, reverse=True)[:limit])
        items = [item for index, item in enumerate(items) if index in newest]
    return tuple(items), len(parsed.entries) - len(items)
