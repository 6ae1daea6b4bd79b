"""The replies of the commands, as Telegram HTML, built from the catalogue in `handlers.texts`; handlers
only send. The pieces shared with pushed messages (escaping, story blocks, splitting, topic names) are
`delivery.render`'s. Pure: no I/O, time zones are passed in.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from delivery.render import MAX_TITLE, escape, local_time, named_topics, split_messages, story_block, topic_names
from handlers.args import AlertRemove, Offer, SubscribeOffer, offer_data
from handlers.texts import ADMIN_COMMANDS, COMMANDS, has_text, text
from model import (
    Button,
    Chat,
    ChatMode,
    DeliveryStatus,
    FeedStatus,
    FlaggedStory,
    Keyboard,
    KeywordAlert,
    Lang,
    Stats,
    Story,
    Topic,
    TopicFeedback,
)
from text import shorten

# ---------------------------------------------------------------------------------------------------
# Command replies. Each takes plain values and returns HTML; every argument is escaped on the way in.


def join_lines(lines: Sequence[str]) -> str:
    return "\n".join(line for line in lines if line)


def say(lang: Lang, key: str, **args: object) -> str:
    """The catalogue text `key`, with every string argument escaped (numbers are left as they are)."""
    return text(lang, key, **{name: escape(value) if isinstance(value, str) else value
                              for name, value in args.items()})


def usage(lang: Lang, command: str, detail_key: str | None = None,
          detail_args: Mapping[str, object] | None = None) -> str:
    """What a wrong argument is answered with: what was wrong (when known), the usage line and an example."""
    lines = []
    if detail_key and has_text(detail_key):
        lines.append(say(lang, detail_key, **dict(detail_args or {})))
    if has_text(f"{command}.usage"):
        lines.append(say(lang, "common.usage", usage=text(lang, f"{command}.usage"),
                         example=text(lang, f"{command}.example")))
    return join_lines(lines) or text(lang, "common.unknown_command")


def topic_list(topic_ids: Iterable[str], topics: Sequence[Topic], lang: Lang) -> str:
    """'Sanciones, CNE y elecciones' (escaped), in the configured order; unknown ids by id; 'ninguno' if empty."""
    names = [escape(name) for name in topic_names(topic_ids, topics, lang)]
    return text(lang, "common.list_separator").join(names) if names else text(lang, "common.none")


def start_message(lang: Lang) -> str:
    return text(lang, "start.greeting")


def help_message(lang: Lang, *, admin: bool = False) -> str:
    """Every command with an example; the bot's administrators also get the admin commands."""
    def lines_for(commands: Sequence[str]) -> list[str]:
        return [say(lang, "help.line", example=text(lang, f"{command}.example"),
                    description=text(lang, f"menu.{command}")) for command in commands]

    lines = [text(lang, "help.header"), *lines_for(COMMANDS)]
    if admin:
        lines += [text(lang, "help.admin_header"), *lines_for(ADMIN_COMMANDS)]
    lines.append(text(lang, "help.footer"))
    return "\n\n".join(lines)


def command_menu(lang: Lang, commands: Sequence[str] = COMMANDS) -> list[tuple[str, str]]:
    """(command, description) pairs for setMyCommands: plain text, not HTML."""
    return [(command, text(lang, f"menu.{command}")) for command in commands]


def topics_message(topics: Sequence[Topic], followed: Collection[str], lang: Lang) -> str:
    """Every topic with its one-line description and whether the chat follows it."""
    lines = [text(lang, "topics.header")]
    lines += [say(lang, "topics.line", mark="✅" if topic.id in followed else "▫️", name=topic.name.get(lang),
                  id=topic.id, description=topic.description.get(lang)) for topic in topics]
    lines.append(text(lang, "topics.footer"))
    return "\n\n".join(lines)


