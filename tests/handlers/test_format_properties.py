"""Property-based tests of every message the bot pushes (alerts, bundles, digests, /latest): whatever text a
story, an outlet, a topic name or a keyword phrase carries, the message is valid Telegram HTML of at most
4096 characters, and that text shows as written, never as markup.

(`tests/handlers/test_format.py` has the same property for a single story block.)
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from delivery.render import (
    MAX_MESSAGE,
    Alert,
    DigestSection,
    alert_block,
    alert_bundle,
    digest_messages,
    visible_length,
)
from handlers.format import latest_messages
from model import Localized, Source, Story, Topic
from tests.support.botapi import HtmlParseError, ParsedText, parse_html

WHEN = datetime(2026, 11, 23, 12, 30, tzinfo=UTC)
CHECKS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# The formatter's own markup: bold headings and titles, the title's link, the italic source line.
OWN_ENTITIES = {"bold", "italic", "text_link"}

HOSTILE = st.one_of(
    st.text(max_size=400),
    st.lists(st.sampled_from(["<b>", "</a>", "<a href='javascript:alert(1)'>", "&amp;", "&", '"', "<", ">",
                              "<tg-spoiler>", "<pre>", "\n", " ", "Sanciones", "🇻🇪", "\ud83d"]),
             max_size=60).map("".join),
)
LINKS = st.one_of(st.just("https://elpitazo.net/a?x=1&y=2"), st.text(max_size=200),
                  st.just('javascript:alert("x")'), st.just('https://x.org/"><b>'))


@st.composite
def stories(draw: st.DrawFn) -> Story:
    title = draw(HOSTILE.filter(str.strip))
    link = draw(LINKS)
    outlets = draw(st.lists(HOSTILE, min_size=1, max_size=4))
    return Story(id=draw(st.integers(1, 10**9)), title=title, link=link, published_at=WHEN,
                 sources=tuple(Source(outlet, link, title) for outlet in outlets))


def checked(message: str) -> ParsedText:
    """`message` parsed as Telegram would, failing the test if it is invalid, too long or carries markup
    that is not the formatter's own."""
    try:
        parsed = parse_html(message)
    except HtmlParseError as exc:  # pragma: no cover - the message is the point
        raise AssertionError(f"invalid Telegram HTML ({exc}): {message[:300]!r}") from exc
    assert visible_length(message) <= MAX_MESSAGE
    assert {entity.kind for entity in parsed.entities} <= OWN_ENTITIES, parsed.entities
    return parsed


def links_of(parsed: ParsedText) -> list[str]:
    return [entity.argument for entity in parsed.entities if entity.kind == "text_link"]


def encodable(value: str) -> str:
    """`value` with each lone surrogate (which has no UTF-8 form) as U+FFFD, as the formatter sends it."""
    return re.sub("[\ud800-\udfff]", "\ufffd", value)


def as_shown(value: str) -> str:
    """What a user sees of a text: encodable, with its whitespace folded."""
    return " ".join(encodable(value).split())


@CHECKS
@given(story=stories(), topics=st.lists(HOSTILE, max_size=3), phrases=st.lists(HOSTILE, max_size=3),
       lang=st.sampled_from(["es", "en"]))
def test_an_alert_is_valid_html_that_shows_every_text_as_written(story: Story, topics: list[str], phrases: list[str],
                                                                  lang: str) -> None:
    parsed = checked(alert_block(Alert(story, tuple(topics), tuple(phrases)), lang=lang,  # type: ignore[arg-type]
                                 timezone="America/Caracas"))
    assert links_of(parsed) == [encodable(story.link)], "the story's link is the only link, exactly as given"
    shown = as_shown(parsed.plain)
    for name in topics:
        assert as_shown(name) in shown


@settings(CHECKS, max_examples=50)
@given(alerts=st.lists(st.builds(Alert, stories(), st.lists(HOSTILE, max_size=2).map(tuple),
                                 st.lists(HOSTILE, max_size=2).map(tuple)), min_size=6, max_size=40),
       lang=st.sampled_from(["es", "en"]))
def test_a_bundle_is_valid_html_under_the_limit_and_carries_every_alert_once(alerts: list[Alert], lang: str) -> None:
    packed = alert_bundle(alerts, lang=lang, timezone="Europe/Madrid")  # type: ignore[arg-type]
    carried = [index for _, members in packed for index in members]
    assert sorted(carried) == list(range(len(alerts)))  # grouped by topic: in order within a group
    for message, members in packed:
        assert links_of(checked(message)) == [encodable(alerts[index].story.link) for index in members]


@settings(CHECKS, max_examples=40)
@given(sections=st.lists(st.tuples(st.lists(stories(), min_size=1, max_size=10), HOSTILE, st.booleans(),
                                   st.integers(0, 50)), min_size=1, max_size=6),
       lang=st.sampled_from(["es", "en"]))
def test_a_digest_is_valid_html_under_the_limit_with_every_story(
        sections: list[tuple[list[Story], str, bool, int]], lang: str) -> None:
    digest = [DigestSection(stories=tuple(found), topic_name=label if is_topic else None,
                            phrase=None if is_topic else label, more=more)
              for found, label, is_topic, more in sections]
    messages = digest_messages(digest, lang=lang, timezone="America/Caracas", day=date(2026, 11, 23))  # type: ignore[arg-type]
    links = [link for message in messages for link in links_of(checked(message))]
    assert links == [encodable(story.link) for section in digest for story in section.stories]


@CHECKS
@given(found=st.lists(stories(), max_size=20), name=HOSTILE.filter(str.strip))
def test_latest_is_valid_html_under_the_limit(found: list[Story], name: str) -> None:
    topics = (Topic(id="t", name=Localized(name, name), description=Localized("d", "d"), terms_es=("x",),
                    terms_en=("x",)),)
    messages = latest_messages(found, ["t"], topics, lang="es", timezone="UTC", capped=False, maximum=20)
    for message in messages:
        assert as_shown(name) in as_shown(checked(message).plain)
