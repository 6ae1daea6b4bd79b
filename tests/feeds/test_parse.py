"""feeds.parse: what feedparser makes of a document, and when a document is not a feed at all."""

from __future__ import annotations

import tracemalloc
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from errors import ParseError
from feeds.parse import TextField, parse_feed

URL = "https://feeds.example/feed"


def rss(items: str, *, channel: str = "<title>T</title><link>https://site.example/</link>") -> bytes:
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>{channel}{items}</channel></rss>'.encode()


def test_a_well_formed_feed_has_no_warning_and_ids_are_kept_as_given() -> None:
    parsed = parse_feed(rss("<item><title>A</title><guid>g</guid><link>https://site.example/a</link></item>"),
                        url=URL, content_type="application/rss+xml")
    assert parsed.warning is None and parsed.version == "rss20"
    assert parsed.link == "https://site.example/" and parsed.title == "T"
    entry = parsed.entries[0]
    assert (entry.id, entry.link, entry.title) == ("g", "https://site.example/a", TextField("A", "text/html"))


@pytest.mark.parametrize(("body", "kind"), [
    (b"", "empty"),
    (b"  \n\t ", "empty"),
    (b"<!-- nothing but a comment -->", "empty"),
    (b"<!DOCTYPE html><html><head><title>Hola</title></head><body><p>no feed</p></body></html>", "not_a_feed"),
    (b'{"items": []}', "not_a_feed"),
    (b"<rss version='2.0'><channel><title>cut", "not_a_feed"),
    (b"\x00\xff\xfe binary garbage \x89PNG", "not_a_feed"),
], ids=["zero bytes", "whitespace", "only a comment", "an HTML page", "JSON", "truncated before any entry", "binary"])
def test_a_document_without_a_feed_is_a_parse_error_with_a_kind(body: bytes, kind: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_feed(body, url=URL, content_type="text/html")
    assert caught.value.kind == kind and caught.value.url == URL


def test_a_url_given_as_the_body_is_read_as_bytes_never_fetched() -> None:
    with pytest.raises(ParseError) as caught:
        parse_feed(b"https://example.com/feed.xml", url=URL)
    assert caught.value.kind == "not_a_feed"
    assert "Network" not in caught.value.detail


def test_a_valid_feed_with_no_entries_is_not_an_error_even_without_a_content_type() -> None:
    assert parse_feed(rss(""), url=URL, content_type=None).entries == ()
    assert parse_feed(rss(""), url=URL, content_type="text/html").entries == ()  # a wrong type is only a warning


def test_an_ill_formed_feed_with_entries_is_read_with_a_warning() -> None:
    parsed = parse_feed(rss("<item><title>A & B</title><guid>1</guid></item>"), url=URL, content_type="text/xml")
    assert parsed.warning and "SAXParseException" in parsed.warning
    assert len(parsed.entries) == 1 and parsed.entries[0].id == "1"


def test_a_document_cut_off_mid_entry_keeps_the_complete_entries_only() -> None:
    body = rss("<item><title>Entera</title><guid>1</guid></item><item><title>Cortada por la mi")[:-30]
    parsed = parse_feed(body, url=URL, content_type="application/rss+xml")
    assert [entry.title.value for entry in parsed.entries if entry.title] == ["Entera"]


def test_rss_titles_are_read_as_html_but_atom_text_titles_are_trusted() -> None:
    parsed = parse_feed(rss("<item><title>&lt;b&gt;x&lt;/b&gt; &lt;script&gt;y&lt;/script&gt;</title></item>"),
                        url=URL, content_type="application/rss+xml")
    assert parsed.entries[0].title == TextField("<b>x</b> <script>y</script>", "text/html")
    atom = parse_feed(b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><title type="text">a &lt;b&gt;</title>'
                      b'<id>1</id></entry></feed>', url=URL, content_type="application/atom+xml")
    assert atom.entries[0].title == TextField("a <b>", "text/plain")


def test_atom_content_stands_in_for_a_missing_summary() -> None:
    parsed = parse_feed(b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>t</title><id>1</id>'
                        b'<content type="html">&lt;p&gt;cuerpo&lt;/p&gt;</content></entry></feed>',
                        url=URL, content_type="application/atom+xml")
    assert parsed.entries[0].summary == TextField("<p>cuerpo</p>", "text/html")


def test_dates_are_utc_tuples_and_language_comes_from_the_document() -> None:
    parsed = parse_feed(rss("<item><title>t</title><pubDate>Mon, 23 Nov 2026 08:00:00 -0400</pubDate></item>",
                            channel="<title>T</title><language>es-VE</language>"),
                        url=URL, content_type="application/rss+xml")
    assert parsed.entries[0].published == (2026, 11, 23, 12, 0, 0)
    assert parsed.language == "es-VE"


def test_the_charset_of_the_http_header_is_used() -> None:
    body = '<rss version="2.0"><channel><item><title>Elección en Mérida</title></item></channel></rss>'.encode("latin-1")
    parsed = parse_feed(body, url=URL, content_type="application/rss+xml; charset=iso-8859-1")
    assert parsed.entries[0].title.value == "Elección en Mérida"


# Edge cases written by hand; tests/data/feeds/real/elpais-mrss-brasil-ptbr.xml is the real form.

def test_an_rss_items_own_link_wins_over_the_atom_links_it_carries() -> None:
    items = ('<item><title>A</title><link>https://elpais.com/a.html</link>'
             '<atom:link href="https://elpais.com/related-1.html" title="Otra"/>'
             '<atom:link rel="alternate" href="https://elpais.com/related-2.html"/></item>'
             '<item><title>B</title><guid>https://elpais.com/b.html</guid>'
             '<atom:link href="https://elpais.com/related-3.html"/></item>'
             '<item><title>C</title><guid isPermaLink="false">c-1</guid>'
             '<atom:link href="https://elpais.com/related-4.html"/></item>')
    body = (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">'
            f'<channel><title>El País</title><link>https://elpais.com/</link>{items}</channel></rss>').encode()
    links = [entry.link for entry in parse_feed(body, url=URL).entries]
    assert links == ["https://elpais.com/a.html", "https://elpais.com/b.html", None]


@pytest.mark.parametrize("content_type", ["application/rss+xml; charset=utf-8", None])
def test_one_windows_1252_item_in_a_utf8_feed_leaves_the_others_right(content_type: str | None) -> None:
    good = "<item><title>Ñandú en Mérida</title></item>".encode()
    pasted = "<item><title>Año de elecciones – «sí»</title></item>".encode("cp1252")
    body = rss("").replace(b"</channel>", good + pasted + b"</channel>")
    parsed = parse_feed(body, url=URL, content_type=content_type)
    assert [entry.title.value for entry in parsed.entries if entry.title] == ["Ñandú en Mérida",
                                                                                "Año de elecciones – «sí»"]
    assert parsed.warning is not None and "Windows-1252" in parsed.warning


def test_a_google_news_items_source_is_read() -> None:
    body = rss('<item><title>Titular - El Pitazo</title><link>https://news.google.com/rss/articles/x</link>'
               '<source url="https://elpitazo.net">El Pitazo</source></item>')
    assert parse_feed(body, url=URL).entries[0].source == "El Pitazo"


def _many_entries(count: int) -> bytes:
    """A feed of `count` entries, oldest first (the order some feeds use): entry n is n minutes after midnight
    of 1 Jan 2026."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    items = "".join(f"<item><title>Noticia {number}</title><guid>g{number}</guid>"
                    f"<pubDate>{format_datetime(start + timedelta(minutes=number), usegmt=True)}</pubDate></item>"
                    for number in range(count))
    return rss(items)


def test_a_feed_of_100000_entries_gives_the_newest_300_within_bounded_memory() -> None:
    from feeds.worker import FeedContent, ReadJob, read_feed

    body = _many_entries(100_000)
    assert len(body) > 3_000_000
    tracemalloc.start()
    try:
        content = read_feed(ReadJob(body=body, url=URL, fetched_at=datetime(2027, 1, 1, tzinfo=UTC), max_entries=300))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(content, FeedContent)
    # The document is read only as far as 4 x 300 entries; of those, the 300 newest are taken.
    assert [item.title for item in content.items] == [f"Noticia {number}" for number in range(900, 1200)]
    assert peak < 60_000_000, f"{peak / 1e6:.0f} MB at the peak"  # whole, it took 485 MB (issue 13)


def test_the_cut_keeps_the_document_well_formed() -> None:
    parsed = parse_feed(_many_entries(50), url=URL, max_entries=10)
    assert parsed.warning is None and len(parsed.entries) == 10 and parsed.title == "T"
