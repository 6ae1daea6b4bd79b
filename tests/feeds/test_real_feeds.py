"""Real feed files, as public repositories saved them (tests/data/feeds/real/README.md names each one's
repository, path and commit), through the real path: loopback HTTP, the fetcher, the parse pool.

Each file's <name>.expected.json was written by reading the XML, not from the pipeline's output: for every
item in document order its title, link, the start of its summary, its language and its date. These are the
formats the default sources send (WordPress in Spanish and English with and without Yoast's footer, Google
News, El País' MRSS with related links in every item, the Federal Register, the BBC, Drupal, press releases,
Atom, a feed declared in Portuguese).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urljoin

import pytest

from feeds.fetch import open_fetcher
from feeds.normalize import TITLE_MAX
from feeds.pool import ParsePool
from feeds.worker import FeedContent, ReadJob
from model import FeedForFetch, Scope
from settings import FetchSettings
from tests.support.feedserver import FeedServer
from tests.support.invariants import assert_item

REAL = Path(__file__).resolve().parent.parent / "data" / "feeds" / "real"
CASES = sorted(REAL.glob("*.xml"))
FETCHED = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # after every item of every file


def test_the_corpus_is_real_and_every_file_has_its_source_and_expectation() -> None:
    assert len(CASES) >= 20
    readme = (REAL / "README.md").read_text(encoding="utf-8")
    for case in CASES:
        assert case.name in readme, f"{case.name} has no provenance in README.md"
        assert case.with_suffix(".expected.json").is_file(), f"{case.name} has no .expected.json"


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.stem)
async def test_a_real_feed_is_stored_as_its_xml_says(
        case: Path, feed_server: FeedServer, limits: FetchSettings, parse_pool: ParsePool) -> None:
    # served as XML without a charset, so that the document's own declaration decides, as it would
    url = feed_server.route(f"/{case.name}", case.read_bytes(), headers={"Content-Type": "application/xml"})
    async with open_fetcher(limits) as fetcher:
        result = await fetcher.fetch(FeedForFetch(id=1, url=url, name=case.stem, scope=Scope.VENEZUELA, language=None))
    content = await parse_pool.read(ReadJob(body=result.body, url=result.url, fetched_at=FETCHED,
                                            content_type=result.content_type))
    assert isinstance(content, FeedContent), content
    expected = json.loads(case.with_suffix(".expected.json").read_text(encoding="utf-8"))["items"]
    for item in content.items:
        assert_item(item, FETCHED)
    got = [{"title": item.title, "link": item.link, "summary_start": item.summary[:len(want["summary_start"])],
            "language": item.language,
            "published_at": None if item.published_at == FETCHED else item.published_at.isoformat()}
           for item, want in zip(content.items, expected, strict=False)]
    assert len(content.items) == len(expected)
    for number, (have, want) in enumerate(zip(got, expected, strict=True)):
        # a relative link (static copies of WordPress sites have them) resolves against where the feed was got
        want = {**want, "link": urljoin(url, want["link"])}
        if len(want["title"]) > TITLE_MAX:  # a title over the limit is cut at a word, with an ellipsis
            assert have["title"].endswith("…") and want["title"].startswith(have["title"][:-1])
            want["title"] = have["title"]
        assert have == want, f"item {number}"