def topic_keyboard(topics: Sequence[Topic], followed: Collection[str], lang: Lang, *, view: str,
                   data: Callable[[str, str], str]) -> Keyboard:
    """One toggle button per topic, two to a row; `data(view, topic_id)` builds each button's callback data."""
    buttons = [Button(text(lang, "topics.button_on" if topic.id in followed else "topics.button_off",
                           name=topic.name.get(lang)), data(view, topic.id)) for topic in topics]
    return tuple(tuple(buttons[index:index + 2]) for index in range(0, len(buttons), 2))


def offer_keyboard(offer: Offer | None, topics: Sequence[Topic], lang: Lang) -> Keyboard | None:
    """The one button under the reply to plain text: follow the topics it named, or make it an alert."""
    if offer is None:
        return None
    if isinstance(offer, SubscribeOffer):
        label = text(lang, "plain.subscribe", topics=", ".join(topic_names(offer.topics, topics, lang)))
    else:
        label = text(lang, "plain.alert", phrase=offer.phrase)
    return ((Button(label, offer_data(offer)),),)


def following(followed: Collection[str], topics: Sequence[Topic], lang: Lang) -> str:
    if not followed:
        return text(lang, "subscribe.following_none")
    return text(lang, "subscribe.following", topics=topic_list(followed, topics, lang))


def subscribed(added: Collection[str], already: Collection[str], followed: Collection[str],
               topics: Sequence[Topic], lang: Lang) -> str:
    return join_lines([
        text(lang, "subscribe.added", topics=topic_list(added, topics, lang)) if added else "",
        text(lang, "subscribe.already", topics=topic_list(already, topics, lang)) if already else "",
        following(followed, topics, lang),
    ])


def unsubscribed(removed: Collection[str], not_followed: Collection[str], followed: Collection[str],
                 topics: Sequence[Topic], lang: Lang, *, everything: bool = False, alert_count: int = 0) -> str:
    if everything:
        return join_lines([text(lang, "unsubscribe.all"), text(lang, "unsubscribe.alerts_remain") if alert_count else ""])
    return join_lines([
        text(lang, "unsubscribe.removed", topics=topic_list(removed, topics, lang)) if removed else "",
        text(lang, "unsubscribe.not_following", topics=topic_list(not_followed, topics, lang)) if not_followed else "",
        following(followed, topics, lang),
    ])


def story_list(stories: Sequence[Story], *, header: str, lang: Lang, timezone: str,
               note: str = "") -> list[str]:
    """A header and story blocks, split into as few messages as fit; `note` goes under the header."""
    head = join_lines([header, note])
    return split_messages((story_block(story, lang=lang, timezone=timezone) for story in stories), header=head)


def latest_messages(stories: Sequence[Story], topic_ids: Collection[str], topics: Sequence[Topic], *,
                    lang: Lang, timezone: str, capped: bool, maximum: int) -> list[str]:
    """The reply to /latest: the stories newest first, or a line saying there are none."""
    names = topic_list(topic_ids, topics, lang)
    note = text(lang, "latest.capped", max=maximum) if capped else ""
    if not stories:
        return [join_lines([text(lang, "latest.empty", topics=names), note])]
    return story_list(stories, header=text(lang, "latest.header", topics=names), lang=lang, timezone=timezone,
                      note=note)


MAX_SHARED_SOURCES = 5


def source_names(story: Story, lang: Lang) -> str:
    """'Sources: A, B, C and 2 more' (plain text): each outlet once, first report first."""
    names = list(dict.fromkeys(source.feed_name for source in story.sources))
    shown = text(lang, "common.list_separator").join(names[:MAX_SHARED_SOURCES])
    if len(names) > MAX_SHARED_SOURCES:
        shown += " " + text(lang, "inline.sources_more", count=len(names) - MAX_SHARED_SOURCES)
    return text(lang, "inline.sources", sources=shown) if names else ""


def shared_story(story: Story, lang: Lang) -> str:
    """The message an inline result posts: bold title, its sources, its link (HTML)."""
    return join_lines([f"<b>{escape(shorten(story.title, MAX_TITLE))}</b>", escape(source_names(story, lang)),
                       escape(story.link)])


def inline_description(story: Story, *, lang: Lang, timezone: str) -> str:
    """The grey line under an inline result's title (plain text): when, and who reported it."""
    return " · ".join(part for part in (local_time(story.published_at, timezone, lang), source_names(story, lang))
                      if part)


