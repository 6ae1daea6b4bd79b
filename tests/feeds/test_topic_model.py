"""The learned part of the classifier: how its score decides a topic within the rules' context, that an
alert it fires still says why, the file it is read from, and that the shipped file is the one
`bot.py fit` makes from the labelled corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from errors import ConfigError
from feeds.classify import compile_classifier
from feeds.topic_model import from_json, make_model
from feeds.topics import load_classifier, read_model
from model import Localized, Scope, Topic
from settings import ClassifierSettings, load

REPO = Path(__file__).resolve().parents[2]
V, W = Scope.VENEZUELA, Scope.WORLD
ELECTION = Topic(id="cne", name=Localized("CNE", "CNE"), description=Localized("CNE", "CNE"),
                 terms_es=("elecciones",), terms_en=())
CONTEXT = ClassifierSettings(venezuela_terms=("venezuela",), foreign_terms=("chile",))


def with_model(weights: dict[str, tuple[float, ...]], *, bias: float = -1.0, threshold: float = 0.0):  # type: ignore[no-untyped-def]
    model = make_model(["cne"], [bias], [threshold], weights)
    return compile_classifier([ELECTION], CONTEXT, model)


def test_the_model_fires_a_topic_the_terms_miss_and_says_which_words_weighed() -> None:
    classifier = with_model({"w:registro": (4.0,), "w:votantes": (7.0,), "w:el": (-0.5,)})
    assert compile_classifier([ELECTION], CONTEXT).classify("Crece el registro de votantes", "", V).topics == ()
    result = classifier.classify("Crece el registro de votantes", "", V)
    assert result.topics == ("cne",)
    assert result.terms_for("cne") == ("votantes", "registro")


def test_the_model_can_overrule_the_terms() -> None:
    """The rules fire on "elecciones"; the model, having learned that "colegio" elections are not news, does not."""
    classifier = with_model({"r:cne:fired": (2.0,), "w:colegio": (-20.0,)})
    assert classifier.classify("Elecciones en Caracas", "", V).terms_for("cne") == ("elecciones",)
    assert classifier.classify("Elecciones en el colegio", "", V).topics == ()


def test_words_weigh_by_the_length_of_the_item() -> None:
    """A word's weight is divided by the square root of how many words, pairs and terms the item has, so a
    long post full of words that each lean a little towards a topic does not add up to it."""
    classifier = with_model({"w:voto": (3.0,)}, bias=-1.5)
    assert classifier.classify("Voto", "", V).topics == ("cne",)  # one word: 3 / sqrt(1) > 1.5
    assert classifier.classify("Voto", "uno dos tres cuatro cinco seis siete ocho", V).topics == ()  # 3 / 3


def test_the_threshold_is_the_topics_own() -> None:
    title = "Elecciones en Caracas"
    assert with_model({"r:cne:fired": (2.0,)}, threshold=0.5).classify(title, "", V).topics == ("cne",)
    assert with_model({"r:cne:fired": (2.0,)}, threshold=1.5).classify(title, "", V).topics == ()


def test_the_context_rule_holds_whatever_the_model_says() -> None:
    classifier = with_model({"w:elecciones": (5.0,)})
    assert classifier.classify("Elecciones", "", V).topics == ("cne",)
    assert classifier.classify("Elecciones en Chile", "", V).topics == ()  # another country, not Venezuela
    assert classifier.classify("Elecciones", "", W).topics == ()  # a world feed needs Venezuela named
    assert classifier.classify("Elecciones en Venezuela", "", W).topics == ("cne",)


def test_a_topic_the_model_does_not_know_is_left_to_the_terms() -> None:
    model = make_model(["other"], [-5.0], [0.0], {})
    classifier = compile_classifier([ELECTION], CONTEXT, model)
    assert classifier.classify("Elecciones en Caracas", "", V).topics == ("cne",)


def test_features_are_the_words_the_terms_and_the_rules_signals() -> None:
    features = compile_classifier([ELECTION], CONTEXT).features("Elecciones en Venezuela", "Hoy en Venezuela", V)
    assert sorted(features) == ["r:cne:fired", "r:cne:points", "r:cne:some", "r:cne:title", "r:cne:unlocked",
                                "r:venezuela", "t:cne:elecciones", "w:elecciones", "w:en", "w:hoy", "w:venezuela"]


@pytest.mark.parametrize(
    ("document", "message"),
    [
        pytest.param({"format": 0, "topics": [], "bias": [], "thresholds": [], "weights": {}}, "fit the model again",
                     id="an old format"),
        pytest.param({"format": 1, "topics": ["cne"], "bias": [0.0], "thresholds": [0.0],
                      "weights": {"w:x": [1.0, 2.0]}}, "wrong number of topics", id="a row too long"),
        pytest.param({"format": 1, "topics": ["cne"], "bias": [0.0], "thresholds": [0.0],
                      "weights": {"x": [1.0]}}, 'feature "x" is of no known kind', id="an unknown feature"),
        pytest.param({"format": 1, "topics": ["cne"]}, "not a topic model", id="missing keys"),
        pytest.param([1, 2], "not a topic model", id="not an object"),
    ],
)
def test_a_bad_model_is_a_config_error(document: object, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        from_json(document, "classifier.model")
    assert caught.value.key == "classifier.model" and message in caught.value.problem


def test_a_missing_or_broken_model_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="classifier.model: .*nowhere.json: No such file"):
        read_model(tmp_path / "nowhere.json")
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    with pytest.raises(ConfigError, match="broken.json: not JSON"):
        read_model(tmp_path / "broken.json")


def test_the_shipped_config_loads_its_model() -> None:
    settings = load(REPO / "config.toml")
    classifier = load_classifier(settings)
    assert classifier.model is not None
    assert classifier.model.topics == settings.topic_ids()


def test_classifying_weighs_exactly_the_features_fit_saw() -> None:
    """The run-time scoring (no feature strings) and the fitting-time one (feature names) agree on real items."""
    from ops.classify import read_labelled
    from text import words

    classifier = load_classifier(load(REPO / "config.toml"))
    assert classifier.model is not None
    with (REPO / "tests" / "data" / "eval" / "dev.jsonl").open(encoding="utf-8") as lines:
        for line, _ in read_labelled(lines):
            title, summary = words(line.title), words(line.summary)
            rules = classifier._rules(title, summary, V, signals=True)
            assert classifier.model.scores(title, summary, rules.terms, rules.signals) == pytest.approx(
                classifier.model.scores_of(classifier.features(line.title, line.summary, V)), abs=1e-9)


def test_the_shipped_model_is_what_fit_makes_from_the_corpus(tmp_path: Path) -> None:
    """`bot.py fit tests/data/eval/corpus.jsonl` rewrites models/topics.json to the same bytes."""
    from bot import main

    output = tmp_path / "topics.json"
    assert main(["fit", str(REPO / "tests" / "data" / "eval" / "corpus.jsonl"), "--out", str(output)]) == 0
    shipped = REPO / "models" / "topics.json"
    assert json.loads(output.read_text(encoding="utf-8")) == json.loads(shipped.read_text(encoding="utf-8"))
    assert output.read_bytes() == shipped.read_bytes()
