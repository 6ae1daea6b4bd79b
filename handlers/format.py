"""The only place that produces Telegram HTML.

Every string that came from a feed or a user goes through `escape`; messages are split on block
boundaries so that none exceeds Telegram's 4096-character limit. Pure: no I/O, time zones are passed in.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.texts import text
from model import Lang, Story

MAX_MESSAGE = 4096
MAX_TITLE = 300


def escape(value: str) -> str:
    """Plain text -> text safe inside Telegram HTML (escapes <, >, & and quotes)."""
    return html.escape(value, quote=True)


def visible_length(html_text: str) -> int:
    """Length of what Telegram counts: the text after entity parsing, in UTF-16 code units."""
    plain = html.unescape(_strip_tags(html_text))
    return len(plain.encode("utf-16-le")) // 2


def _strip_tags(html_text: str) -> str:
    out, inside = [], False
    for char in html_text:
        if char == "<":
            inside = True
        elif char == ">" and inside:
            inside = False
        elif not inside:
            out.append(char)
    return "".join(out)


def shorten(value: str, limit: int) -> str:
    """Cut plain text to at most `limit` characters, on a word boundary where one is near, with an ellipsis."""
    value = " ".join(value.split())
    if len(value) <= limit:
        return value
    cut = value[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-") + "…"


def local_time(moment: datetime, timezone: str, lang: Lang) -> str:
    """'23/11 08:05' (es) or '23 Nov 08:05' (en), in the chat's time zone."""
    local = moment.astimezone(ZoneInfo(timezone))
    if lang == "es":
        return local.strftime("%d/%m %H:%M")
    return local.strftime("%d %b %H:%M")


def story_block(story: Story, *, lang: Lang, timezone: str, prefix: str = "") -> str:
    """One story: optional prefix line, bold linked title, first source, local time, '+N more sources'."""
    title = escape(shorten(story.title, MAX_TITLE))
    link = escape(story.link)
    first = story.sources[0].feed_name if story.sources else ""
    meta = " · ".join(part for part in (
        escape(first),
        local_time(story.published_at, timezone, lang),
        text(lang, "story.sources_more", count=len(story.sources) - 1) if len(story.sources) > 1 else "",
    ) if part)
    lines = [prefix] if prefix else []
    lines.append(f'<b><a href="{link}">{title}</a></b>')
    if meta:
        lines.append(f"<i>{meta}</i>")
    return "\n".join(lines)


def split_messages(blocks: Iterable[str], *, header: str = "", separator: str = "\n\n",
                   limit: int = MAX_MESSAGE) -> list[str]:
    """Join blocks into as few messages as fit under `limit`, never splitting a block.

    A block that alone exceeds the limit would be a formatter bug (titles are capped), so it raises.
    """
    messages: list[str] = []
    current = header
    for block in blocks:
        if visible_length(block) + visible_length(header) + len(separator) > limit:
            raise ValueError("a single block is longer than a Telegram message")
        candidate = f"{current}{separator}{block}" if current else block
        if visible_length(candidate) > limit:
            messages.append(current)
            candidate = f"{header}{separator}{block}" if header else block
        current = candidate
    if current and current != header:
        messages.append(current)
    return messages


def join_lines(lines: Sequence[str]) -> str:
    return "\n".join(line for line in lines if line)