def digest_now_empty(topic_ids: Collection[str], topics: Sequence[Topic], *, since: datetime, lang: Lang,
                     timezone: str) -> str:
    """The reply to /digest now when there is nothing to send."""
    if not topic_ids:
        return text(lang, "digest.now_no_topics")
    return text(lang, "digest.now_empty", topics=topic_list(topic_ids, topics, lang),
                since=local_time(since, timezone, lang))


def alerts_message(alerts: Sequence[KeywordAlert], lang: Lang, *, maximum: int) -> str:
    """The numbered list that /alert remove NUMBER refers to, and a reminder of the syntax."""
    if not alerts:
        return join_lines([text(lang, "alerts.empty"), text(lang, "alerts.syntax")])
    lines = [text(lang, "alerts.header", count=len(alerts), max=maximum)]
    lines += [say(lang, "alerts.line", number=number, phrase=alert.shown)
              for number, alert in enumerate(alerts, start=1)]
    return "\n".join(lines) + "\n\n" + text(lang, "alerts.syntax")


def hhmm(value: time) -> str:
    return f"{value:%H:%M}"


def digest_set(chat: Chat) -> str:
    if chat.digest_time is None:
        return digest_off(chat)
    return say(chat.language, "digest.set", time=hhmm(chat.digest_time), timezone=chat.timezone)


def digest_off(chat: Chat) -> str:
    lines = [text(chat.language, "digest.off")]
    if chat.mode is ChatMode.DIGEST:
        lines.append(text(chat.language, "digest.silent_warning"))
    return join_lines(lines)


def mode_set(chat: Chat) -> str:
    if chat.mode is ChatMode.INSTANT:
        return text(chat.language, "mode.instant")
    if chat.digest_time is None:
        return text(chat.language, "mode.digest_off")
    return text(chat.language, "mode.digest", time=hhmm(chat.digest_time))


def timezone_set(chat: Chat, now: datetime) -> str:
    return say(chat.language, "timezone.set", timezone=chat.timezone,
               now=local_time(now, chat.timezone, chat.language))


def quiet_hours(chat: Chat, key_on: str, key_silent: str) -> str | None:
    """The chat's quiet hours in words (`key_on` or `key_silent` filled with start and end), None without any."""
    if chat.quiet is None:
        return None
    return say(chat.language, key_silent if chat.quiet.silent else key_on, start=hhmm(chat.quiet.start),
               end=hhmm(chat.quiet.end), timezone=chat.timezone)


def quiet_set(chat: Chat) -> str:
    return quiet_hours(chat, "quiet.set", "quiet.set_silent") or text(chat.language, "quiet.off")


def settings_message(chat: Chat, followed: Collection[str], alert_count: int, topics: Sequence[Topic], *,
                     forum_topic: bool = False) -> str:
    """Everything a chat (or a forum topic with settings of its own) has set, in its language."""
    lang = chat.language
    return text(
        lang, "settings.body", title=text(lang, "settings.title_topic" if forum_topic else "settings.title"),
        language=text(lang, "language.name"),
        timezone=escape(chat.timezone),
        digest=hhmm(chat.digest_time) if chat.digest_time else text(lang, "settings.digest_off"),
        mode=text(lang, f"mode.name_{chat.mode.value}"),
        quiet=quiet_hours(chat, "settings.quiet", "settings.quiet_silent") or text(lang, "common.none"),
        topics=topic_list(followed, topics, lang),
        alerts=alert_count,
        state=text(lang, "settings.active" if chat.active else "settings.stopped"),
    )


def alert_removed(removed: KeywordAlert | None, remaining: Sequence[KeywordAlert], request: AlertRemove,
                  lang: Lang, *, maximum: int) -> str:
    """'Alert removed', or what was not found followed by the list to pick from."""
    if removed is not None:
        return say(lang, "alert.removed", phrase=removed.shown)
    if request.number is not None:
        missing = say(lang, "alert.bad_number", number=request.number)
    else:
        missing = say(lang, "alert.not_found", phrase=request.raw or request.phrase or "")
    return missing + "\n\n" + alerts_message(remaining, lang, maximum=maximum)


