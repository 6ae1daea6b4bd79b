"""Every file of feedparser's own test suite (tests/data/feedparser-tests, BSD-2-Clause, see its LICENSE) goes
through parsing and normalisation without an exception, and whatever comes out obeys the item invariants.
The sanitize/ files carry hostile HTML (scripts, event handlers, javascript: links) in titles and
summaries: none of it may survive in the text."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from errors import ParseError
from feeds.normalize import context_for, to_items
from feeds.parse import parse_feed
from tests.support.feedserver import fixture_headers
from tests.support.invariants import assert_item

CORPUS = Path(__file__).resolve().parent.parent / "data" / "feedparser-tests"
FILES = sorted(CORPUS.rglob("*.xml"))
FETCHED = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
HOSTILE = re.compile(r"<\s*/?\s*[a-z]|javascript:|vbscript:|\bon[a-z]+\s*=|alert\(|expression\(", re.IGNORECASE)


def test_the_corpus_is_all_there() -> None:
    assert (CORPUS / "LICENSE").is_file()
    assert len(FILES) > 1700


@pytest.mark.parametrize("path", FILES, ids=lambda path: str(path.relative_to(CORPUS)))
def test_a_corpus_file_normalises_without_an_exception(path: Path) -> None:
    body = path.read_bytes()
    headers = {name.lower(): value for name, value in fixture_headers(body)}
    url = "http://127.0.0.1:8097/" + path.name
    try:
        parsed = parse_feed(body, url=url, content_type=headers.get("content-type"),
                            content_language=headers.get("content-language"))
    except ParseError as exc:
        assert exc.kind in ("empty", "not_a_feed")
        return
    items, skipped = to_items(parsed, context_for(parsed, url=url, configured=None), fetched_at=FETCHED)
    assert skipped >= 0
    for item in items:
        assert_item(item, FETCHED)
        if "sanitize" in path.parts:
            for text in (item.title, item.summary):
                assert not HOSTILE.search(text), f"hostile markup survived: {text[:120]!r}"
