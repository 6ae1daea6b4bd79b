"""What every normalised item must satisfy, whatever the feed served: plain, bounded, single-line text that
the formatter's escaping turns into something with no markup at all; an http(s) link; an aware UTC time."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime

from delivery.render import escape
from feeds.normalize import GUID_MAX, SUMMARY_MAX, TITLE_MAX
from model import Item

_TRACKING = re.compile(r"[?&](utm_[a-z]+|fbclid|gclid)=", re.IGNORECASE)


def assert_plain(text: str, limit: int) -> None:
    assert len(text) <= limit, f"{len(text)} characters, over {limit}"
    assert text == " ".join(text.split()), f"whitespace not folded in {text[:80]!r}"
    assert not any(unicodedata.category(char) in ("Cc", "Cs") for char in text), f"control character in {text[:80]!r}"
    assert not {"<", ">"} & set(escape(text)), "the formatter's escaping let markup through"


def assert_item(item: Item, fetched_at: datetime) -> None:
    assert item.title, "every item has a title"
    assert_plain(item.title, TITLE_MAX)
    assert_plain(item.summary, SUMMARY_MAX)
    assert item.link.startswith(("http://", "https://")) and "#" not in item.link, item.link
    assert not _TRACKING.search(item.link), item.link
    assert item.guid and len(item.guid) <= GUID_MAX + len("sha256:") + 64
    assert item.published_at.tzinfo is UTC and item.published_at <= fetched_at
    assert item.fetched_at == fetched_at
    assert item.language is None or re.fullmatch("[a-z]{2}", item.language), item.language  # ISO 639-1
