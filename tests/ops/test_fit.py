"""`bot.py fit`: a model fitted from a small labelled file is written, loads and decides; bad input gets
a clear error and writes nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bot import main
from feeds.topics import load_classifier
from model import Scope
from settings import load

REPO = Path(__file__).resolve().parents[2]

LINES = [
    ("Protesta de docentes en Caracas por salarios", ["protests"], "https://a.example/1"),
    ("Marcha de enfermeras en Maracaibo", ["protests"], "https://b.example/2"),
    ("Jubilados protestan frente al Ministerio", ["protests"], "https://c.example/3"),
    ("El BCV publica la inflación de marzo", [], "https://a.example/4"),
    ("Apagón en Zulia deja sin luz a medio estado", [], "https://b.example/5"),
    ("Vinotinto empata con Perú en Maturín", [], "https://c.example/6"),
    ("Test item never fitted on: protesta", [], "https://d.example/7"),
]


def corpus(tmp_path: Path) -> Path:
    path = tmp_path / "corpus.jsonl"
    path.write_text("".join(json.dumps({"title": title, "topics": topics, "ref": ref,
                                        "split": "test" if "never" in title else "train"}) + "\n"
                            for title, topics, ref in LINES), encoding="utf-8")
    return path


def config_with_model(tmp_path: Path, model: str) -> Path:
    """The shipped config, its model at `model` ("" for none; give an absolute path, or the checkout is written)."""
    text = (REPO / "config.toml").read_text(encoding="utf-8")
    text = text.replace('model = "models/topics.json"', f'model = "{model}"')
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_fit_writes_a_model_the_config_then_loads(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = config_with_model(tmp_path, str(tmp_path / "fitted" / "topics.json"))
    assert main(["--config", str(config), "fit", str(corpus(tmp_path))]) == 0
    out = capsys.readouterr().out
    assert "fitted on 6 items (train + dev)" in out  # the test line is not fitted on
    assert "protests" in out and "threshold" in out
    classifier = load_classifier(load(config))
    assert classifier.model is not None and classifier.model.topics == ("protests", "sanctions", "cne", "dialogue")
    assert classifier.model.weights["r:protests:fired"][0] > 0  # the rules firing counts for the topic
    assert "w:protesta" not in classifier.model.weights  # in one item only: too rare to weigh
    assert classifier.classify("Protesta de docentes en Caracas", "", Scope.VENEZUELA).topics == ("protests",)


def test_fit_without_a_corpus_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "out.json"
    assert main(["fit", str(tmp_path / "missing.jsonl"), "--out", str(output)]) == 2
    assert "missing.jsonl: No such file or directory" in capsys.readouterr().err
    assert not output.exists()


def test_fit_with_no_fitting_line_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "only-test.jsonl"
    path.write_text(json.dumps({"title": "x", "topics": [], "split": "test"}) + "\n", encoding="utf-8")
    output = tmp_path / "out.json"
    assert main(["fit", str(path), "--out", str(output)]) == 2
    assert "no labelled line in the splits train, dev" in capsys.readouterr().err
    assert not output.exists()


def test_fit_with_a_bad_line_names_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"title": "x", "split": "train"}) + "\n", encoding="utf-8")
    assert main(["fit", str(path), "--out", str(tmp_path / "out.json")]) == 2
    assert "line 1: 'topics' must be a list of topic ids" in capsys.readouterr().err


def test_fit_needs_somewhere_to_write(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = config_with_model(tmp_path, "")
    assert main(["--config", str(config), "fit", str(corpus(tmp_path))]) == 2
    assert "say where to write the model with --out" in capsys.readouterr().err


def test_a_config_naming_a_missing_model_is_a_config_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = config_with_model(tmp_path, str(tmp_path / "nowhere.json"))
    items = tmp_path / "items.jsonl"
    items.write_text(json.dumps({"title": "Protesta en Caracas"}) + "\n", encoding="utf-8")
    assert main(["--config", str(config), "classify", str(items)]) == 2
    assert "config error: classifier.model: " in capsys.readouterr().err


def test_a_config_copied_elsewhere_still_finds_the_shipped_model(tmp_path: Path) -> None:
    """classifier.model is relative to the program's folder, not to the config file or the working folder."""
    shutil.copy(REPO / "config.toml", tmp_path / "config.toml")
    assert load_classifier(load(tmp_path / "config.toml")).model == load_classifier(load(REPO / "config.toml")).model


def test_the_rules_can_be_compiled_without_the_terms_an_item_contains() -> None:
    """What fitting does to a held-out outlet: the terms only its items contain are struck, so it is scored as
    new text; striking one term leaves the others, and the context lists are struck alike."""
    from model import Localized, Topic
    from ops.fit import Rules
    from settings import ClassifierSettings

    protests = Topic(id="protests", name=Localized("P", "P"), description=Localized("P", "P"),
                     terms_es=("cacerolazo", "protesta"), terms_en=())
    rules = Rules((protests,), ClassifierSettings(venezuela_terms=("caracas",), foreign_terms=("chile",)))
    title = "Cacerolazo en Caracas"
    found = rules.compile().terms_found(title, "")
    assert found == {("protests", "terms", "cacerolazo"), ("classifier", "venezuela", "caracas")}
    struck = rules.without(found).compile()
    assert struck.terms_found(title, "") == set()
    assert struck.classify(title, "", Scope.WORLD).topics == ()
    assert struck.classify("Protesta en Caracas", "", Scope.VENEZUELA).topics == ("protests",)
    assert rules.without(found).compile().classify("Protesta en Chile", "", Scope.VENEZUELA).topics == ()
