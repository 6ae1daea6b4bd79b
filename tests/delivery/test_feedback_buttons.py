"""The "not about <topic>" buttons as plain data: their callback data stays within Telegram's 64 bytes for
the longest topic id settings allow and the largest story id, reads back as it was written, and anything else
reads as no feedback button at all."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from delivery.render import MAX_STORY_ID, feedback_data, feedback_keyboard, parse_feedback_data
from model import Button, Story

LONGEST_TOPIC = "t" + "_" * 31  # settings: ^[a-z][a-z0-9_]{0,31}$


def test_the_data_of_the_largest_story_and_longest_topic_fits_in_64_bytes() -> None:
    data = feedback_data(MAX_STORY_ID, LONGEST_TOPIC)
    assert len(data.encode("utf-8")) <= 64
    assert parse_feedback_data(data) == (MAX_STORY_ID, LONGEST_TOPIC)


@pytest.mark.parametrize("data", [None, "", "nt", "nt:12", "nt:12:a:b", "topic:list:sanctions", "nt:-1:cne",
                                  "nt:１２:cne", "nt:2147483648:cne", "nt::cne"])
def test_other_data_is_not_a_feedback_button(data: str | None) -> None:
    assert parse_feedback_data(data) is None


def test_a_story_alerted_by_keyword_alone_gets_no_button() -> None:
    story = Story(id=3, title="Concentración en Petare", link="https://x.example/1",
                  published_at=datetime(2026, 11, 23, tzinfo=UTC))
    assert feedback_keyboard([(story, ())], lang="es") == ()
    assert feedback_keyboard([(story, (("cne", "CNE"),))], lang="en") == (
        (Button("👎 Not about CNE", "nt:3:cne"),),)
