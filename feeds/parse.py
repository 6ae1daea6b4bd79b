"""Reads a fetched feed document (bytes + the HTTP headers that came with them) with feedparser.

Pure and the only module that imports feedparser. feedparser never touches the network here: it gets a
BytesIO, never a URL or a string it could take for one. Its HTML sanitiser and relative-URI rewriting are
off because `feeds.normalize` turns every title and summary into plain text anyway (and they are the
slowest part of feedparser). A recoverable problem (feedparser's "bozo" flag) is a warning on the result;
a document with no feed in it is a `ParseError`.
"""

from __future__ import annotations

import codecs
import io
import re
from dataclasses import dataclass, replace
from typing import Any
from xml.etree import ElementTree

import feedparser

from errors import ParseError


@dataclass(frozen=True, slots=True)
class TextField:
    """A title or a summary as the feed gave it, with its declared type."""

    value: str
    type: str = "text/html"

    @property
    def is_markup(self) -> bool:
        return self.type != "text/plain"


@dataclass(frozen=True, slots=True)
class ParsedEntry:
    """One entry as feedparser read it; times are UTC (year, month, day, hour, minute, second) tuples."""

    id: str | None
    link: str | None
    title: TextField | None
    summary: TextField | None
    published: tuple[int, ...] | None = None
    updated: tuple[int, ...] | None = None
    language: str | None = None
    source: str | None = None  # the outlet an aggregator names for the entry (RSS <source>, Atom source title)


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A feed document: its own title, link and language, its entries, and what feedparser had to forgive."""

    title: str
    link: str | None
    language: str | None
    version: str
    entries: tuple[ParsedEntry, ...]
    warning: str | None = None


# how expat says that the document stopped before its end (a dropped connection, a full disk at the source)
_CUT_OFF = ("no element found", "unclosed token")
# bozo reasons that are about the HTTP headers, not the document: a feed without entries that only has one
# of these is a valid, empty feed.
_HEADER_PROBLEMS = frozenset({"NonXMLContentType", "CharacterEncodingOverride", "CharacterEncodingUnknown"})


def parse_feed(body: bytes, *, url: str, content_type: str | None = None,
               content_language: str | None = None, max_entries: int | None = None) -> ParsedFeed:
    """Parse `body`, fetched from `url`; with `max_entries`, only the first that many entries of the document
    are read (feedparser holds every entry it reads: 100,000 of them take hundreds of MB).
    Raises ParseError(kind="empty" or "not_a_feed")."""
    if not body.strip():
        raise ParseError(url, "empty", "the document is empty")
    if max_entries is not None:
        body = _first_entries(body, max_entries)
    mended = _mend_utf8(body, content_type)
    # No Content-Location: feedparser would resolve ids (RSS guids, Atom ids) against it, and an item's
    # identity must not change when its feed moves. feeds.normalize resolves relative links itself.
    headers = {}
    if content_type:
        headers["content-type"] = content_type
    if content_language:
        headers["content-language"] = content_language
    try:
        result = feedparser.parse(io.BytesIO(mended or body), response_headers=headers, sanitize_html=False,
                                  resolve_relative_uris=False)
    except Exception as exc:  # noqa: BLE001 - hostile input must not crash the cycle; feedparser has no error type
        raise ParseError(url, "not_a_feed", f"feedparser failed: {type(exc).__name__}: {exc}"[:300]) from exc

    warning, broken = None, False
    if result.get("bozo"):
        problem = result.get("bozo_exception")
        warning = f"{type(problem).__name__}: {problem}"[:300] if problem is not None else "not well-formed"
        broken = type(problem).__name__ not in _HEADER_PROBLEMS
    elif mended is not None:
        warning = "NotUtf8: bytes that are not UTF-8 were read as Windows-1252"
    version = result.get("version") or ""
    rss = not version.startswith("atom")
    raw_entries = result.get("entries", ())
    entries = tuple(_entry(raw, rss=rss) for raw in raw_entries)
    if version.startswith("rss") and any(_has_other_links(raw) for raw in raw_entries):
        entries = _with_own_links(entries, _rss_item_links(body))
    if entries and warning and any(sign in warning for sign in _CUT_OFF):
        entries = entries[:-1]  # the document ends mid-entry: the last one may be missing its end
    if not entries and (not version or broken):
        if not version and warning and "no element found" in warning:
            raise ParseError(url, "empty", "the document has no elements")
        raise ParseError(url, "not_a_feed", warning or "no RSS, Atom or RDF feed in the document")
    feed: Any = result.get("feed", {})
    return ParsedFeed(
        title=str(feed.get("title") or ""),
        link=_text_or_none(feed.get("link")),
        language=_text_or_none(feed.get("language")),
        version=version,
        entries=entries,
        warning=warning,
    )


_ENTRY_END = re.compile(rb"</(?:[A-Za-z][\w.-]*:)?(?:item|entry)\s*>")


def _first_entries(body: bytes, count: int) -> bytes:
    """`body` with the entries after the first `count` cut out, and what followed the last entry (the
    closing tags of the channel and the document) kept, so that the rest still reads as it did."""
    ends = [match.end() for match in _ENTRY_END.finditer(body)]
    if len(ends) <= count:
        return body
    return body[:ends[count - 1]] + body[ends[-1]:]


# A document that says it is UTF-8 but has a few bytes that are not (one item pasted from Windows-1252):
# feedparser would then decode the whole document with another code page and every item would read
# "Ă‘andĂş". Only the offending bytes are read as Windows-1252; valid UTF-8 stays what it is.
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._-]+)", re.IGNORECASE)
_UTF8_NAMES = frozenset({"utf-8", "utf8"})
_OTHER_UNICODE_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)


def _windows_1252(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start:error.end]
    return bad.decode("cp1252", errors="replace"), error.end


codecs.register_error("centinela-windows-1252", _windows_1252)


def _mend_utf8(body: bytes, content_type: str | None) -> bytes | None:
    """`body` with its stray non-UTF-8 bytes read as Windows-1252, or None when it needs no mending."""
    try:
        body.decode("utf-8")
        return None
    except UnicodeDecodeError:
        pass
    if body.startswith(_OTHER_UNICODE_BOMS):
        return None
    header = _CHARSET.search(content_type or "")
    declaration = _XML_ENCODING.match(body[:300])
    declared = header.group(1) if header else declaration.group(1).decode() if declaration else "utf-8"
    if declared.lower() not in _UTF8_NAMES:
        return None  # a document in another code page is feedparser's to decode
    return body.decode("utf-8", errors="centinela-windows-1252").encode("utf-8")


# Entries are read with dict.get on feedparser's canonical keys: FeedParserDict.get goes through its key
# aliases on every call (slow on big feeds) and maps a missing updated_parsed to published_parsed with a
# deprecation warning.
_get = dict.get


def _entry(raw: Any, *, rss: bool) -> ParsedEntry:
    summary = _field(raw, "summary", rss=rss)
    content = _get(raw, "content")
    if summary is None and content:
        first = content[0]
        summary = TextField(str(_get(first, "value") or ""), str(_get(first, "type") or "text/html"))
    language = None
    for detail in ("title_detail", "summary_detail"):
        language = language or _text_or_none(_get(_get(raw, detail) or {}, "language"))
    return ParsedEntry(
        id=_text_or_none(_get(raw, "id")),
        link=_text_or_none(_get(raw, "link")),
        title=_field(raw, "title", rss=rss),
        summary=summary,
        published=_time(_get(raw, "published_parsed") or _get(raw, "created_parsed")),
        updated=_time(_get(raw, "updated_parsed")),
        language=language,
        source=_text_or_none(_get(_get(raw, "source") or {}, "title")),
    )


# RSS items may carry Atom links as well (El País' MRSS feeds put related articles in <atom:link> inside each
# item). feedparser reads them as the entry's links and reports the last one as *the* link, so an item would
# point at another article. For RSS, the item's own <link> element is its link.

def _has_other_links(raw: Any) -> bool:
    return sum(1 for link in _get(raw, "links") or () if _get(link, "rel") == "alternate") > 1


def _rss_item_links(body: bytes) -> list[str | None] | None:
    """Each RSS item's own link (`_own_link`), in document order; None when the document is not well-formed
    XML (feedparser's forgiving parser read it, and its links stand)."""
    links: list[str | None] = []
    try:
        for _, element in ElementTree.iterparse(io.BytesIO(body), events=("end",)):
            if element.tag == "item":
                links.append(_own_link(element))
                element.clear()
    except ElementTree.ParseError:
        return None
    return links


def _own_link(item: ElementTree.Element) -> str | None:
    """An RSS item's <link>, else its <guid> when that is a permalink (RSS's default)."""
    link = item.find("link")
    if link is not None and link.text and link.text.strip():
        return link.text.strip()
    guid = item.find("guid")
    if guid is not None and guid.get("isPermaLink", "true") != "false":
        return _text_or_none(guid.text)
    return None


def _with_own_links(entries: tuple[ParsedEntry, ...], links: list[str | None] | None) -> tuple[ParsedEntry, ...]:
    if links is None or len(links) != len(entries):
        return entries
    return tuple(replace(entry, link=link) for entry, link in zip(entries, links, strict=True))


def _field(raw: Any, name: str, *, rss: bool) -> TextField | None:
    """A title or summary. RSS cannot declare a title plain text and feeds do put escaped HTML in titles, so
    RSS fields are always read as HTML; Atom's declared type (text, html, xhtml) is trusted."""
    value = _get(raw, name)
    if not isinstance(value, str) or not value.strip():
        return None
    kind = str(_get(_get(raw, f"{name}_detail") or {}, "type") or "text/html")
    return TextField(value, "text/html" if rss and kind == "text/plain" else kind)


def _text_or_none(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _time(value: Any) -> tuple[int, ...] | None:
    try:
        return tuple(int(part) for part in value[:6]) if value else None
    except (TypeError, ValueError):
        return None
