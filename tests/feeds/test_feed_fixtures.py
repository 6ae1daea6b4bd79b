"""Every self-describing fixture in tests/data/feeds goes through the real path (loopback HTTP with the
fixture's `Header:` lines, the fetcher, the parse pool) and must give exactly its sidecar
<case>.expected.json: the normalised items, or the kind of error. Adding a case means adding two files."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from feeds.fetch import open_fetcher
from feeds.pool import ParsePool
from feeds.worker import FeedContent, ReadFailure, ReadJob
from model import FeedForFetch, Scope
from settings import FetchSettings
from tests.support.feedserver import FeedServer, fixture_description
from tests.support.invariants import assert_item

CASES = sorted((Path(__file__).resolve().parent.parent / "data" / "feeds").glob("*.xml"))
FETCHED = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def test_every_case_describes_itself_and_has_its_expectation() -> None:
    assert len(CASES) >= 10
    for case in CASES:
        assert fixture_description(case.read_bytes()), f"{case.name} has no Description: line"
        assert case.with_suffix(".expected.json").is_file(), f"{case.name} has no .expected.json"


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.stem)
async def test_a_fixture_normalises_to_its_expected_items(
        case: Path, feed_server: FeedServer, limits: FetchSettings, parse_pool: ParsePool) -> None:
    url = feed_server.serve_file(f"/{case.name}", case)
    async with open_fetcher(limits) as fetcher:
        result = await fetcher.fetch(FeedForFetch(id=1, url=url, name=case.stem, scope=Scope.VENEZUELA, language=None))
    content = await parse_pool.read(ReadJob(body=result.body, url=result.url, fetched_at=FETCHED,
                                            content_type=result.content_type))
    expected = json.loads(case.with_suffix(".expected.json").read_text(encoding="utf-8"))
    if "error" in expected:
        assert isinstance(content, ReadFailure) and content.kind == expected["error"]
        return
    assert isinstance(content, FeedContent), content
    for item in content.items:
        assert_item(item, FETCHED)
    assert (content.warning is not None) == expected["warning"], content.warning
    got = [{"guid": item.guid, "link": item.link, "title": item.title, "summary": item.summary,
            "language": item.language, "published_at": item.published_at.isoformat()} for item in content.items]
    assert got == expected["items"]