# ---------------------------------------------------------------------------------------------------
# Admin commands: /feeds, /feed add|remove, /stats

MAX_FEED_NAME = 80
MAX_HOST = 100
MAX_ERROR_DETAIL = 120
_REDIRECT_KINDS = frozenset({"redirect_loop", "too_many_redirects", "bad_redirect"})


def url_host(url: str) -> str:
    """The host of a feed's address, which is what /feeds shows of it (cut: config URLs have no cap)."""
    try:
        host = urlsplit(url).hostname or url
    except ValueError:
        host = url
    return shorten(host, MAX_HOST)


def feed_block(feed: FeedStatus, *, lang: Lang, timezone: str) -> str:
    """One feed for /feeds: its number (for /feed remove), name, host, scope, origin and health."""
    if feed.consecutive_failures:
        mark = "⚠️"
        when = local_time(feed.last_error_at, timezone, lang) if feed.last_error_at else ""
        health = say(lang, "feeds.failing" if feed.consecutive_failures > 1 else "feeds.failed_once",
                     failures=feed.consecutive_failures, kind=feed.last_error_kind or "?", when=when).rstrip()
        if feed.last_error_detail:
            health += " " + say(lang, "feeds.error_detail", detail=shorten(feed.last_error_detail, MAX_ERROR_DETAIL))
        if feed.last_success_at:
            health += " · " + text(lang, "feeds.ok", when=local_time(feed.last_success_at, timezone, lang))
    elif feed.last_success_at:
        mark, health = "✅", text(lang, "feeds.ok", when=local_time(feed.last_success_at, timezone, lang))
    else:
        mark, health = "⏳", text(lang, "feeds.never")
    return text(lang, "feeds.line", id=feed.id, mark=mark, name=escape(shorten(feed.name, MAX_FEED_NAME)),
                host=escape(url_host(feed.url)), scope=escape(feed.scope.value),
                origin=text(lang, f"feeds.origin_{feed.origin.value}"), health=health)


def feeds_message(feeds: Sequence[FeedStatus], *, lang: Lang, timezone: str) -> list[str]:
    """The reply to /feeds: every active feed by number, split into as few messages as fit."""
    active = sorted((feed for feed in feeds if feed.active), key=lambda feed: feed.id)
    if not active:
        return [text(lang, "feeds.empty")]
    header = text(lang, "feeds.header", count=len(active),
                  failing=sum(1 for feed in active if feed.consecutive_failures))
    return split_messages((feed_block(feed, lang=lang, timezone=timezone) for feed in active), header=header)


def _named(lang: Lang, key: str, feed: FeedStatus, **args: object) -> str:
    return say(lang, key, id=feed.id, name=shorten(feed.name, MAX_FEED_NAME), **args)


def feed_added(feed: FeedStatus, entries: int, lang: Lang) -> str:
    count = (text(lang, "feed.no_entries") if entries == 0 else text(lang, "feed.entry") if entries == 1
             else text(lang, "feed.entries", count=entries))
    return _named(lang, "feed.added", feed, host=url_host(feed.url), scope=feed.scope.value, entries=count)


def feed_known(feed: FeedStatus, lang: Lang) -> str:
    return _named(lang, "feed.known", feed)


def feed_refused(kind: str, detail: str, lang: Lang) -> str:
    """Why /feed add stored nothing, in words, then the error kind and its detail as the fetcher gave them."""
    if kind.startswith("http_") and kind[5:].isdigit():
        reason = text(lang, "feed.refused_http", status=kind[5:])
    elif kind in _REDIRECT_KINDS:
        reason = text(lang, "feed.refused_redirect")
    elif kind != "http" and has_text(f"feed.refused_{kind}"):
        reason = text(lang, f"feed.refused_{kind}")
    else:
        reason = text(lang, "feed.refused_other")
    return text(lang, "feed.refused", reason=reason, kind=escape(kind),
                detail=escape(shorten(detail, MAX_ERROR_DETAIL)))


