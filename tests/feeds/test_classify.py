"""The topic classifier: first its scoring rules on small made-up topics, then the shipped config.toml's terms
on the cases the issue names (accents, inflections, title weight, multiple topics, collisions, scope), and
the shipped classifier (terms and fitted model) on labelled real items of tests/data/eval and on the three
sample blog posts."""

from __future__ import annotations

import re
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from errors import ConfigError
from feeds.classify import Classification, Classifier, compile_classifier
from feeds.topics import load_classifier
from model import Item, Localized, Scope, Topic
from ops.classify import evaluate_file
from ops.evaluate import format_report
from settings import ClassifierSettings, Settings, load, parse

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data"
V, W = Scope.VENEZUELA, Scope.WORLD


def make_topic(topic_id: str = "t", *, requires_context: bool = True, **tiers: list[str]) -> Topic:
    fields: dict[str, Any] = {"terms_es": (), "terms_en": ()}
    fields.update({f"{tier}_es": tuple(terms) for tier, terms in tiers.items()})
    return Topic(id=topic_id, name=Localized(topic_id, topic_id), description=Localized(topic_id, topic_id),
                 requires_context=requires_context, **fields)


CONTEXT = ClassifierSettings(venezuela_terms=("venezuela", "caracas"), foreign_terms=("chile", "colombia*"))


def classify_with(topic: Topic, title: str, summary: str = "", scope: Scope = V) -> Classification:
    return compile_classifier([topic], CONTEXT).classify(title, summary, scope)


# ---------------------------------------------------------------------------------------------------
# The scoring rules, on made-up topics so that each case shows one rule.

PROTEST = make_topic("p", strong=["cacerolazo*"], terms=["protest*", "marcha"], weak=["represion", "exigen"],
                     ignore=["en marcha"], exclude=["simulacro"])


@pytest.mark.parametrize(
    ("title", "summary", "fires"),
    [
        pytest.param("", "Hubo un cacerolazo anoche", True, id="a strong term is enough in the summary alone"),
        pytest.param("Protesta en Caracas", "", True, id="a plain term is enough in the title"),
        pytest.param("Informe del día", "Hubo una protesta", False,
                     id="a plain term in the summary alone is not enough"),
        pytest.param("Informe del día", "Hubo una protesta y una marcha", True,
                     id="two plain terms in the summary add up"),
        pytest.param("Informe del día", "Protesta, protestas y más protestas", False,
                     id="a term counts once however often it appears"),
        pytest.param("Represión en Caracas", "", False, id="a weak term in the title alone is not enough"),
        pytest.param("Vecinos exigen agua", "Hubo una protesta", True,
                     id="a weak term in the title adds to a plain one in the summary"),
        pytest.param("El plan ya está en marcha", "", False, id="an ignore phrase hides the term inside it"),
        pytest.param("Cacerolazo durante el simulacro", "", False, id="an exclude term vetoes even a strong one"),
        pytest.param("PROTESTARON los vecinos", "", True, id="a stem matches any ending, in any case"),
        pytest.param("Pro gobierno", "", False, id="a stem matches only words that start with all of it"),
    ],
)
def test_scoring_rules(title: str, summary: str, fires: bool) -> None:
    assert classify_with(PROTEST, title, summary).topics == (("p",) if fires else ())


DIALOGUE = make_topic("d", strong=["acuerdo de barbados"], terms=["dialogo", "gobierno y la oposicion"],
                      needs=["oposicion"])


@pytest.mark.parametrize(
    ("title", "fires"),
    [
        pytest.param("Maduro convoca al diálogo con empresarios", False,
                     id="without a needs term the topic is locked"),
        pytest.param("Maduro convoca al diálogo con la oposición", True, id="a needs term unlocks it"),
        pytest.param("Noruega vigila el Acuerdo de Barbados", True, id="a strong term unlocks it too"),
        pytest.param("Reunión del gobierno y la oposición", True,
                     id="a needs term inside a longer term still counts as present"),
        pytest.param("La oposición y la oposición", False, id="needs terms score nothing by themselves"),
    ],
)
def test_needs_gate_a_topic(title: str, fires: bool) -> None:
    assert classify_with(DIALOGUE, title).topics == (("d",) if fires else ())


