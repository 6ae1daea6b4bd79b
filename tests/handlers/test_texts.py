"""The message catalogue: both languages say the same things with the same placeholders, every command has
its usage, example and menu line, and every template is HTML that Telegram accepts."""

from __future__ import annotations

import re
import string

import pytest

from handlers.texts import CATALOGUE, COMMANDS, READ_COMMANDS, text, user_language
from tests.support.botapi import HtmlParseError, parse_html


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_spanish_and_english_have_the_same_keys() -> None:
    assert set(CATALOGUE["es"]) == set(CATALOGUE["en"])


@pytest.mark.parametrize("key", sorted(CATALOGUE["en"]))
def test_both_languages_fill_the_same_placeholders(key: str) -> None:
    assert _placeholders(CATALOGUE["es"][key]) == _placeholders(CATALOGUE["en"][key])


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_usage_example_and_menu_line(command: str) -> None:
    for lang in ("es", "en"):
        assert text(lang, f"{command}.usage").startswith(f"/{command}")
        assert text(lang, f"{command}.example").startswith(f"/{command}")
        assert 1 <= len(text(lang, f"menu.{command}")) <= 256


def test_command_names_follow_setmycommands_rules() -> None:
    assert len(COMMANDS) <= 100 and len(set(COMMANDS)) == len(COMMANDS)
    assert all(re.fullmatch(r"[a-z0-9_]{1,32}", command) for command in COMMANDS)
    assert set(READ_COMMANDS) <= set(COMMANDS)


@pytest.mark.parametrize(("lang", "key"), [(lang, key) for lang in CATALOGUE for key in sorted(CATALOGUE[lang])])
def test_every_template_filled_in_is_html_that_telegram_accepts(lang: str, key: str) -> None:
    template = CATALOGUE[lang][key]
    filled = text(lang, key, **{name: "1" for name in _placeholders(template)})
    try:
        parse_html(filled)  # the stand-in's parser follows Telegram's rules, and is stricter about "&"
    except HtmlParseError as exc:
        raise AssertionError(f"{lang}/{key}: {exc}") from exc


@pytest.mark.parametrize("command", COMMANDS)
def test_menu_descriptions_are_plain_text(command: str) -> None:
    for lang in ("es", "en"):
        description = text(lang, f"menu.{command}")
        assert parse_html(description).plain == description


@pytest.mark.parametrize(("code", "expected"), [
    pytest.param("es", "es", id="es"),
    pytest.param("es-VE", "es", id="es-region"),
    pytest.param("ES", "es", id="upper-case"),
    pytest.param("en", "en", id="en"),
    pytest.param("pt-BR", "en", id="anything-else-is-english"),
    pytest.param(None, "en", id="no-code-is-english"),
])
def test_user_language(code: str | None, expected: str) -> None:
    assert user_language(code) == expected
