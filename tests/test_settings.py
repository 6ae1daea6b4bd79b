"""config.toml is validated once, and a bad value stops start-up with one line naming the key."""

from __future__ import annotations

import tomllib
from datetime import time, timedelta
from pathlib import Path
from typing import Any

import pytest

from errors import ConfigError
from model import ChatMode, Scope
from settings import load, parse

REPO = Path(__file__).resolve().parent.parent


def shipped() -> dict[str, Any]:
    with (REPO / "config.toml").open("rb") as file:
        return tomllib.load(file)


def test_shipped_config_loads_with_the_documented_defaults() -> None:
    settings = load(REPO / "config.toml")
    assert settings.schedule.digest_time == time(8, 0)
    assert settings.schedule.timezone == "America/Caracas"
    assert settings.topic_ids()[:4] == ("protests", "sanctions", "cne", "dialogue")
    assert settings.database.url.startswith("sqlite+aiosqlite:///")
    # A relative SQLite path is anchored at the config file's folder, not the working directory.
    assert settings.database.url.endswith(str(REPO / "data" / "centinela.sqlite3"))
    for feed in settings.feeds:
        assert feed.scope in (Scope.VENEZUELA, Scope.WORLD)


def test_minimal_config_gets_defaults_for_every_section() -> None:
    document = {"topics": shipped()["topics"]}
    settings = parse(document, REPO / "minimal.toml")
    assert settings.fetch.max_body_bytes == 5_000_000
    assert settings.schedule.fetch_interval == timedelta(seconds=900)
    assert settings.telegram.base_url == "https://api.telegram.org/bot"
    assert settings.telegram.max_messages_per_second == 29
    assert settings.feeds == ()
    assert settings.fetch.allow_private_addresses is False  # admin-added feeds reach public addresses only


def test_private_addresses_are_allowed_only_when_the_config_says_so() -> None:
    assert load(REPO / "config.toml").fetch.allow_private_addresses is False
    assert parse(_with({"fetch.allow_private_addresses": True}), REPO / "config.toml").fetch.allow_private_addresses


def _with(change: dict[str, Any]) -> dict[str, Any]:
    document = shipped()
    for dotted, value in change.items():
        target: Any = document
        *path, last = dotted.split(".")
        for part in path:
            target = target[int(part)] if part.isdigit() else target.setdefault(part, {})
        target[last] = value
    return document


FEED = {"url": "https://example.org/feed/", "name": "Example", "scope": "venezuela"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param({"schedule.digest_time": "25:00"}, 'schedule.digest_time: "25:00" is not HH:MM',
                     id="a digest time past 23:59 is refused"),
        pytest.param({"schedule.digest_time": "8am"}, 'schedule.digest_time: "8am" is not HH:MM',
                     id="a digest time not in HH:MM is refused"),
        pytest.param({"schedule.timezone": "Mars/Olympus"}, "schedule.timezone: \"Mars/Olympus\" is not an IANA",
                     id="an unknown time zone is refused"),
        pytest.param({"schedule.digest_tme": "08:00"}, "schedule.digest_tme: unknown key",
                     id="a misspelt key is refused, not ignored"),
        pytest.param({"fetch.concurrency": "10"}, "fetch.concurrency: must be an integer, got str",
                     id="a number given as a string is refused"),
        pytest.param({"fetch.concurrency": True}, "fetch.concurrency: must be an integer, got bool",
                     id="a boolean is not an integer"),
        pytest.param({"fetch.concurrency": 0}, "fetch.concurrency: must be greater than 0",
                     id="zero concurrency is refused"),
        pytest.param({"feeds": [FEED, {**FEED, "url": "  "}]}, "feeds[1].url: empty",
                     id="an empty feed url names the feed's index"),
        pytest.param({"feeds": [{**FEED, "url": "ftp://x.org/f"}]}, 'feeds[0].url: "ftp://x.org/f" is not an http(s) URL',
                     id="a feed url must be http or https"),
        pytest.param({"feeds": [{**FEED, "scope": "latam"}]}, 'feeds[0].scope: "latam" is not one of venezuela, world',
                     id="a feed scope must be venezuela or world"),
        pytest.param({"feeds": [FEED, FEED]}, 'feeds[1].url: duplicate "https://example.org/feed/"',
                     id="the same feed twice is refused"),
        pytest.param({"feeds": [{**FEED, "user_agent": " "}]}, "feeds[0].user_agent: empty",
                     id="a feed's own user agent may not be empty"),
        pytest.param({"database.url": "mysql://x"}, "database.url: \"mysql://x\" must start with",
                     id="an unsupported database is refused"),
        pytest.param({"telegram.base_url": ""}, "telegram.base_url: empty", id="an empty base_url is refused"),
        pytest.param({"telegram.max_messages_per_second": 0}, "telegram.max_messages_per_second: must be greater than 0",
                     id="no messages a second is refused"),
        pytest.param({"telegram.max_messages_per_second": 5000}, "telegram.max_messages_per_second: must be at most 1000",
                     id="more than paid broadcasts allow is refused"),
        pytest.param({"telegram.admin_ids": ["ana"]}, "telegram.admin_ids: must be a list of numeric",
                     id="admin ids must be numbers"),
        pytest.param({"topics.0.id": "Protests!"}, 'topics[0].id: "Protests!" must be 1-32 lowercase',
                     id="a topic id must be a lowercase identifier"),
        pytest.param({"topics.1.id": "protests"}, 'topics[1].id: duplicate "protests"',
                     id="two topics with one id are refused"),
        pytest.param({"topics.0.name": {"es": "Protestas"}}, "topics[0].name.en: missing",
                     id="a topic needs a name in both languages"),
        pytest.param({"topics": []}, "topics: at least one topic is needed", id="no topics is refused"),
        pytest.param({"channels": [{"chat": "@ab", "topics": ["cne"]}]}, 'channels[0].chat: "@ab" is neither',
                     id="a channel username must be a valid @username"),
        pytest.param({"channels": [{"chat": -1001, "topics": ["weather"]}]}, 'channels[0].topics: unknown topic "weather"',
                     id="a channel may only follow configured topics"),
        pytest.param({"fetch.allow_private_addresses": "yes"},
                     "fetch.allow_private_addresses: must be true or false, got str", id="allowing is a boolean"),
        pytest.param({"fetch.backoff_max_seconds": 1}, "fetch.backoff_max_seconds: must not be less than",
                     id="the backoff cap must not be below its base"),
    ],
)
def test_a_bad_value_is_one_line_naming_the_key(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse(_with(change), REPO / "config.toml")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_channels_are_read_with_their_mode() -> None:
    settings = parse(_with({"channels": [{"chat": "@centinela_ve", "topics": ["cne"], "mode": "digest"}]}),
                     REPO / "config.toml")
    assert settings.channels[0].chat == "@centinela_ve"
    assert settings.channels[0].mode is ChatMode.DIGEST


def test_a_missing_file_and_broken_toml_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load(tmp_path / "nope.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[schedule\ndigest_time = ", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load(broken)
