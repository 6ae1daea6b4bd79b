"""Turns one parsed feed entry into an `Item`: plain text, a canonical link, an aware UTC time, a language
and a stable identity.

Pure: no I/O and no clock (the fetch time is an argument). Whatever a feed puts in a title or a summary
comes out as plain text, never as markup; the formatter escapes it again for Telegram.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass
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

_DROPPED = re.compile(  # elements whose content is never text a reader should see
    r"<(script|style|noscript|template|iframe|object|embed|svg|math|head|title|textarea|select)\b"
    r"(?:[^>\"']|\"[^\"]*\"|'[^']*')*>.*?(?:</\1\s*>|\Z)",
    re.IGNORECASE | re.DOTALL)
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)|<!\[CDATA\[|\]\]>", re.DOTALL)
_BLOCK = re.compile(  # tags that separate words: replaced by a space, not by nothing
    r"</?(?:p|br|div|li|ul|ol|h[1-6]|tr|td|th|table|blockquote|section|article|header|footer|figure"
    r"|figcaption|hr|pre|dd|dt|dl)\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*>",
    re.IGNORECASE)
_TAG = re.compile(r"</?[A-Za-z][^\s/>]*(?:[^>\"']|\"[^\"]*\"|'[^']*')*>|<![A-Za-z][^>]*>|<\?[^>]*>")
_UNCLOSED_TAG = re.compile(r"</?[A-Za-z][^<>]*\Z")  # a tag cut off by the end of the text
# A "<" that still opens a tag once the tags are gone: the outer part of nested markup (`<<b>b>`,
# `<scr<b>ipt>`) that removing the inner tag put back together. Dropped, so no tag is ever rebuilt.
_TAG_OPENER = re.compile(r"<(?=[A-Za-z/!?])")
# C0/C1 controls (tab, newlines and the like become spaces below), bidirectional overrides that could make
# a title read differently from what it is, zero-width and byte-order marks, soft hyphens, lone surrogates.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u00ad\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff"
    "\ufff9-\ufffb\ud800-\udfff]")


def plain_text(value: str, *, markup: bool, limit: int) -> str:
    """`value` as one line of plain text of at most `limit` characters.

    With `markup` (an HTML or XHTML field): the content of script, style and similar elements is
    dropped, tags are removed (and a tag rebuilt by removing one nested in it loses its "<"), and only
    then are entities decoded, so that `&lt;b&gt;` becomes the literal text `<b>` and never a tag.
    Without it (a text field), the value already is text.
    Either way invisible and control characters go and whitespace is folded.
    """
    value = _INVISIBLE.sub("", value)  # first: an invisible character inside a tag (`<\u200bb>`) must not hide it
    if markup and ("<" in value or "&" in value):
        value = _DROPPED.sub(" ", value)
        value = _COMMENT.sub(" ", value)
        value = _BLOCK.sub(" ", value)
        value = _TAG.sub("", value)
        value = _UNCLOSED_TAG.sub("", value)
        value = _TAG_OPENER.sub("", value)
        value = _INVISIBLE.sub("", html.unescape(value))  # and what entities such as &#8203; stand for
    return shorten(" ".join(value.split()), limit)



# WordPress appends "The post <title> appeared first on <site>." to every summary.
_WORDPRESS_FOOTER = re.compile(r"\s*The post .{1,600}? appeared first on [^.]{1,200}\.\s*$", re.DOTALL)


def field_text(field: TextField | None, limit: int) -> str:
    if field is None:
        return ""
    text = plain_text(field.value, markup=field.is_markup, limit=limit + 800)
    return shorten(_WORDPRESS_FOOTER.sub("", text), limit)


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
    """An absolute http(s) URL with scheme and host lower-cased, no default port, no fragment and no
    tracking parameters (utm_*, fbclid...); None if `link` is not a web address."""
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
    userinfo = parts.netloc.rpartition("@")[0]
    netloc = f"{userinfo}@{host}" if userinfo else host
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
            moment = datetime(*parsed[:6], tzinfo=UTC)
        except (TypeError, ValueError, OverflowError):
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


def language_code(value: str | None) -> Lang | None:
    """'es-VE', 'ES', 'en_US', 'es-419' -> 'es' / 'en'; anything else -> None."""
    if not value:
        return None
    code = value.strip().lower().replace("_", "-").split("-")[0]
    return code if code in ("es", "en") else None  # type: ignore[return-value]


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
    feed_language: Lang | None  # what the document or the HTTP headers declare


def context_for(parsed: ParsedFeed, *, url: str, configured: Lang | None,
                content_language: str | None = None) -> FeedContext:
    home = canonical_link(parsed.link, url) or canonical_link(url) or url
    return FeedContext(url=url, home=home, language=configured,
                       feed_language=language_code(parsed.language) or language_code(content_language))


def to_item(entry: ParsedEntry, context: FeedContext, *, fetched_at: datetime) -> Item | None:
    """The entry as an Item, or None when it has neither a title nor a summary (nothing to show)."""
    title = field_text(entry.title, TITLE_MAX)
    summary = field_text(entry.summary, SUMMARY_MAX)
    if not title:
        if not summary:
            return None
        title = shorten(summary, TITLE_FROM_SUMMARY)
    own_link = canonical_link(entry.link, context.url)
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
    )


def to_items(parsed: ParsedFeed, context: FeedContext, *, fetched_at: datetime) -> tuple[tuple[Item, ...], int]:
    """Every usable entry of `parsed` as an Item, each identity once (the first wins); returns the items
    and how many entries were skipped (empty ones and repeated ids)."""
    items: list[Item] = []
    seen: set[str] = set()
    for entry in parsed.entries:
        item = to_item(entry, context, fetched_at=fetched_at)
        if item is None or item.guid in seen:
            continue
        seen.add(item.guid)
        items.append(item)
    return tuple(items), len(parsed.entries) - len(items)
