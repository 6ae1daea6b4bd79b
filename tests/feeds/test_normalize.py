"""feeds.normalize, rule by rule: plain text, canonical links, UTC times, language, identity."""

from __future__ import annotations

import sys
import unicodedata
from datetime import UTC, datetime, timedelta

import pytest

from feeds.normalize import (
    INVISIBLE_PLANES,
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
    ("https://t.me@evil.example/login", "https://evil.example/login"),
    ("https://user:secret@example.com/a", "https://example.com/a"),
    ("javascript:alert(1)", None),
    ("mailto:redaccion@example.com", None),
    ("ftp://example.com/a", None),
    ("http://[::1", None),
    ("", None),
], ids=["scheme and host lower-cased, path kept", "default port dropped", "other port kept", "empty path is /",
        "fragment dropped", "utm_* dropped", "click ids dropped", "case-insensitive, other parameters kept",
        "encoding kept", "relative to the site", "relative to the feed", "whitespace removed",
        "user info dropped: the host is what the link says", "credentials dropped",
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
                                                ("en", "en"), ("pt-BR", "pt"), ("", None), (None, None),
                                                ("x-klingon", None), ("español", None)])
def test_language_codes_are_reduced_to_their_two_letter_code(code: str | None, language: str | None) -> None:
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


# Edge cases written by hand (the real feeds of tests/data/feeds/real/ cover the common forms).

@pytest.mark.parametrize("footer", [
    "La entrada <a href='https://x.example/a'>Título</a> se publicó primero en <a href='https://x.example'>X</a>.",
    "La publicación Título apareció primero en X.",
    "La entrada Título aparece primero en Huellas y Sabores.",
    "El cargo Título apareció primero en Equicaribe.",
    "The post Título first appeared on X.",
], ids=["yoast es", "yoast es (publicación)", "aparece", "el cargo (es-CO)", "rank math"])
def test_spanish_and_other_wordpress_footers_are_not_part_of_the_summary(footer: str) -> None:
    item = to_item(entry(summary=TextField(f"<p>El CNE fijó la fecha.</p><p>{footer}</p>")), CONTEXT,
                   fetched_at=FETCHED)
    assert item is not None and item.summary == "El CNE fijó la fecha."


@pytest.mark.parametrize("cut", ["[…]", "[&#8230;]", "[...]"])
def test_an_excerpt_cut_short_loses_its_bracketed_ellipsis(cut: str) -> None:
    item = to_item(entry(summary=TextField(f"<p>La oposición pidió garantías {cut}</p>")), CONTEXT, fetched_at=FETCHED)
    assert item is not None and item.summary == "La oposición pidió garantías"


@pytest.mark.parametrize("hidden", ["\u061c", "\U000e0041\U000e007f", "\u180e", "\u115f", "\u200b", "\u2060",
                                    "\u202e", "\u2066", "\ufeff", "\u00ad", "\x07", "\x9b", "\ud800"],
                         ids=["arabic letter mark", "tag characters", "mongolian vowel separator", "hangul filler",
                              "zero width space", "word joiner", "right-to-left override", "isolate", "bom",
                              "soft hyphen", "bell", "csi", "lone surrogate"])
def test_invisible_and_direction_changing_characters_never_reach_a_chat(hidden: str) -> None:
    assert plain_text(f"Maduro{hidden} y{hidden}<{hidden}b>la oposición", markup=True, limit=300) == "Maduro yla oposición"


def test_every_control_and_format_character_is_in_the_planes_the_filter_reads() -> None:
    outside = [point for point in range(sys.maxunicode + 1) if point >> 16 not in INVISIBLE_PLANES
               and unicodedata.category(chr(point)) in ("Cc", "Cf", "Cs")]
    assert outside == []


@pytest.mark.parametrize(("garbled", "text"), [
    ("AdemÃ¡s, la regiÃ£o", "Además, la região"),
    ("CrÃ\xadticas", "Críticas"),  # í: its second byte, 0xAD, reads as a soft hyphen
    ("itâ€™s â€œdemocracyâ€\x9d", "it’s “democracy”"),
    ("SÃO PAULO, Ñandú, niño, ¿qué?", "SÃO PAULO, Ñandú, niño, ¿qué?"),  # real text is left alone
])
def test_utf8_read_as_latin1_or_windows1252_upstream_is_mended(garbled: str, text: str) -> None:
    assert plain_text(garbled, markup=True, limit=300) == text


def test_a_google_news_item_is_the_outlets_headline_credited_to_the_outlet() -> None:
    multi = TextField('<ol><li><a href="https://news.google.com/rss/articles/1">Otra nota sobre sanciones</a>'
                      '&nbsp;<font color="#6f6f6f">El Pitazo</font></li><li>...</li></ol>')
    item = to_item(ParsedEntry(id="g1", link="https://news.google.com/rss/articles/CBMi?oc=5",
                               title=TextField("EE.UU. sanciona a ocho funcionarios - Efecto Cocuyo"), summary=multi,
                               source="Efecto Cocuyo"), CONTEXT, fetched_at=FETCHED)
    assert item is not None
    assert (item.title, item.summary, item.outlet) == ("EE.UU. sanciona a ocho funcionarios", "", "Efecto Cocuyo")
    dash_in_title = to_item(ParsedEntry(id="g2", link="https://news.google.com/rss/articles/x", title=TextField(
        "Maduro - Machado: el pulso - BBC"), summary=None, source="El País"), CONTEXT, fetched_at=FETCHED)
    assert dash_in_title is not None and dash_in_title.title == "Maduro - Machado: el pulso - BBC"  # not its source


def test_a_declared_language_is_kept_even_when_the_topics_have_no_terms_in_it() -> None:
    portuguese = FeedContext(CONTEXT.url, CONTEXT.home, language=None, feed_language=language_code("pt-BR"))
    item = to_item(entry(title=TextField("Eleições na Venezuela: oposição denuncia fraude")), portuguese,
                   fetched_at=FETCHED)
    assert item is not None and item.language == "pt"