def feed_removed(feed: FeedStatus, lang: Lang) -> str:
    return _named(lang, "feed.removed", feed)


def feed_not_found(feed_id: int, lang: Lang) -> str:
    return text(lang, "feed.not_found", id=feed_id)


def feed_from_config(feed: FeedStatus, lang: Lang) -> str:
    return _named(lang, "feed.config_feed", feed)


def stats_message(stats: Stats, topics: Sequence[Topic], *, lang: Lang, timezone: str,
                  feedback: Sequence[TopicFeedback], feedback_days: int) -> str:
    """The reply to /stats: chats, subscriptions per topic, news of the last 24 hours, feeds, deliveries,
    then per topic the alerts of the last `feedback_days` days and how many readers flagged."""
    counts = dict(stats.subscriptions)
    per_topic = [(topic.name.get(lang), counts.pop(topic.id, 0)) for topic in topics]
    per_topic += sorted(counts.items())  # topics no longer in config.toml, by id
    names = dict(named_topics([row.topic for row in feedback], topics, lang))
    flagged = " · ".join(say(lang, "stats.feedback_topic", name=names[row.topic], flagged=row.flagged, sent=row.sent,
                             share=text(lang, "stats.feedback_share", percent=_percent(row.flagged, row.sent, lang))
                             if row.sent else "")
                         for row in feedback) or text(lang, "common.none")
    return text(
        lang, "stats.body",
        chats=stats.chats_active,
        forum_topics=text(lang, "stats.forum_topics", count=stats.forum_topics_active) if stats.forum_topics_active
        else "",
        subscriptions=" · ".join(say(lang, "stats.topic", name=name, count=count) for name, count in per_topic)
        or text(lang, "common.none"),
        items_today=stats.items_today, items_total=stats.items_total,
        feeds_ok=stats.feeds_ok, feeds_failing=stats.feeds_failing,
        last_fetch=local_time(stats.last_fetch_at, timezone, lang) if stats.last_fetch_at
        else text(lang, "stats.never"),
        pending=stats.deliveries_with(DeliveryStatus.PENDING), failed=stats.deliveries_with(DeliveryStatus.FAILED),
        sent=stats.deliveries_with(DeliveryStatus.SENT),
    ) + "\n" + text(lang, "stats.feedback", days=feedback_days, topics=flagged)


def _percent(part: int, whole: int, lang: Lang) -> str:
    """'8.3' (en) or '8,3' (es): one decimal, so that one alert in a thousand still shows."""
    value = f"{100 * part / whole:.1f}"
    return value.replace(".", ",") if lang == "es" else value


def period_days(since: datetime, until: datetime, *, timezone: str) -> tuple[date, date]:
    """The first and last local days of [since, until)."""
    zone = ZoneInfo(timezone)
    return since.astimezone(zone).date(), (until - timedelta(microseconds=1)).astimezone(zone).date()


def flagged_jsonl(found: Sequence[FlaggedStory]) -> str:
    """The flagged stories as JSON Lines in the labelled-eval format of tests/data/eval (`incoming/`): the
    story's text, source and link, its topics without the ones readers flagged (a proposal), and a note that
    says where it came from and that it needs review."""
    lines = []
    for item in found:
        story = item.story
        said = "; ".join(f"{topic} ({chats} {'chat' if chats == 1 else 'chats'})" for topic, chats in item.flags)
        lines.append(json.dumps({
            "id": f"feedback-{story.id}",
            "lang": story.language,
            "title": story.title,
            "summary": story.summary,
            "source": story.sources[0].feed_name if story.sources else "",
            "ref": story.link,
            "date": story.published_at.date().isoformat(),
            "topics": [topic for topic in story.topics if topic not in item.flagged_topics],
            "hard": True,
            "note": (f"from readers' feedback: not about {said}; the classifier said "
                     f"{', '.join(story.topics) or 'none'}; topics are a proposal, needs review"),
        }, ensure_ascii=False))
    return "".join(line + "\n" for line in lines)
