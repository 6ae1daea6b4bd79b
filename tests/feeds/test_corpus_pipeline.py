"""feedparser's whole test corpus (tests/data/feedparser-tests, BSD-2-Clause), 1,769 documents, served as
1,769 feeds from a loopback HTTP server and ingested in one cycle by the real pipeline: the fetcher, the
parse processes, normalisation, clustering, the shipped classifier, SQLite.

- no exception escapes, and no feed fails for a reason other than "this is not a feed";
- every stored title and summary is plain text (bounded, one line, no tag, no control character);
- every story from a sanitize/ case, formatted as the bot would send it (an alert, a bundle, the digest,
  /latest), is valid Telegram HTML whose only markup is the formatter's own, with http(s) links only.

(test_feedparser_corpus.py runs the same files through parse and normalise alone, one by one.)
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from delivery.render import Alert, DigestSection, alert_block, alert_bundle, digest_messages
from feeds.classify import compile_classifier
from feeds.fetch import open_fetcher
from feeds.ingest import IngestDeps, register_config_feeds, run_cycle
from feeds.normalize import SUMMARY_MAX, TITLE_MAX
from feeds.pool import ParsePool
from handlers.format import latest_messages
from model import FeedFetchStatus, FeedSpec, Localized, Scope, Source, Story, Topic
from settings import FetchSettings, Settings
from storage import stories as story_store
from storage.engine import Database
from storage.tables import feeds, item_topics, items, stories
from tests.support.botapi import ParsedText, parse_html
from tests.support.clock import FakeClock
from tests.support.feedserver import FeedServer, fixture_headers
from tests.support.invariants import assert_plain

CORPUS = Path(__file__).resolve().parent.parent / "data" / "feedparser-tests"
FILES = sorted(CORPUS.rglob("*.xml"))
# Markup or script that must not survive as text either (test_feedparser_corpus.py uses the same rule).
HOSTILE = re.compile(r"<\s*/?\s*[a-z]|javascript:|vbscript:|\bon[a-z]+\s*=|alert\(|expression\(", re.IGNORECASE)
OWN_MARKUP = {"bold", "italic", "text_link"}
TOPIC = Topic(id="t", name=Localized("Tema <b>", "Topic <b>"), description=Localized("d", "d"), terms_es=("x",),
              terms_en=("x",))


def classify_with(settings: Settings):  # type: ignore[no-untyped-def]
    classifier = compile_classifier(settings.topics, settings.classifier)
    return lambda item, scope: dict(classifier.classify(item.title, item.summary, scope).matches)


def checked(message: str) -> ParsedText:
    """Valid Telegram HTML, no markup but the formatter's, and only web links."""
    parsed = parse_html(message)
    assert {entity.kind for entity in parsed.entities} <= OWN_MARKUP, (parsed.entities, message[:300])
    for entity in parsed.entities:
        if entity.kind == "text_link":
            assert entity.argument.startswith(("http://", "https://")), entity.argument
    return parsed


