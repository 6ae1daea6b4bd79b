"""Loads `config.toml` once into one frozen `Settings` object, validated against a declared schema.

Every key is declared below with its type, default and check, so an unknown key, a wrong type or a bad
value stops start-up with one line that names the key and the problem (`feeds[3].url: empty`).
Secrets never live here: the bot token comes from the environment, read by `bot.py`.
Imports: stdlib, `model` and `errors` only.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from errors import ConfigError
from model import LANGS, ChatMode, FeedSpec, Localized, Scope, Topic

# ---------------------------------------------------------------------------------------------------
# Settings objects: each function receives only the slice it needs.


@dataclass(frozen=True, slots=True)
class TelegramSettings:
    base_url: str
    admin_ids: tuple[int, ...]
    # Requests to chats per second, all chats together (Telegram allows about 30). Raise it only for a
    # server without Telegram's limits: a self-hosted stand-in, or paid broadcasts.
    max_messages_per_second: float = 29


@dataclass(frozen=True, slots=True)
class WebhookSettings:
    """Webhook mode (instead of long polling) when `url` is set. The secret token comes from the
    environment (TELEGRAM_WEBHOOK_SECRET) or is made anew at each start."""

    url: str  # public HTTPS URL Telegram posts updates to; "" = long polling
    listen: str
    port: int

    @property
    def enabled(self) -> bool:
        return bool(self.url)


@dataclass(frozen=True, slots=True)
class HealthSettings:
    """The small HTTP port with /healthz and /metrics. Off when `port` is 0."""

    listen: str
    port: int
    max_cycle_age: timedelta  # /healthz fails when the last ingestion cycle is older than this


@dataclass(frozen=True, slots=True)
class DatabaseSettings:
    url: str


@dataclass(frozen=True, slots=True)
class ScheduleSettings:
    fetch_interval: timedelta
    digest_time: time
    timezone: str
    send_interval: timedelta
    digest_stories_per_topic: int  # a digest's topic shows this many stories, most reported first, then "N more"


@dataclass(frozen=True, slots=True)
class FetchSettings:
    concurrency: int
    timeout: timedelta
    max_body_bytes: int
    max_redirects: int
    user_agent: str
    backoff_base: timedelta
    backoff_max: timedelta
    parse_workers: int  # 0: one per CPU core
    parse_timeout: timedelta = timedelta(seconds=30)  # one document; past it that feed fails (parse_timeout)
    max_entries: int = 300  # the newest entries taken from one fetch of a feed
    # Feeds added with /feed add may reach loopback, private, link-local and other non-public addresses
    # (config.toml feeds always may: the operator wrote them). Off by default; see feeds.fetch.
    allow_private_addresses: bool = False


@dataclass(frozen=True, slots=True)
class ChannelSpec:
    """A channel the bot posts to because config.toml says so, not because someone subscribed."""

    chat: int | str  # numeric id, or "@username"
    topics: tuple[str, ...]
    mode: ChatMode
    language: str


@dataclass(frozen=True, slots=True)
class ClassifierSettings:
    venezuela_terms: tuple[str, ...]  # what makes an item from a `world` feed "about Venezuela"
    foreign_terms: tuple[str, ...] = ()  # other countries: an item naming one and not Venezuela is about them
    # (topic, ((topic it yields to, "title" or "any"), ...)): see feeds.classify and config.toml
    yields_to: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()
    model: str = ""  # the fitted model file (`bot.py fit`), relative to the program's folder; "" = the rules alone


@dataclass(frozen=True, slots=True)
class Settings:
    telegram: TelegramSettings
    webhook: WebhookSettings
    health: HealthSettings
    log_level: str
    database: DatabaseSettings
    schedule: ScheduleSettings
    fetch: FetchSettings
    classifier: ClassifierSettings
    feeds: tuple[FeedSpec, ...]
    topics: tuple[Topic, ...]
    channels: tuple[ChannelSpec, ...]
    path: Path  # where the settings came from; relative paths (the SQLite file) resolve against its folder

    def topic_ids(self) -> tuple[str, ...]:
        return tuple(topic.id for topic in self.topics)

    def feed_user_agents(self) -> dict[str, str]:
        """Feed URL -> the User-Agent its `feeds[].user_agent` sets, for the feeds that set one."""
        return {feed.url: feed.user_agent for feed in self.feeds if feed.user_agent}


# ---------------------------------------------------------------------------------------------------
# Schema: a table of fields per section. A field has a type check, an optional default and a converter
# that may raise ValueError with the problem in words.


_REQUIRED = object()


@dataclass(frozen=True, slots=True)
class _Field:
    types: tuple[type, ...]
    default: Any = _REQUIRED
    convert: Callable[[Any], Any] = lambda value: value


def _type_name(types: tuple[type, ...]) -> str:
    names = {str: "a string", int: "an integer", float: "a number", bool: "true or false",
             list: "a list", dict: "a table"}
    return " or ".join(names.get(t, t.__name__) for t in types)


def _read_section(raw: Any, key: str, fields: Mapping[str, _Field]) -> dict[str, Any]:
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(key, "must be a table")
    unknown = sorted(set(raw) - set(fields))
    if unknown:
        raise ConfigError(f"{key}.{unknown[0]}" if key else unknown[0],
                          f"unknown key (known: {', '.join(sorted(fields))})")
    values: dict[str, Any] = {}
    for name, spec in fields.items():
        full = f"{key}.{name}" if key else name
        if name not in raw:
            if spec.default is _REQUIRED:
                raise ConfigError(full, "missing")
            if spec.default is None:
                values[name] = None
                continue
            value = spec.default
        else:
            value = raw[name]
        # bool is a subclass of int: `fetch.concurrency = true` must not pass as 1.
        if not isinstance(value, spec.types) or (isinstance(value, bool) and bool not in spec.types):
            raise ConfigError(full, f"must be {_type_name(spec.types)}, got {type(value).__name__}")
        try:
            values[name] = spec.convert(value)
        except ValueError as exc:
            raise ConfigError(full, str(exc)) from exc
    return values


# --- converters: each raises ValueError naming the problem, never the key (the caller adds it) ---

_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def parse_hhmm(value: str) -> time:
    """'08:00' -> time(8, 0). Shared with the /digest command so both accept exactly the same form."""
    match = _HHMM.match(value.strip())
    if not match:
        raise ValueError(f'"{value}" is not HH:MM (00:00 to 23:59)')
    return time(int(match.group(1)), int(match.group(2)))


def check_timezone(value: str) -> str:
    """Return `value` if it is an IANA time zone name this machine knows, else raise ValueError."""
    if not value or value != value.strip() or value.startswith("/") or ".." in value:
        raise ValueError(f'"{value}" is not an IANA time zone such as America/Caracas')
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f'"{value}" is not an IANA time zone such as America/Caracas') from exc
    return value


def _positive(value: int | float) -> int | float:
    if value <= 0:
        raise ValueError(f"must be greater than 0, got {value}")
    return value


def _at_most(value: int | float, limit: int | float) -> int | float:
    if value > limit:
        raise ValueError(f"must be at most {limit}, got {value}")
    return value


def _non_negative(value: int) -> int:
    if value < 0:
        raise ValueError(f"must be 0 or more, got {value}")
    return value


def _seconds(value: int | float) -> timedelta:
    return timedelta(seconds=_positive(value))


def _non_empty(value: str) -> str:
    if not value.strip():
        raise ValueError("empty")
    return value.strip()


def _http_url(value: str) -> str:
    value = _non_empty(value)
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f'"{value}" is not an http(s) URL')
    return value


def _database_url(value: str) -> str:
    value = _non_empty(value)
    if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
        raise ValueError(f'"{value}" must start with sqlite+aiosqlite:// or postgresql+asyncpg://')
    return value


def _admin_ids(value: list[Any]) -> tuple[int, ...]:
    if not all(isinstance(item, int) and not isinstance(item, bool) for item in value):
        raise ValueError("must be a list of numeric Telegram user ids")
    return tuple(value)


def _string_list(value: list[Any]) -> tuple[str, ...]:
    if not all(isinstance(item, str) and item.strip() for item in value):
        raise ValueError("must be a list of non-empty strings")
    return tuple(item.strip() for item in value)


def _port(value: int, *, allow_zero: bool) -> int:
    if not (0 if allow_zero else 1) <= value <= 65535:
        raise ValueError(f"{value} is not a TCP port" + (" (0 = off)" if allow_zero else ""))
    return value


def _one_of(value: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ValueError(f'"{value}" is not one of {", ".join(choices)}')
    return value


def _lang(value: str) -> str:
    if value not in LANGS:
        raise ValueError(f'"{value}" is not one of {", ".join(LANGS)}')
    return value


def _scope(value: str) -> Scope:
    try:
        return Scope(value)
    except ValueError:
        raise ValueError(f'"{value}" is not one of {", ".join(s.value for s in Scope)}') from None


def _mode(value: str) -> ChatMode:
    try:
        return ChatMode(value)
    except ValueError:
        raise ValueError(f'"{value}" is not one of {", ".join(m.value for m in ChatMode)}') from None


_TERM_WORD = re.compile(r"[^\s*]*[^\W_][^\s*]*|[^\s*]*[^\W_]{2}\*")


def _term_list(value: list[Any]) -> tuple[str, ...]:
    """Classifier terms: words and phrases; a `*` may end a word after at least two letters (protest*)."""
    terms = _string_list(value)
    for term in terms:
        if not all(_TERM_WORD.fullmatch(word) for word in term.split()):
            raise ValueError(f'"{term}": every word needs a letter or digit, and * may only end a word '
                             "after two of them")
    return terms


_TOPIC_ID = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


def _topic_id(value: str) -> str:
    if not _TOPIC_ID.match(value):
        raise ValueError(f'"{value}" must be 1-32 lowercase letters, digits or _, starting with a letter')
    return value


def _channel_chat(value: int | str) -> int | str:
    if isinstance(value, str) and not re.match(r"^@[A-Za-z][A-Za-z0-9_]{3,31}$", value):
        raise ValueError(f'"{value}" is neither a numeric chat id nor an @username')
    return value


_TELEGRAM = {
    "base_url": _Field((str,), "https://api.telegram.org/bot", _http_url),
    "admin_ids": _Field((list,), [], _admin_ids),
    "max_messages_per_second": _Field((int, float), 29, lambda value: _at_most(_positive(value), 1000)),
}
_WEBHOOK = {
    "url": _Field((str,), "", lambda value: _http_url(value) if value.strip() else ""),
    "listen": _Field((str,), "127.0.0.1", _non_empty),
    "port": _Field((int,), 8443, lambda value: _port(value, allow_zero=False)),
}
_HEALTH = {
    "listen": _Field((str,), "127.0.0.1", _non_empty),
    "port": _Field((int,), 0, lambda value: _port(value, allow_zero=True)),
    "max_cycle_age_seconds": _Field((int, float), 3600, _seconds),
}
_LOGGING = {"level": _Field((str,), "INFO", lambda value: _one_of(value, ("DEBUG", "INFO", "WARNING", "ERROR")))}
_DATABASE = {"url": _Field((str,), "sqlite+aiosqlite:///data/centinela.sqlite3", _database_url)}
_SCHEDULE = {
    "fetch_interval_seconds": _Field((int, float), 900, _seconds),
    "send_interval_seconds": _Field((int, float), 5, _seconds),
    "digest_time": _Field((str,), "08:00", parse_hhmm),
    "timezone": _Field((str,), "America/Caracas", check_timezone),
    "digest_stories_per_topic": _Field((int,), 10, _positive),
}
_FETCH = {
    "concurrency": _Field((int,), 16, _positive),
    "timeout_seconds": _Field((int, float), 20, _seconds),
    "max_body_bytes": _Field((int,), 5_000_000, _positive),
    "max_redirects": _Field((int,), 5, _non_negative),
    "user_agent": _Field((str,), "Centinela/0.1 (Venezuela news alert bot; +https://github.com/centinela-bot)",
                         _non_empty),
    "backoff_base_seconds": _Field((int, float), 900, _seconds),
    "backoff_max_seconds": _Field((int, float), 86_400, _seconds),
    "parse_workers": _Field((int,), 0, _non_negative),
    "parse_timeout_seconds": _Field((int, float), 30, _seconds),
    "max_entries_per_feed": _Field((int,), 300, _positive),
    "allow_private_addresses": _Field((bool,), False),
}
def _yields_to(value: dict[str, Any]) -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    """{topic: {other: "title" | "any"}} -> ((topic, ((other, keep), ...)), ...); ids are checked with the topics."""
    pairs = []
    for topic, others in value.items():
        if not isinstance(others, dict) or not all(keep in ("title", "any") for keep in others.values()):
            raise ValueError(f'"{topic}" must be a table of topic ids, each "title" or "any"')
        pairs.append((topic, tuple(others.items())))
    return tuple(pairs)


_CLASSIFIER = {
    "venezuela_terms": _Field((list,), [], _term_list),
    "foreign_terms": _Field((list,), [], _term_list),
    "yields_to": _Field((dict,), {}, _yields_to),
    "model": _Field((str,), ""),
}
_FEED = {
    "url": _Field((str,), convert=_http_url),
    "name": _Field((str,), convert=_non_empty),
    "scope": _Field((str,), "venezuela", _scope),
    "language": _Field((str,), None, _lang),
    "user_agent": _Field((str,), None, _non_empty),
}
_LOCALIZED = {"es": _Field((str,), convert=_non_empty), "en": _Field((str,), convert=_non_empty)}
_TERMS = {"es": _Field((list,), [], _term_list), "en": _Field((list,), [], _term_list)}
# The tiers of a topic's terms, each a table of es and en lists; feeds.classify says what each one weighs.
TERM_TIERS = ("terms", "strong", "weak", "needs", "ignore", "exclude")
_TOPIC = {
    "id": _Field((str,), convert=_topic_id),
    "name": _Field((dict,)),
    "description": _Field((dict,)),
    **{tier: _Field((dict,), {}) for tier in TERM_TIERS},
    "requires_context": _Field((bool,), True),
}
_CHANNEL = {
    "chat": _Field((int, str), convert=_channel_chat),
    "topics": _Field((list,), convert=_string_list),
    "mode": _Field((str,), "instant", _mode),
    "language": _Field((str,), "es", _lang),
}
_TOP = {
    "telegram": _Field((dict,), {}),
    "webhook": _Field((dict,), {}),
    "health": _Field((dict,), {}),
    "logging": _Field((dict,), {}),
    "database": _Field((dict,), {}),
    "schedule": _Field((dict,), {}),
    "fetch": _Field((dict,), {}),
    "classifier": _Field((dict,), {}),
    "feeds": _Field((list,), []),
    "topics": _Field((list,), []),
    "channels": _Field((list,), []),
}


def _read_table_list(raw: list[Any], key: str, fields: Mapping[str, _Field]) -> list[dict[str, Any]]:
    return [_read_section(entry, f"{key}[{index}]", fields) for index, entry in enumerate(raw)]


def _read_topic(raw: Any, key: str) -> Topic:
    values = _read_section(raw, key, _TOPIC)
    name = _read_section(values["name"], f"{key}.name", _LOCALIZED)
    description = _read_section(values["description"], f"{key}.description", _LOCALIZED)
    tiers = {tier: _read_section(values[tier], f"{key}.{tier}", _TERMS) for tier in TERM_TIERS}
    if not any(tiers[tier][lang] for tier in ("terms", "strong") for lang in LANGS):
        raise ConfigError(f"{key}.terms", "needs at least one term or strong term in es or en")
    return Topic(
        id=values["id"],
        name=Localized(**name),
        description=Localized(**description),
        requires_context=values["requires_context"],
        **{f"{tier}_{lang}": tiers[tier][lang] for tier in TERM_TIERS for lang in LANGS},
    )


def _unique(items: list[Any], key: str, attribute: Callable[[Any], Any], what: str) -> None:
    seen: set[Any] = set()
    for index, item in enumerate(items):
        value = attribute(item)
        if value in seen:
            raise ConfigError(f"{key}[{index}].{what}", f'duplicate "{value}"')
        seen.add(value)


def _anchor_sqlite_path(url: str, folder: Path) -> str:
    """A relative SQLite file path is relative to the config file, not to wherever the bot was started."""
    prefix = "sqlite+aiosqlite:///"
    if not url.startswith(prefix) or url == prefix or url.startswith(prefix + "/") or ":memory:" in url:
        return url
    return prefix + str((folder / url[len(prefix):]).resolve())


def parse(document: Mapping[str, Any], path: Path) -> Settings:
    """Validate an already-decoded TOML document. Raises ConfigError naming the first bad key."""
    top = _read_section(dict(document), "", _TOP)
    telegram = _read_section(top["telegram"], "telegram", _TELEGRAM)
    database = _read_section(top["database"], "database", _DATABASE)
    webhook = _read_section(top["webhook"], "webhook", _WEBHOOK)
    health = _read_section(top["health"], "health", _HEALTH)
    logging_ = _read_section(top["logging"], "logging", _LOGGING)
    schedule = _read_section(top["schedule"], "schedule", _SCHEDULE)
    fetch = _read_section(top["fetch"], "fetch", _FETCH)
    classifier = _read_section(top["classifier"], "classifier", _CLASSIFIER)

    feeds = [FeedSpec(**values) for values in _read_table_list(top["feeds"], "feeds", _FEED)]
    _unique(feeds, "feeds", lambda feed: feed.url, "url")

    topics = [_read_topic(raw, f"topics[{index}]") for index, raw in enumerate(top["topics"])]
    if not topics:
        raise ConfigError("topics", "at least one topic is needed")
    _unique(topics, "topics", lambda topic: topic.id, "id")
    topic_ids = {topic.id for topic in topics}
    for topic, others in classifier["yields_to"]:
        unknown = [name for name in (topic, *dict(others)) if name not in topic_ids]
        if unknown:
            raise ConfigError(f"classifier.yields_to.{topic}", f'unknown topic "{unknown[0]}"')
        if topic in dict(others):
            raise ConfigError(f"classifier.yields_to.{topic}", "a topic cannot yield to itself")

    channels = [ChannelSpec(**values) for values in _read_table_list(top["channels"], "channels", _CHANNEL)]
    for index, channel in enumerate(channels):
        unknown = [topic for topic in channel.topics if topic not in topic_ids]
        if unknown:
            raise ConfigError(f"channels[{index}].topics", f'unknown topic "{unknown[0]}"')
    _unique(channels, "channels", lambda channel: channel.chat, "chat")

    if fetch["backoff_max_seconds"] < fetch["backoff_base_seconds"]:
        raise ConfigError("fetch.backoff_max_seconds", "must not be less than fetch.backoff_base_seconds")

    return Settings(
        telegram=TelegramSettings(**telegram),
        webhook=WebhookSettings(**webhook),
        health=HealthSettings(listen=health["listen"], port=health["port"],
                              max_cycle_age=health["max_cycle_age_seconds"]),
        log_level=logging_["level"],
        database=DatabaseSettings(url=_anchor_sqlite_path(database["url"], path.parent)),
        schedule=ScheduleSettings(
            fetch_interval=schedule["fetch_interval_seconds"],
            send_interval=schedule["send_interval_seconds"],
            digest_time=schedule["digest_time"],
            timezone=schedule["timezone"],
            digest_stories_per_topic=schedule["digest_stories_per_topic"],
        ),
        fetch=FetchSettings(
            concurrency=fetch["concurrency"],
            timeout=fetch["timeout_seconds"],
            max_body_bytes=fetch["max_body_bytes"],
            max_redirects=fetch["max_redirects"],
            user_agent=fetch["user_agent"],
            backoff_base=fetch["backoff_base_seconds"],
            backoff_max=fetch["backoff_max_seconds"],
            parse_workers=fetch["parse_workers"],
            parse_timeout=fetch["parse_timeout_seconds"],
            max_entries=fetch["max_entries_per_feed"],
            allow_private_addresses=fetch["allow_private_addresses"],
        ),
        classifier=ClassifierSettings(**classifier),
        feeds=tuple(feeds),
        topics=tuple(topics),
        channels=tuple(channels),
        path=path,
    )


def load(path: str | Path) -> Settings:
    """Read and validate the config file at `path`. Raises ConfigError with a one-line message."""
    path = Path(path)
    try:
        with path.open("rb") as file:
            document = tomllib.load(file)
    except FileNotFoundError:
        raise ConfigError(str(path), "file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), f"not valid TOML ({exc})") from exc
    return parse(document, path.resolve())