@pytest.mark.parametrize(
    ("title", "summary", "scope", "fires"),
    [
        pytest.param("Protesta de maestros", "", V, True, id="from a venezuela feed no country name is needed"),
        pytest.param("Protesta de maestros", "", W, False, id="from a world feed the item must name Venezuela"),
        pytest.param("Protesta de maestros", "En Caracas, frente al ministerio.", W, True,
                     id="a Venezuela term in the summary is enough context"),
        pytest.param("Protesta de maestros en Chile", "", V, False,
                     id="an item naming another country and not Venezuela is about that country"),
        pytest.param("Protesta de maestros colombianos", "Llegaron a Caracas", V, True,
                     id="an item naming Venezuela too is still about Venezuela"),
        pytest.param("Protesta de maestros en Chile", "", W, False, id="a world feed does not rescue it either"),
    ],
)
def test_context_and_scope(title: str, summary: str, scope: Scope, fires: bool) -> None:
    assert classify_with(PROTEST, title, summary, scope).topics == (("p",) if fires else ())


def test_a_topic_not_about_venezuela_ignores_context() -> None:
    worldwide = make_topic("w", requires_context=False, terms=["protest*"])
    assert classify_with(worldwide, "Protesta en Chile", "", W).topics == ("w",)


def test_matches_name_the_configured_terms_in_text_order_and_the_longest_wins() -> None:
    topics = [make_topic("z", terms=["protest*"]),
              make_topic("a", strong=["consejo nacional electoral"], terms=["electoral"])]
    result = compile_classifier(topics, CONTEXT).classify(
        "Protestas ante el Consejo Nacional Electoral", "La protesta siguió; hubo fraude electoral", V)
    assert result.topics == ("a", "z")  # sorted ids
    assert result.matches == (("a", ("consejo nacional electoral", "electoral")), ("z", ("protest*",)))
    assert result.terms_for("z") == ("protest*",)
    assert result.terms_for("missing") == ()


def test_a_phrase_does_not_run_from_the_title_into_the_summary() -> None:
    topic = make_topic("d", strong=["acuerdo de barbados"])
    assert classify_with(topic, "Firman un acuerdo", "de Barbados a Caracas").topics == ()


def test_a_term_in_two_tiers_of_one_topic_is_a_config_error() -> None:
    topic = make_topic("t", terms=["Protesta"], weak=["protesta"])
    with pytest.raises(ConfigError, match=r'topics\[0\]\.weak\.es: "protesta" is also listed as "Protesta" in terms'):
        compile_classifier([topic], CONTEXT)


def test_the_same_term_in_both_languages_is_fine() -> None:
    topic = Topic(id="t", name=Localized("t", "t"), description=Localized("t", "t"),
                  terms_es=("cne",), terms_en=("CNE",))
    assert compile_classifier([topic], CONTEXT).classify("El CNE habla", "", V).terms_for("t") == ("cne",)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param({"strong": {"es": ["p*otesta"]}}, 'topics[0].strong.es: "p*otesta": every word needs',
                     id="a star may only end a word"),
        pytest.param({"weak": {"en": ["a*"]}}, 'topics[0].weak.en: "a*": every word needs',
                     id="a stem needs two letters before the star"),
        pytest.param({"needs": {"es": ["- -"]}}, 'topics[0].needs.es: "- -": every word needs',
                     id="a word needs a letter or digit"),
        pytest.param({"terms": {}, "strong": {}}, "topics[0].terms: needs at least one term or strong term",
                     id="a topic needs a plain or strong term"),
        pytest.param({"loud": {"es": ["x"]}}, "topics[0].loud: unknown key", id="an unknown tier is refused"),
    ],
)
def test_the_config_refuses_bad_terms_naming_the_key(change: dict[str, Any], message: str) -> None:
    with (REPO / "config.toml").open("rb") as file:
        document = tomllib.load(file)
    document["topics"][0].update(change)
    with pytest.raises(ConfigError) as caught:
        parse(document, REPO / "config.toml")
    assert message in str(caught.value)


# ---------------------------------------------------------------------------------------------------
# The shipped config.toml.


@pytest.fixture(scope="module")
def shipped() -> Classifier:
    """The classifier the bot runs: config.toml's terms and its fitted model."""
    return load_classifier(load(REPO / "config.toml"))


@pytest.fixture(scope="module")
def terms() -> Classifier:
    """config.toml's terms alone: what the model weighs as the rules' signals, and what decides whole posts."""
    settings = load(REPO / "config.toml")
    return compile_classifier(settings.topics, settings.classifier)


