"""feeds.normalize, rule by rule: plain text, canonical links, UTC times, language, identity."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from feeds.normalize import (
    SUMMARY_MAX,
    TITLE_MAX,
    FeedContext,
    canonical_link,
    detect_language,
    identity,
    language_code,
    plain_text,
    published_time,
    to_item,
)
from feeds.parse import ParsedEntry, TextField

FETCHED = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
CONTEXT = FeedContext(url="https://site.example/feed/", home="https://site.example/", language=None,
                      feed_language=None)


@pytest.mark.parametrize(("markup", "text"), [
    ("<p>Hola <b>mundo</b></p>", "Hola mundo"),
    ("uno<br>dos<p>tres</p>cuatro<li>cinco", "uno dos tres cuatro cinco"),
    ("a<script>alert(1)</script>b", "a b"),
    ("a<SCRIPT type='text/javascript'>x='</script>'</SCRIPT>b", "a 'b"),
    ("<style>p { color: red }</style>visible", "visible"),
    ("antes<script>nunca cerrado", "antes"),
    ("&lt;b&gt;negrita&lt;/b&gt;", "<b>negrita</b>"),
    ("&amp;lt;i&amp;gt;", "&lt;i&gt;"),
    ("Caf&eacute; &amp; pan&nbsp;dulce &#8220;rico&#8221; &#x2014; ya", "Café & pan dulce “rico” — ya"),
    ('<img src=x onerror="alert(1)">foto <a href="javascript:alert(2)" onclick="x()">enlace</a>', "foto enlace"),
    ('<a title="a > b">texto</a>', "texto"),
    ("<!-- <script>alert(1)</script> -->visible", "visible"),
    ("fin <img src=x onerror=alert(1)", "fin"),
    ("a < b y c > d", "a < b y c > d"),
    ("  muchos \n\n espacios\t y\r\nlíneas  ", "muchos espacios y líneas"),
    ("control\x00\x07\x1b[31m chars\x7f\x85", "control[31m chars"),
    ("bidi \u202eesrever\u202c zero\u200bwidth \ufeffbom soft\u00adhyphen", "bidi esrever zerowidth bom softhyphen"),
], ids=["tags removed", "block tags separate words", "script content dropped", "script with a quoted end tag",
        "style content dropped", "unclosed script drops the rest", "escaped tags become literal text",
        "double escaping decodes once", "entities decoded", "event handlers and javascript links dropped",
        "quoted > inside an attribute", "comments dropped", "a tag cut off at the end is dropped",
        "lone brackets are text", "whitespace folded", "control characters removed",
        "bidi overrides and invisible characters removed"])
def test_markup_becomes_plain_text(markup: str, text: str) -> None:
    assert plain_text(markup, markup=True, limit=500) == text


def test_a_plain_text_field_keeps_its_brackets_literally() -> None:
    assert plain_text("Why <blink> &amp; co", markup=False, limit=100) == "Why <blink> &amp; co"


@pytest.mark.parametrize("limit", [10, 50, TITLE_MAX])
def test_text_is_capped_with_an_ellipsis_on_a_word_boundary(limit: int) -> None:
    text = plain_text("palabra " * 1000, markup=True, limit=limit)
    assert len(text) <= limit and text.endswith("…") and not text.endswith(" …")


@pytest.mark.parametrize(("link", "canonical"), [
    ("HTTPS://WWW.Example.COM/Path/A?x=1", "https://www.example.com/Path/A?x=1"),
    ("https://example.com:443/a", "https://example.com/a"),
    ("http://example.com:8080/a", "http://example.com:8080/a"),
    ("https://example.com", "https://example.com/"),
    ("https://example.com/a#comments", "https://example.com/a"),
    ("https://example.com/a?utm_source=rss&utm_medium=feed&id=7", "https://example.com/a?id=7"),
    ("https://example.com/a?fbclid=IwAR0&gclid=x&mc_cid=1&_hsenc=2", "https://example.com/a"),
    ("https://example.com/a?UTM_Campaign=x&p=1&amp;ref=home", "https://example.com/a?p=1&amp;ref=home"),
    ("https://example.com/a?q=caf%C3%A9&page=2", "https://example.com/a?q=caf%C3%A9&page=2"),
    ("/politica/nota-1/", "https://site.example/politica/nota-1/"),
    ("nota-2", "https://site.example/feed/nota-2"),
    ("  https://example.com/\n  wrapped  ", "https://example.com/wrapped"),
    ("javascript:alert(1)", None),
    ("mailto:redaccion@example.com", None),
    ("ftp://example.com/a", None),
    ("http://[::1", None),
    ("", None),
], ids=["scheme and host lower-cased, path kept", "default port dropped", "other port kept", "empty path is /",
        "fragment dropped", "utm_* dropped", "click ids dropped", "case-insensitive, other parameters kept",
        "encoding kept", "relative to the site", "relative to the feed", "whitespace removed",
        "javascript refused", "mailto refused", "ftp refused", "malformed refused", "empty"])
def test_canonical_link(link: str, canonical: str | None) -> None:
    assert canonical_link(link, "https://site.example/feed/") == canonical


def entry(**fields: object) -> ParsedEntry:
    values: dict[str, object] = {"id": None, "link": None, "title": TextField("Título"), "summary": None}
    values.update(fields)
    return ParsedEntry(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(("published", "updated", "expected"), [
    ((2026, 11, 23, 10, 0, 0), None, datetime(2026, 11, 23, 10, 0, tzinfo=UTC)),
    (None, (2026, 11, 22, 9, 30, 0), datetime(2026, 11, 22, 9, 30, tzinfo=UTC)),
    ((2026, 11, 21, 8, 0, 0), (2026, 11, 22, 8, 0, 0), datetime(2026, 11, 21, 8, 0, tzinfo=UTC)),
    (None, None, FETCHED),
    ((2027, 1, 1, 0, 0, 0), None, FETCHED),
    ((2026, 11, 23, 12, 1, 0), None, FETCHED),
    ((1970, 1, 1, 0, 0, 0), None, FETCHED),
    ((2026, 2, 31, 0, 0, 0), None, FETCHED),
    ((0, 0, 0, 0, 0, 0), (2026, 11, 20, 0, 0, 0), datetime(2026, 11, 20, tzinfo=UTC)),
], ids=["published", "updated when not published", "published wins", "no date: fetch time",
        "future: fetch time", "a minute ahead: fetch time", "1970 placeholder: fetch time",
        "impossible date: fetch time", "bad published falls back to updated"])
def test_publication_time_is_aware_utc_and_never_after_the_fetch(
        published: tuple[int, ...] | None, updated: tuple[int, ...] | None, expected: datetime) -> None:
    moment = published_time(entry(published=published, updated=updated), FETCHED)
    assert moment == expected and moment.tzinfo is UTC


@pytest.mark.parametrize(("text", "language"), [
    ("El CNE anunció la fecha de las elecciones regionales", "es"),
    ("Maduro y la oposición retoman el diálogo", "es"),
    ("The opposition called for a march in Caracas on Saturday", "en"),
    ("US Treasury sanctions officials over the election", "en"),
    ("Maduro", None),
    ("", None),
], ids=["spanish", "spanish by accents", "english", "english headline", "a name says nothing", "empty"])
def test_language_is_detected_cheaply(text: str, language: str | None) -> None:
    assert detect_language(text) == language


@pytest.mark.parametrize(("code", "language"), [("es-VE", "es"), ("ES", "es"), ("es-419", "es"), ("en_US", "en"),
                                                ("en", "en"), ("pt-BR", None), ("", None), (None, None)])
def test_language_codes_are_reduced_to_es_or_en(code: str | None, language: str | None) -> None:
    assert language_code(code) == language


def test_identity_prefers_the_guid_then_the_link_then_a_hash_of_title_and_link() -> None:
    assert identity("  urn:x  ", "https://a/", "t") == "urn:x"
    assert identity(None, "https://a/", "t") == "https://a/"
    hashed = identity(None, None, "Título")
    assert hashed.startswith("sha256:") and hashed == identity("", None, "Título") != identity(None, None, "Otro")
    assert identity("x" * 5000, None, "t").startswith("sha256:")


def test_configured_language_wins_over_the_entry_then_the_feed_then_detection() -> None:
    spanish_text = entry(title=TextField("The elections of the CNE"), language="es")
    assert to_item(spanish_text, CONTEXT, fetched_at=FETCHED).language == "es"  # type: ignore[union-attr]
    configured = FeedContext(CONTEXT.url, CONTEXT.home, language="en", feed_language="es")
    assert to_item(entry(language="es"), configured, fetched_at=FETCHED).language == "en"  # type: ignore[union-attr]
    from_feed = FeedContext(CONTEXT.url, CONTEXT.home, language=None, feed_language="en")
    assert to_item(entry(title=TextField("Elecciones en el país")), from_feed,
                   fetched_at=FETCHED).language == "en"  # type: ignore[union-attr]
    assert to_item(entry(title=TextField("Elecciones en el país")), CONTEXT,
                   fetched_at=FETCHED).language == "es"  # type: ignore[union-attr]


def test_an_entry_without_a_title_takes_the_start_of_its_summary() -> None:
    item = to_item(entry(title=None, summary=TextField("<p>" + "Texto largo del resumen. " * 20 + "</p>")),
                   CONTEXT, fetched_at=FETCHED)
    assert item is not None and item.title.startswith("Texto largo del resumen.") and len(item.title) <= 140
    assert len(item.summary) <= SUMMARY_MAX


def test_an_entry_with_neither_title_nor_summary_is_skipped() -> None:
    assert to_item(entry(title=None, summary=TextField("  <p> </p> ")), CONTEXT, fetched_at=FETCHED) is None


def test_an_entry_without_a_link_points_to_the_outlet_and_is_identified_by_its_title() -> None:
    item = to_item(entry(title=TextField("Sin enlace")), CONTEXT, fetched_at=FETCHED)
    assert item is not None and item.link == "https://site.example/" and item.guid.startswith("sha256:")


def test_an_item_is_fetched_now_and_published_before() -> None:
    item = to_item(entry(published=(2026, 11, 23, 9, 0, 0)), CONTEXT, fetched_at=FETCHED)
    assert item is not None and item.fetched_at == FETCHED and item.published_at == FETCHED - timedelta(hours=3)


def test_the_wordpress_footer_is_not_part_of_the_summary() -> None:
    summary = TextField('<p>Texto.</p><p>The post <a href="https://x.example/a">Título</a> appeared first on '
                        '<a href="https://x.example">X</a>.</p>')
    item = to_item(entry(summary=summary), CONTEXT, fetched_at=FETCHED)
    assert item is not None and item.summary == "Texto."
