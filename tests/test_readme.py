"""The README's configuration reference is checked against the settings schema, so it cannot drift."""

from __future__ import annotations

import re
from pathlib import Path

import settings

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def schema_keys() -> set[str]:
    sections = {"telegram": settings._TELEGRAM, "webhook": settings._WEBHOOK, "health": settings._HEALTH,
                "logging": settings._LOGGING, "database": settings._DATABASE, "schedule": settings._SCHEDULE,
                "fetch": settings._FETCH, "classifier": settings._CLASSIFIER, "feeds[]": settings._FEED,
                "topics[]": settings._TOPIC, "channels[]": settings._CHANNEL}
    return {f"{section}.{key}" for section, fields in sections.items() for key in fields}


def documented_keys() -> set[str]:
    reference = README.split("## Configuration reference", 1)[1]
    return {match.group(1) for match in re.finditer(r"^\| `([a-z_\[\]]+\.[a-z_]+)", reference, re.MULTILINE)}


def test_every_setting_is_documented_and_every_documented_setting_exists() -> None:
    assert documented_keys() == schema_keys()


def test_readme_names_the_two_commands_that_ci_runs() -> None:
    assert "make demo" in README and "make test" in README
    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci
