"""The formatter's output is valid Telegram HTML with every outside text escaped, under 4096 characters."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.format import MAX_MESSAGE, MAX_TITLE, escape, shorten, split_messages, story_block, visible_length
from model import Source, Story
from tests.support.botapi import HtmlParseError, parse_html

WHEN = datetime(2026, 11, 23, 12, 30, tzinfo=UTC)


def story(title: str, *, link: str = "https://elpitazo.net/a", sources: int = 1) -> Story:
    return Story(id=1, title=title, link=link, published_at=WHEN,
                 sources=tuple(Source(f"Outlet {n}", link, title) for n in range(sources)))


def visible(html_text: str) -> str:
    return parse_html(html_text).plain


@pytest.mark.parametrize(
    "title",
    [
        pytest.param("<b>bold</b> claim", id="a tag in a title is shown, not applied"),
        pytest.param("Tom & Jerry &amp; co", id="ampersands and entities stay literal"),
        pytest.param("</a><a href='javascript:alert(1)'>x", id="a closing anchor cannot break out of the link"),
        pytest.param('"quoted" <script>alert(1)</script>', id="scripts are text"),
    ],
)
def test_hostile_titles_are_shown_as_written(title: str) -> None:
    block = story_block(story(title), lang="en", timezone="America/Caracas")
    assert title in visible(block)


def test_a_link_with_quotes_and_ampersands_stays_one_attribute() -> None:
    block = story_block(story("T", link='https://x.org/?a=1&b="2"'), lang="es", timezone="America/Caracas")
    parsed = parse_html(block)
    assert [entity.argument for entity in parsed.entities if entity.kind == "text_link"] == ['https://x.org/?a=1&b="2"']


def test_time_is_shown_in_the_chat_time_zone_and_clustered_sources_are_counted() -> None:
    text = visible(story_block(story("T", sources=3), lang="en", timezone="America/Caracas"))
    assert "23 Nov 08:30" in text  # 12:30 UTC is 08:30 in Caracas
    assert "+2 more sources" in text
    assert "+2 fuentes más" in visible(story_block(story("T", sources=3), lang="es", timezone="America/Caracas"))


def test_a_5000_character_title_is_cut_and_the_message_stays_valid() -> None:
    block = story_block(story("palabra " * 625), lang="es", timezone="America/Caracas")
    assert visible_length(block) < 500
    assert visible(block).count("…") == 1


def test_messages_split_on_block_boundaries_under_the_limit() -> None:
    blocks = [story_block(story(f"Noticia número {n} " + "x" * 250), lang="es", timezone="America/Caracas")
              for n in range(40)]
    messages = split_messages(blocks, header="<b>Resumen</b>")
    assert len(messages) > 1
    for message in messages:
        assert visible_length(message) <= MAX_MESSAGE
        assert message.startswith("<b>Resumen</b>")
        parse_html(message)  # valid Telegram HTML
    joined = "".join(messages)
    assert all(f"Noticia número {n} " in joined for n in range(40))


@settings(max_examples=300, deadline=None)
@given(title=st.text(max_size=6000), feed=st.text(max_size=200), link=st.text(max_size=300))
def test_any_story_text_gives_valid_html_under_the_limit(title: str, feed: str, link: str) -> None:
    item = Story(id=1, title=title, link=link or "https://x.org", published_at=WHEN,
                 sources=(Source(feed, link, title),))
    block = story_block(item, lang="en", timezone="Europe/Madrid")
    try:
        parsed = parse_html(block)
    except HtmlParseError as exc:  # pragma: no cover - the assertion message is the point
        raise AssertionError(f"invalid HTML for title {title!r}: {exc}") from exc
    assert visible_length(block) <= MAX_MESSAGE
    assert shorten(title, MAX_TITLE).strip() in parsed.plain  # the user sees the title as written


def test_escape_is_html_escape_with_quotes() -> None:
    assert escape("<a href=\"x\">&</a>") == "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;"
