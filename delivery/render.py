"""Alert, bundle and digest messages: the Telegram HTML that delivery pushes to chats.

Every string that came from a feed or a user goes through `escape`; messages are packed on block
boundaries so that none exceeds Telegram's 4096-character limit. What these messages say, in both languages,
is `TEXTS`; the command replies' catalogue (`handlers.texts`) includes it. Topic names are rendered here
only (`topic_names`). Pure: no I/O, time zones are passed in.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from model import Button, Keyboard, Lang, Story, Topic
from text import shorten

TEXTS: dict[Lang, dict[str, str]] = {
    "es": {
        "story.sources_more": "+{count} fuentes más",
        "story.source_more": "+1 fuente más",
        "story.matched_phrase": "Alerta: «{phrase}»",
        "alert.keyword": "Alerta por palabra clave",
        "alert.bundle": "🔔 <b>{count} alertas nuevas</b>",
        "digest.title": "📰 <b>Resumen diario · {day}</b>",
        "digest.more": "(+{count} más)",
        "digest.more_topic": "…y {count} más: /latest {topic}",
        "feedback.button": "👎 No es de {topic}",
        "feedback.button_story": "👎 No es de {topic}: {title}",
    },
    "en": {
        "story.sources_more": "+{count} more sources",
        "story.source_more": "+1 more source",
        "story.matched_phrase": "Alert: “{phrase}”",
        "alert.keyword": "Keyword alert",
        "alert.bundle": "🔔 <b>{count} new alerts</b>",
        "digest.title": "📰 <b>Daily digest · {day}</b>",
        "digest.more": "(+{count} more)",
        "digest.more_topic": "…and {count} more: /latest {topic}",
        "feedback.button": "👎 Not about {topic}",
        "feedback.button_story": "👎 Not about {topic}: {title}",
    },
}


def pushed_text(lang: Lang | str, key: str, **args: object) -> str:
    """The template `key` of `TEXTS` in `lang` (English when the chat's language is not Spanish), filled."""
    return TEXTS["es" if lang == "es" else "en"][key].format(**args)


def named_topics(topic_ids: Iterable[str], topics: Sequence[Topic], lang: Lang) -> tuple[tuple[str, str], ...]:
    """Topic ids -> (id, name in `lang`), each once, in the configured order; an id no longer configured is
    named as itself, after the others."""
    by_id = {topic.id: topic for topic in topics}
    wanted = list(dict.fromkeys(topic_ids))
    ordered = [topic.id for topic in topics if topic.id in wanted] + [id_ for id_ in wanted if id_ not in by_id]
    return tuple((id_, by_id[id_].name.get(lang) if id_ in by_id else id_) for id_ in ordered)


def topic_names(topic_ids: Iterable[str], topics: Sequence[Topic], lang: Lang) -> tuple[str, ...]:
    """Topic ids -> their names in `lang` (plain text), as `named_topics` orders them."""
    return tuple(name for _, name in named_topics(topic_ids, topics, lang))


MAX_MESSAGE = 4096
MAX_TITLE = 300
MAX_SOURCES = 8  # outlets named under a story; the rest are counted
MAX_SOURCE_NAME = 60
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def escape(value: str) -> str:
    """Plain text -> text safe inside Telegram HTML (escapes <, >, & and quotes). A lone surrogate, which
    no message can carry (it has no UTF-8 form), becomes U+FFFD instead of failing the whole message."""
    return html.escape(_LONE_SURROGATE.sub("\ufffd", value), quote=True)


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



def local_time(moment: datetime, timezone: str, lang: Lang) -> str:
    """'23/11 08:05' (es) or '23 Nov 08:05' (en), in the chat's time zone."""
    local = moment.astimezone(ZoneInfo(timezone))
    if lang == "es":
        return local.strftime("%d/%m %H:%M")
    return local.strftime("%d %b %H:%M")


def more_sources(count: int, lang: Lang) -> str:
    """'+1 more source', '+3 more sources', or nothing for a story with one source."""
    if count <= 0:
        return ""
    if count == 1:
        return pushed_text(lang, "story.source_more")
    return pushed_text(lang, "story.sources_more", count=count)


def _headline(story: Story, lang: Lang) -> tuple[str, str]:
    """The title and link to show a chat: the first report in the chat's language when the story has one
    (a Spanish and an English report of one event are one story), else the story's own."""
    if story.language != lang:
        for source in story.sources:
            if source.language == lang:
                return source.title, source.link
    return story.title, story.link


def _source_names(story: Story) -> list[str]:
    """Every outlet that reported the story, each once, first report first."""
    return list(dict.fromkeys(source.feed_name for source in story.sources))


def story_block(story: Story, *, lang: Lang, timezone: str, prefix: str = "") -> str:
    """One story: optional prefix line, bold linked title (in the chat's language when a report is), every
    source (past MAX_SOURCES, '+N more sources'), local time."""
    title, link = _headline(story, lang)
    names = _source_names(story)
    meta = " · ".join(part for part in (
        ", ".join(escape(shorten(name, MAX_SOURCE_NAME)) for name in names[:MAX_SOURCES]),
        local_time(story.published_at, timezone, lang),
        more_sources(len(names) - MAX_SOURCES, lang),
    ) if part)
    title, link = escape(shorten(title, MAX_TITLE)), escape(link)
    lines = [prefix] if prefix else []
    lines.append(f'<b><a href="{link}">{title}</a></b>')
    if meta:
        lines.append(f"<i>{meta}</i>")
    return "\n".join(lines)


def split_messages(blocks: Iterable[str], *, header: str = "", separator: str = "\n\n",
                   limit: int = MAX_MESSAGE) -> list[str]:
    """Join blocks into as few messages as fit under `limit`, never splitting a block (`pack_messages`
    without the indices)."""
    return [message for message, _ in pack_messages(list(blocks), header=header, separator=separator, limit=limit)]


# ---------------------------------------------------------------------------------------------------
# Alerts and digests

BUNDLE_ABOVE = 5
"""More alerts than this pending for one chat at once go out as one bundled message."""

MAX_PHRASE = 100


@dataclass(frozen=True, slots=True)
class Alert:
    """One story for one chat and why: its topics' names in the chat's language, and the keyword
    phrases that matched."""

    story: Story
    topic_names: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DigestSection:
    """One group of a digest: a topic (by its name in the chat's language) or a keyword phrase."""

    stories: tuple[Story, ...]
    topic_name: str | None = None
    phrase: str | None = None
    more: int = 0  # stories of this group left out by the per-group cap
    topic_id: str | None = None  # for "and N more: /latest <topic>"


def alert_block(alert: Alert, *, lang: Lang, timezone: str, bell: str = "🔔 ", heading: bool = True) -> str:
    """Topic label(s) or 'Keyword alert', the story (title, source, local time, +N more sources, link),
    then the phrase(s) that matched. `bell` starts the label line (a bundle has one bell, in its header, and
    a label only above the first story of each group: `heading`)."""
    if not heading:
        label = ""
    elif alert.topic_names:
        label = bell + "<b>" + " · ".join(escape(name) for name in alert.topic_names) + "</b>"
    else:
        label = bell + "<b>" + pushed_text(lang, "alert.keyword") + "</b>"
    lines = [story_block(alert.story, lang=lang, timezone=timezone, prefix=label)]
    lines.extend(pushed_text(lang, "story.matched_phrase", phrase=escape(shorten(phrase, MAX_PHRASE)))
                 for phrase in alert.phrases)
    return "\n".join(lines)


def alert_bundle(alerts: Sequence[Alert], *, lang: Lang, timezone: str,
                 limit: int = MAX_MESSAGE) -> list[tuple[str, tuple[int, ...]]]:
    """Several alerts as one message (more if they do not fit), with the indices of the alerts each
    message carries, so that the sender can record each message's deliveries as it goes."""
    header = pushed_text(lang, "alert.bundle", count=len(alerts))
    groups: dict[tuple[str, ...], list[int]] = {}  # the heading's topic names (none: keyword) -> alerts, in order
    for index, alert in enumerate(alerts):
        groups.setdefault(alert.topic_names, []).append(index)
    order = [index for members in groups.values() for index in members]
    blocks = [alert_block(alerts[index], lang=lang, timezone=timezone, bell="▸ ", heading=members[0] == index)
              for members in groups.values() for index in members]
    return [(message, tuple(order[position] for position in positions))
            for message, positions in pack_messages(blocks, header=header, limit=limit)]


# ---------------------------------------------------------------------------------------------------
# Readers' feedback: the "not about <topic>" buttons under alerts

FEEDBACK_PREFIX = "nt"
"""Callback data of a feedback button: ``nt:<story id>:<topic id>``. A topic id is at most 32 ASCII
characters (settings) and a story id at most 10 digits (`MAX_STORY_ID`), so the data stays within Telegram's
64 bytes."""
MAX_BUTTONS = 100  # Telegram's limit on the buttons of one message
MAX_STORY_ID = 2**31 - 1  # stories.id is a 32-bit integer: a larger id in a button is no story
BUTTON_TITLE = 40  # characters of a story's title in a bundle's button


def feedback_data(story_id: int, topic: str) -> str:
    return f"{FEEDBACK_PREFIX}:{story_id}:{topic}"


def parse_feedback_data(data: str | None) -> tuple[int, str] | None:
    """(story id, topic id) from a feedback button's data; None for data that is not a feedback button's."""
    parts = (data or "").split(":")
    if len(parts) != 3 or parts[0] != FEEDBACK_PREFIX or not parts[1].isascii() or not parts[1].isdigit():
        return None
    if int(parts[1]) > MAX_STORY_ID:
        return None
    return int(parts[1]), parts[2]


def feedback_keyboard(entries: Sequence[tuple[Story, Sequence[tuple[str, str]]]], *, lang: Lang) -> Keyboard:
    """The "not about <topic>" buttons of one message, from (story, its (topic id, name) pairs) in the order
    the message shows them: under a single alert one button per topic, in one row; under a bundle one row per
    story and topic, naming the story by its shortened title. A story alerted by keyword alone has none."""
    if len(entries) == 1:
        story, named = entries[0]
        row = tuple(Button(pushed_text(lang, "feedback.button", topic=name), feedback_data(story.id, topic_id))
                    for topic_id, name in named)
        return (row,) if row else ()
    rows = [(Button(pushed_text(lang, "feedback.button_story", topic=name, title=shorten(story.title, BUTTON_TITLE)),
                    feedback_data(story.id, topic_id)),)
            for story, named in entries for topic_id, name in named]
    return tuple(rows[:MAX_BUTTONS])


def pack_messages(blocks: Sequence[str], *, header: str = "", separator: str = "\n\n",
                  limit: int = MAX_MESSAGE) -> list[tuple[str, tuple[int, ...]]]:
    """Join blocks into as few messages as fit under `limit`, never splitting a block, and say which
    blocks (by index) went into each message.

    A block that alone exceeds the limit would be a formatter bug (titles are capped), so it raises.
    """
    packed: list[tuple[str, tuple[int, ...]]] = []
    current, members = header, list[int]()
    for index, block in enumerate(blocks):
        if visible_length(block) + visible_length(header) + len(separator) > limit:
            raise ValueError("a single block is longer than a Telegram message")
        candidate = f"{current}{separator}{block}" if current else block
        if members and visible_length(candidate) > limit:
            packed.append((current, tuple(members)))
            candidate, members = (f"{header}{separator}{block}" if header else block), []
        current = candidate
        members.append(index)
    if members:
        packed.append((current, tuple(members)))
    return packed


def day_label(day: date, lang: Lang) -> str:
    """'23/11/2026' (es) or '23 Nov 2026' (en)."""
    return day.strftime("%d/%m/%Y") if lang == "es" else day.strftime("%d %b %Y")


def digest_messages(sections: Sequence[DigestSection], *, lang: Lang, timezone: str, day: date,
                    limit: int = MAX_MESSAGE) -> list[str]:
    """The daily digest: a title, then each group's stories under its heading; split on story
    boundaries so that no message passes `limit`. No stories, no messages."""
    blocks = []
    for section in sections:
        if section.topic_name is not None:
            heading = f"<b>▸ {escape(section.topic_name)}</b>"
        else:
            heading = "<b>▸ " + pushed_text(lang, "story.matched_phrase",
                                     phrase=escape(shorten(section.phrase or "", MAX_PHRASE))) + "</b>"
        for position, story in enumerate(section.stories):
            block = story_block(story, lang=lang, timezone=timezone, prefix=heading if position == 0 else "")
            if section.more and position == len(section.stories) - 1:
                block += "\n" + (pushed_text(lang, "digest.more_topic", count=section.more, topic=section.topic_id)
                                 if section.topic_id else pushed_text(lang, "digest.more", count=section.more))
            blocks.append(block)
    if not blocks:
        return []
    return split_messages(blocks, header=pushed_text(lang, "digest.title", day=day_label(day, lang)), limit=limit)


_ANCHOR = re.compile(r'<a href="([^"]*)">(.*?)</a>', re.DOTALL)


def as_plain_text(html_text: str, limit: int = MAX_MESSAGE) -> str:
    """What a message says without markup, links written out: the fallback when Telegram refuses the
    HTML. Cut to `limit` UTF-16 code units."""
    with_links = _ANCHOR.sub(lambda match: f"{match.group(2)} ({match.group(1)})", html_text)
    plain = html.unescape(_strip_tags(with_links))
    if visible_length(escape(plain)) <= limit:
        return plain
    units = plain.encode("utf-16-le")[: (limit - 1) * 2]
    return units.decode("utf-16-le", errors="ignore") + "…"
