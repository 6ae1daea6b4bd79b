"""The classifier the configuration describes: the topics' terms from config.toml and, when
`classifier.model` names one, the fitted model file (`bot.py fit` writes it)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from errors import ConfigError
from feeds.classify import Classifier, compile_classifier
from feeds.topic_model import TopicModel, from_json
from model import LANGS, Item, Scope
from settings import Settings


def read_model(path: Path) -> TopicModel:
    """Read the JSON file `bot.py fit` wrote. Raises ConfigError naming the file if it cannot."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError("classifier.model", f"{path}: {exc.strerror}") from exc
    except json.JSONDecodeError as exc:
        raise ConfigError("classifier.model", f"{path}: not JSON ({exc.msg})") from exc
    return from_json(document, f"classifier.model ({path})")


PROGRAM = Path(__file__).resolve().parent.parent  # the checkout: where models/topics.json ships


def model_path(settings: Settings) -> Path | None:
    """Where `classifier.model` points, a relative path being relative to the program's folder (a config
    copied to /etc/centinela still finds the shipped model); None when it is empty (the terms alone)."""
    return PROGRAM / settings.classifier.model if settings.classifier.model else None


def load_classifier(settings: Settings) -> Classifier:
    """The configured topics compiled with their fitted model, if the config names one."""
    path = model_path(settings)
    return compile_classifier(settings.topics, settings.classifier, read_model(path) if path else None)


@dataclass(frozen=True, slots=True)
class ConfiguredTopics:
    """What ingestion calls to give an item its topics (a `feeds.worker.Classify`). A plain object, not a
    closure, so that it can be sent to each parse worker once and items are classified there."""

    classifier: Classifier

    def __call__(self, item: Item, scope: Scope) -> Mapping[str, Sequence[str]]:
        if item.language is not None and item.language not in LANGS:
            return {}  # the topics have terms in Spanish and English only: a Portuguese item gets none
        return dict(self.classifier.classify(item.title, item.summary, scope).matches)