@pytest.mark.parametrize(
    ("title", "summary", "scope", "topics"),
    [
        # Case and accents.
        pytest.param("Maduro suspende el DIALOGO con la oposicion", "", V, {"dialogue"},
                     id="diálogo without accents and in capitals is still diálogo"),
        pytest.param("CONSEJO NACIONAL ELECTORAL anuncia cronograma", "", V, {"cne"},
                     id="an upper-case phrase matches"),
        # Inflections, both languages.
        pytest.param("Docentes protestaron frente al Ministerio", "", V, {"protests"}, id="protestaron is protest"),
        pytest.param("Pensionados protestó ayer en Maracay", "", V, {"protests"}, id="protestó is protest"),
        pytest.param("Police fire tear gas at protesters in Caracas", "", V, {"protests"}, id="protesters is protest"),
        pytest.param("Vecinos salieron a las calles de Petare", "", V, {"protests"},
                     id="an inflected phrase: salieron a las calles"),
        pytest.param("EE.UU. sancionó a cinco funcionarios venezolanos", "", V, {"sanctions"},
                     id="sancionó is a sanctions verb"),
        # Title above summary.
        pytest.param("Candidatos de la oposición presentan su programa", "", V, {"cne"},
                     id="a plain term in the title is enough"),
        pytest.param("Maduro presenta plan económico", "Los candidatos opositores lo criticaron.", V, set(),
                     id="the same term only in the summary is a bare mention"),
        pytest.param("Machado: 'seguiremos adelante'", "La oposición convocó protestas y marchas en todo el país.",
                     V, {"protests"}, id="two plain terms in the summary are enough"),
        # Several topics at once.
        pytest.param("EE.UU. levanta sanciones petroleras tras el Acuerdo de Barbados",
                     "El gobierno y la oposición acordaron garantías electorales para 2024.", V,
                     {"sanctions", "dialogue", "cne"}, id="a licence granted because of a deal gets every topic"),
        # Licences and other sanctions without the word.
        pytest.param("Treasury revokes Chevron's license to operate in Venezuela", "", V, {"sanctions"},
                     id="the Chevron licence is a sanctions story"),
        pytest.param("OFAC issues General License 41", "", V, {"sanctions"}, id="a general license is sanctions"),
        pytest.param("La UE prorroga el embargo de armas y la prohibición de viajar", "", V, {"sanctions"},
                     id="an arms embargo and a travel ban are sanctions"),
        pytest.param("Maduro denuncia el bloqueo criminal de EEUU", "", V, {"sanctions"},
                     id="the government's word for sanctions is sanctions"),
        # Collisions.
        pytest.param("El CNE abre investigación a la campaña de Gustavo Petro", "", V, set(),
                     id="Colombia's CNE is not Venezuela's"),
        pytest.param("Ecuador: el CNE proclama los resultados de la consulta popular", "", V, set(),
                     id="Ecuador's CNE is not Venezuela's"),
        pytest.param("EU agrees new sanctions against Russia", "The package targets the shadow fleet.", V, set(),
                     id="sanctions on Russia are not Venezuela's"),
        pytest.param("OFAC sanciona a red financiera de Irán", "", V, set(),
                     id="sanctions on Iran are not Venezuela's"),
        pytest.param("US sanctions Rosneft Trading for helping PDVSA", "", V, {"sanctions"},
                     id="a Russian company sanctioned over Venezuela is Venezuela's"),
        pytest.param("Miles de manifestantes marchan en Santiago de Chile", "", V, set(),
                     id="protests in Chile are not Venezuela's"),
        pytest.param("FIFA sanciona a la Vinotinto con una multa", "", V, set(), id="a football sanction is not one"),
        pytest.param("Maduro convoca al diálogo a los empresarios", "", V, set(),
                     id="diálogo with business is not the dialogue topic"),
        pytest.param("Gobierno de Colombia y ELN retoman diálogo en Caracas", "", V, set(),
                     id="Colombia-ELN talks in Caracas are not the dialogue topic"),
        pytest.param("Venezuela and Guyana agree to continue talks on Essequibo", "", V, set(),
                     id="talks with Guyana are not the dialogue topic"),
        pytest.param("El plan de vacunación ya está en marcha en Caracas", "", V, set(),
                     id="en marcha is not a march"),
        pytest.param("US military strike hits boat off Venezuela", "", V, set(),
                     id="a military strike is not a strike"),
        pytest.param("Venezuela oil exports rise despite US sanctions", "", V, set(),
                     id="sanctions as the backdrop of an oil story are a bare mention"),
        pytest.param("Treasury targets officials behind post-election crackdown in Venezuela", "", V, set(),
                     id="post-election is not an election story"),
        pytest.param("Cierra la inscripción de cédulas para las elecciones presidenciales", "", V, set(),
                     id="registering one's cédula to vote is Colombia's procedure"),
        pytest.param("Las Juntas Electorales Provinciales inician el escrutinio definitivo", "", V, set(),
                     id="Spain's provincial electoral boards"),
        pytest.param("Los que se marcharán de Venezuela si gana otra vez el chavismo", "", V, set(),
                     id="marcharse is leaving, not marching"),
        # Scope.
        pytest.param("Teachers strike over wages for a third week", "", V, {"protests"},
                     id="a venezuela feed needs no country name"),
        pytest.param("Teachers strike over wages for a third week", "", W, set(),
                     id="a world feed needs Venezuela in the text"),
        pytest.param("Teachers strike over wages in Venezuela", "", W, {"protests"},
                     id="a world feed item about Venezuela counts"),
    ],
)
def test_shipped_topics(terms: Classifier, title: str, summary: str, scope: Scope, topics: set[str]) -> None:
    result = terms.classify(title, summary, scope)
    assert set(result.topics) == topics, result.matches


@pytest.mark.parametrize(("title", "summary", "topics"), [
    pytest.param("El CNE fija la fecha de las elecciones presidenciales",
                 "El presidente del organismo, Elvis Amoroso, leyó el cronograma electoral.", {"cne"},
                 id="a Venezuelan feed's CNE needs no country name: its people name it"),
    pytest.param("El CNE fija la fecha de las elecciones presidenciales", "", {"cne"},
                 id="a Venezuelan feed's bare CNE headline"),
    pytest.param("Trabajadores de Sidor protestan en Guayana por el pago de prestaciones",
                 "Un centenar de trabajadores de la siderúrgica se concentró a las puertas de la planta en Matanzas "
                 "para exigir el pago de sus prestaciones sociales.", {"protests"},
                 id="a Venezuelan outlet's local protest names no country"),
    pytest.param("El CNE de Honduras anuncia resultados", "", set(), id="another country's CNE"),
    pytest.param("Registraduría anuncia la fecha de las elecciones", "", set(), id="Colombia's Registraduría"),
])
def test_the_shipped_model_tells_the_venezuelan_cne_from_others(shipped: Classifier, title: str, summary: str,
                                                                 topics: set[str]) -> None:
    assert set(shipped.classify(title, summary, V).topics) == topics


def test_every_alert_can_say_why(shipped: Classifier) -> None:
    """A protest against the CNE is protest news (the election is its background: classifier.yields_to); an
    alert names the terms behind each topic it matched."""
    result = shipped.classify("Cacerolazo en Caracas contra el CNE", "", V)
    assert result.matches == (("protests", ("cacerolazo*",)),)
    result = shipped.classify("El CNE fija la fecha de las elecciones regionales en Venezuela", "", V)
    assert result.matches == (("cne", ("cne", "eleccion*", "regionales")),)


def test_labelled_real_items_meet_the_targets(shipped: Classifier) -> None:
    """Targets from the first issue: per-topic precision >= 0.90, macro F1 >= 0.90, and recall >= 0.75 (it was
    0.85 for the terms alone; the model's thresholds are chosen for precision on held-out outlets scored as new
    text, and cne's recall is 0.75: four CNE headlines that name nothing Venezuelan are missed, see
    docs/design.md). These items are part of what the model was fitted on: test-split figures are in docs."""
    report = evaluate_file(shipped, DATA / "eval" / "dev.jsonl")
    assert report.items == 88
    assert [row.topic for row in report.topics] == ["protests", "sanctions", "cne", "dialogue"]
    assert report.macro.f1 >= 0.90, format_report(report)
    for row in report.topics:
        assert row.scores.precision >= 0.90, format_report(report)
        assert row.scores.recall >= 0.75, format_report(report)


def test_the_terms_alone_still_meet_the_first_targets(terms: Classifier) -> None:
    """What decides whole posts, and what the model weighs: recall >= 0.85 on the same items."""
    report = evaluate_file(terms, DATA / "eval" / "dev.jsonl")
    for row in report.topics:
        assert row.scores.precision >= 0.90 and row.scores.recall >= 0.85, format_report(report)