async def test_the_whole_corpus_through_the_real_pipeline(database: Database, feed_server: FeedServer,
                                                          clock: FakeClock, limits: FetchSettings,
                                                          parse_pool: ParsePool, settings: Settings) -> None:
    specs = []
    for number, path in enumerate(FILES):
        relative = str(path.relative_to(CORPUS))
        declared = {name.lower() for name, _ in fixture_headers(path.read_bytes())}
        # Without a declared type, one that lets the document's own encoding declaration decide.
        extra = {} if "content-type" in declared else {"Content-Type": "application/xml"}
        url = feed_server.serve_file(f"/corpus/{number}", path, headers=extra)
        specs.append(FeedSpec(url=url, name=relative, scope=Scope.WORLD if number % 2 else Scope.VENEZUELA))
    await register_config_feeds(database, specs, now=clock())

    fetch_limits = dataclasses.replace(limits, concurrency=16)
    async with open_fetcher(fetch_limits) as fetcher:
        deps = IngestDeps(database=database, fetcher=fetcher, pool=parse_pool, limits=fetch_limits,
                          interval=timedelta(minutes=15), classify=classify_with(settings))
        report = await run_cycle(deps, now=clock())

    # No exception escaped: every feed has a report, and none failed for a reason of ours.
    assert len(report.feeds) == len(FILES)
    failures = Counter(feed.error_kind for feed in report.failed)
    assert set(failures) <= {"not_a_feed", "empty"}, {
        feed.name: (feed.error_kind, feed.error_detail) for feed in report.failed
        if feed.error_kind not in ("not_a_feed", "empty")}
    # (1,757 documents are read; their 1,199 entries give 482 items: the rest have neither title nor summary)
    assert report.count(FeedFetchStatus.FETCHED) > 1_700 and report.new_items > 450

    async with database.transaction() as session:
        rows = (await session.execute(select(items.c.title, items.c.summary, items.c.story_id, feeds.c.name)
                                      .join(feeds, feeds.c.id == items.c.feed_id))).all()
        story_ids = sorted({row.story_id for row in rows})
        found = await story_store.stories_by_id(session, story_ids)
        orphans = (await session.execute(select(stories.c.id).where(~stories.c.id.in_(select(items.c.story_id))))).all()
        topics = (await session.execute(select(item_topics.c.topic).distinct())).scalars().all()
    assert len(rows) == report.new_items and not orphans
    assert set(topics) <= set(settings.topic_ids())

    # Every stored title and summary is plain text; from the sanitize/ cases, not even a trace of script.
    for row in rows:
        assert row.title
        assert_plain(row.title, TITLE_MAX)
        assert_plain(row.summary, SUMMARY_MAX)
        if "/sanitize/" in f"/{row.name}":
            for text in (row.title, row.summary):
                assert not HOSTILE.search(text), f"{row.name}: {text[:120]!r}"

    # Every sanitize/ story as the bot would send it: valid HTML, only the formatter's markup.
    sanitized = sorted({row.story_id for row in rows if row.name.startswith("wellformed/sanitize/")})
    assert len(sanitized) > 170  # (190: most sanitize/ cases are markup with no text left in it)
    assert_messages_are_clean([found[story_id] for story_id in sanitized])


def assert_messages_are_clean(found: Sequence[Story]) -> None:
    for story in found:
        for lang in ("es", "en"):
            block = alert_block(Alert(story, ("Sanciones",), ("<b>frase</b>",)), lang=lang, timezone="America/Caracas")
            parsed = checked(block)
            # exactly the formatter's entities: the bold label, the bold linked title, the italic source line
            assert sorted(entity.kind for entity in parsed.entities) == ["bold", "bold", "italic", "text_link"]
            assert [e.argument for e in parsed.entities if e.kind == "text_link"] == [story.link]
            assert " ".join(story.title.split())[:50] in " ".join(parsed.plain.split())
    alerts = [Alert(story, ("Sanciones",)) for story in found]
    for message, _ in alert_bundle(alerts, lang="es", timezone="America/Caracas"):
        checked(message)
    sections = [DigestSection(stories=tuple(found[start:start + 10]), topic_name="Tema") for start in
                range(0, len(found), 10)]
    for message in digest_messages(sections, lang="en", timezone="Europe/Madrid", day=date(2026, 11, 23)):
        checked(message)
    for message in latest_messages(found[:20], ["t"], (TOPIC,), lang="es", timezone="UTC", capped=True, maximum=20):
        checked(message)


def test_even_a_story_still_in_markup_would_show_it_as_text() -> None:
    """Normalisation never lets markup into a story, but if it did, the formatter would still show it as
    text: the checks above hold for a story made of hostile markup."""
    story = Story(id=1, title='<a href="javascript:x">t</a> <b>b</b> &amp;', link="https://x.example/a?b=<i>&c",
                  published_at=datetime(2026, 11, 23, tzinfo=UTC),
                  sources=(Source('<i onclick="x()">Outlet</i>', "https://x.example", "t"),))
    assert_messages_are_clean([story])