def sample_posts() -> list[Any]:
    """(file name, topics) from the table in tests/data/samples/README.md."""
    readme = (DATA / "samples" / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([\w-]+\.txt)` \|.*\| ([a-z, ]+) \|$", readme, re.MULTILINE)
    assert len(rows) == 3
    return [pytest.param(name, set(topics.replace(" ", "").split(",")), id=name) for name, topics in rows]


@pytest.mark.parametrize(("name", "topics"), sample_posts())
def test_each_sample_post_gets_its_topics(shipped: Classifier, name: str, topics: set[str]) -> None:
    text = (DATA / "samples" / name).read_text(encoding="utf-8")
    first, rest = re.split(r"(?<=[.!?])\s+", text, maxsplit=1)
    assert set(shipped.classify(first, rest, V).topics) == topics
    # The title alone (its first sentence) may find fewer topics, never a wrong one.
    assert set(shipped.classify(first, "", V).topics) <= topics


def test_an_item_in_a_language_the_topics_have_no_terms_for_gets_no_topic(shipped_settings: Settings) -> None:
    from bot import classifier_for

    moment = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # any moment: classification reads no clock
    classify = classifier_for(shipped_settings)
    title = "Maduro: oposición denuncia fraude del CNE en las elecciones"
    fired = {language: classify(Item(guid="g", link="https://x.example/", title=title, summary="", language=language,
                                     published_at=moment, fetched_at=moment, content_hash="h"), Scope.VENEZUELA)
             for language in ("es", None, "pt")}
    assert "cne" in fired["es"] and "cne" in fired[None]
    assert fired["pt"] == {}


# ---------------------------------------------------------------------------------------------------
# A topic that yields to another (classifier.yields_to): the background of a story is not its news.

ELECTION = make_topic("e", strong=["consejo electoral"], terms=["elecciones"])
PROTESTS = make_topic("p", terms=["protestas"])


def classify_yielding(keep: str, title: str, summary: str = "") -> tuple[str, ...]:
    context = ClassifierSettings(venezuela_terms=CONTEXT.venezuela_terms, foreign_terms=CONTEXT.foreign_terms,
                                 yields_to=(("e", (("p", keep),)),))
    return compile_classifier([ELECTION, PROTESTS], context).classify(title, summary, V).topics


@pytest.mark.parametrize(
    ("keep", "title", "summary", "topics"),
    [
        pytest.param("title", "Protestas tras las elecciones", "", ("p",),
                     id="next to a topic in the title, a topic without a strong term in the title yields"),
        pytest.param("title", "Elecciones en calma", "Hubo protestas y más protestas.", ("e",),
                     id="it does not yield to a topic found only in the summary"),
        pytest.param("title", "Protestas ante el consejo electoral", "", ("e", "p"),
                     id="a strong term of its own in the title keeps it"),
        pytest.param("title", "Protestas tras las elecciones", "El consejo electoral calla.", ("p",),
                     id="with 'title' a strong term in the summary does not keep it"),
        pytest.param("any", "Protestas tras las elecciones", "El consejo electoral calla.", ("e", "p"),
                     id="with 'any' a strong term anywhere keeps it"),
        pytest.param("title", "Elecciones: las protestas siguen", "", ("p",),
                     id="only the topic that yields is dropped"),
    ],
)
def test_a_topic_yields_to_the_headline_of_another(keep: str, title: str, summary: str,
                                                   topics: tuple[str, ...]) -> None:
    assert classify_yielding(keep, title, summary) == topics


def test_without_yields_to_both_topics_fire() -> None:
    result = compile_classifier([ELECTION, PROTESTS], CONTEXT).classify("Protestas tras las elecciones", "", V)
    assert result.topics == ("e", "p")


def test_yields_to_naming_an_unknown_topic_is_a_config_error() -> None:
    context = ClassifierSettings(venezuela_terms=(), yields_to=(("e", (("x", "title"),)),))
    with pytest.raises(ConfigError, match=r'classifier\.yields_to\.e: unknown topic "x"'):
        compile_classifier([ELECTION, PROTESTS], context)


@pytest.mark.parametrize(
    ("yields_to", "message"),
    [
        pytest.param({"cne": {"strikes": "title"}}, 'classifier.yields_to.cne: unknown topic "strikes"',
                     id="an unknown topic it yields to"),
        pytest.param({"votes": {"cne": "title"}}, 'classifier.yields_to.votes: unknown topic "votes"',
                     id="an unknown topic that yields"),
        pytest.param({"cne": {"cne": "title"}}, "classifier.yields_to.cne: a topic cannot yield to itself",
                     id="a topic yielding to itself"),
        pytest.param({"cne": {"protests": "summary"}}, 'classifier.yields_to: "cne" must be a table',
                     id="a keep that is neither title nor any"),
        pytest.param({"cne": ["protests"]}, 'classifier.yields_to: "cne" must be a table', id="a list"),
    ],
)
def test_the_config_refuses_a_bad_yields_to(yields_to: dict[str, Any], message: str) -> None:
    with (REPO / "config.toml").open("rb") as file:
        document = tomllib.load(file)
    document["classifier"]["yields_to"] = yields_to
    with pytest.raises(ConfigError) as caught:
        parse(document, REPO / "config.toml")
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("title", "summary", "scope", "topics"),
    [
        # An election as the background of another story.
        pytest.param("Protestas en Caracas contra el resultado de las elecciones presidenciales", "", V, {"protests"},
                     id="protests triggered by the result are protests"),
        pytest.param("EE.UU. sanciona a funcionarios venezolanos por el fraude en las elecciones", "", V,
                     {"sanctions"}, id="sanctions over the election are sanctions"),
        pytest.param("Migrants keep leaving Venezuela after the presidential election", "", V, set(),
                     id="migration after the election is not election news"),
        pytest.param("CNE proclama a Maduro y estallan protestas en Caracas", "", V, {"cne", "protests"},
                     id="the CNE in the title keeps cne next to protests"),
        # Other countries' elections, known by their institutions and parties.
        pytest.param("La Registraduría publica el preconteo de las elecciones regionales", "", V, set(),
                     id="the Registraduria is Colombia's"),
        pytest.param("El Pacto Histórico presenta sus candidatos al Senado", "", V, set(),
                     id="the Pacto Historico is Colombian"),
        pytest.param("El JNE proclama los resultados de la segunda vuelta", "", V, set(), id="the JNE is Peru's"),
        pytest.param("El INE aprueba el conteo rápido de la elección presidencial", "", V, set(),
                     id="the INE is Mexico's"),
        pytest.param("Tribunal Supremo de Elecciones de Costa Rica convoca a elecciones", "", V, set(),
                     id="Costa Rica's electoral tribunal"),
        pytest.param("Elecciones en la UCV: estudiantes eligen nuevo rector", "", V, set(),
                     id="a university election is not a national one"),
        # Venezuela known without the word, from a world feed.
        pytest.param("Voluntad Popular convoca una concentración y cacerolazo", "", W, {"protests"},
                     id="Voluntad Popular is Venezuelan"),
        # Words and forms.
        pytest.param("Doctors and nurses march against the government over wages", "", V, {"protests"},
                     id="march as a verb"),
        pytest.param("Gremios advierten de un estallido social", "", V, {"protests"}, id="estallido social"),
        pytest.param("Foro Penal: 800 presos políticos siguen detenidos", "", V, {"protests"},
                     id="a count of political prisoners"),
        pytest.param("Piden liberar a los detenidos poselectorales", "", V, {"protests"},
                     id="poselectorales without t"),
        pytest.param("Canada amends its Special Economic Measures (Venezuela) Regulations", "", V, {"sanctions"},
                     id="Canada's Special Economic Measures are sanctions"),
        pytest.param("EE.UU. congela activos de funcionarios venezolanos", "", V, {"sanctions"},
                     id="congela activos"),
        pytest.param("Gobierno de Venezuela y oposición firman un preacuerdo en México", "", V, {"dialogue"},
                     id="a preacuerdo between the government and the opposition"),
        pytest.param("Government delegation returns to Mexico for a new round of talks",
                     "Both delegations met for three days.", V, {"dialogue"},
                     id="talks whose opposition is only 'both delegations'"),
        pytest.param("Maduro and Grenell hold talks; both sides agree on deportation flights", "", V, set(),
                     id="talks with the US envoy are not the dialogue topic"),
    ],
)
def test_shipped_topics_background_gazetteers_and_forms(terms: Classifier, title: str, summary: str,
                                                        scope: Scope, topics: set[str]) -> None:
    result = terms.classify(title, summary, scope)
    assert set(result.topics) == topics, result.matches
