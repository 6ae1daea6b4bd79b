"""Keyword alerts: what a phrase means, what it matches, and that many alerts match one story fast and right."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from delivery.keywords import MAX_LENGTH, KeywordIndex, StoryText, parse_phrase
from errors import UsageError


@pytest.mark.parametrize(
    ("phrase", "canonical"),
    [
        pytest.param("Chevron", "chevron", id="one word, folded"),
        pytest.param("sanciones  CHEVRON", "chevron sanciones", id="words are sorted: their order does not matter"),
        pytest.param("paro paro PARO", "paro", id="a repeated word counts once"),
        pytest.param('"Edmundo González"', '"edmundo gonzalez"', id="a quoted phrase keeps its words together"),
        pytest.param("“Edmundo González”", '"edmundo gonzalez"', id="phone-typed curly quotes work"),
        pytest.param('"Chevron"', "chevron", id="a quoted single word is just the word"),
        pytest.param("protestas -Chile", "protestas -chile", id="a minus excludes a word"),
        pytest.param('cne -"consejo nacional electoral de colombia"', 'cne -"consejo nacional electoral de colombia"',
                     id="a minus excludes a quoted phrase"),
        pytest.param("pro-gobierno", '"pro gobierno"', id="a hyphenated word is a phrase of its parts"),
        pytest.param("sanciones - chevron", "chevron sanciones", id="a lone minus says nothing"),
        pytest.param("(x+ .* \\d", "d x", id="regex syntax is just punctuation between words"),
    ],
)
def test_a_phrase_parses_to_its_canonical_form(phrase: str, canonical: str) -> None:
    query = parse_phrase(phrase)
    assert query.canonical == canonical
    assert parse_phrase(query.canonical) == query


@pytest.mark.parametrize(
    ("phrase", "detail_key"),
    [
        pytest.param("", "alert_empty", id="nothing"),
        pytest.param('  "" !!! ', "alert_empty", id="no words at all"),
        pytest.param("-chile -colombia", "alert_only_exclusions", id="only exclusions would match every story"),
        pytest.param('"Edmundo González', "alert_unbalanced_quote", id="a quote left open"),
        pytest.param("x" * (MAX_LENGTH + 1), "alert_too_long", id="longer than the limit"),
    ],
)
def test_a_bad_phrase_is_a_usage_error_of_alert(phrase: str, detail_key: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_phrase(phrase)
    assert (caught.value.command, caught.value.detail_key) == ("alert", detail_key)


def test_the_length_limit_counts_the_normalised_phrase() -> None:
    assert parse_phrase("  " + "X" * MAX_LENGTH + "  ").canonical == "x" * MAX_LENGTH
    assert parse_phrase("sanciones " * 20).canonical == "sanciones"
    with pytest.raises(UsageError) as caught:
        parse_phrase("x" * (MAX_LENGTH + 1))
    assert caught.value.detail_args == {"limit": MAX_LENGTH}


@pytest.mark.parametrize(
    ("phrase", "title", "summary", "matches"),
    [
        pytest.param("diálogo", "Se retoma el DIALOGO", "", True, id="case and accents never matter"),
        pytest.param("paro", "Liberan bajo parole a detenido", "", False, id="words match whole, not inside others"),
        pytest.param("sanciones chevron", "Chevron obtiene licencia", "Alivio de sanciones", True,
                     id="words may be in the title or the summary, in any order"),
        pytest.param("sanciones chevron", "Chevron obtiene licencia", "", False, id="every word must appear"),
        pytest.param('"Edmundo González"', "Edmundo González viaja a España", "", True, id="a phrase as written"),
        pytest.param('"Edmundo González"', "González y Edmundo", "", False, id="a phrase needs its words in order"),
        pytest.param('"Edmundo González"', "Habla Edmundo", "González respondió", False,
                     id="a phrase does not run from the title into the summary"),
        pytest.param("protestas -chile", "Protestas en Chile", "", False, id="an excluded word stops the match"),
        pytest.param("protestas -chile", "Protestas en Caracas", "", True, id="without it the match stands"),
        pytest.param('cne -"de colombia"', "El CNE de Colombia multa", "", False, id="an excluded phrase stops it"),
        pytest.param('cne -"de colombia"', "El CNE responde a Colombia", "", True,
                     id="an excluded phrase's words apart do not stop it"),
        pytest.param("a.b", "a b", "", True, id="a dot in a phrase is a word break, not a regex wildcard"),
        pytest.param("a.b", "axb", "", False, id="so it never matches like a regex would"),
    ],
)
def test_matching(phrase: str, title: str, summary: str, matches: bool) -> None:
    assert parse_phrase(phrase).matches(StoryText.of(title, summary)) is matches


ALERTS = ["sanciones", "chevron licencia", '"edmundo gonzalez"', "protestas -chile", 'cne -"de colombia"',
          "diálogo oposición", "paro", '"acuerdo de barbados" sanciones', "maduro", "elecciones -honduras"]
STORIES = [
    ("EE.UU. levanta sanciones tras el Acuerdo de Barbados", "Maduro celebra la licencia a Chevron"),
    ("Protestas en Chile por las pensiones", "Miles marcharon en Santiago"),
    ("El CNE de Colombia multa a Petro", "Elecciones en Honduras"),
    ("Edmundo González llega a España", "El diálogo con la oposición sigue congelado"),
    ("Paro de transporte en Maracaibo", ""),
    ("", ""),
]


@pytest.mark.parametrize(("title", "summary"), STORIES)
def test_the_index_finds_exactly_what_checking_every_alert_finds(title: str, summary: str) -> None:
    queries = [(number, parse_phrase(phrase)) for number, phrase in enumerate(ALERTS)]
    story = StoryText.of(title, summary)
    assert KeywordIndex.build(queries).matching(title, summary) == {
        number for number, query in queries if query.matches(story)}


def test_the_index_on_a_story_that_matches_several_alerts() -> None:
    index = KeywordIndex.build((phrase, parse_phrase(phrase)) for phrase in ALERTS)
    assert index.matching(*STORIES[0]) == {"sanciones", "chevron licencia", '"acuerdo de barbados" sanciones', "maduro"}


WORD = st.sampled_from(["paro", "sanciones", "Chevron", "diálogo", "CNE", "edmundo", "gonzález", "chile", "ee.uu."])
PART = st.one_of(WORD, st.lists(WORD, min_size=1, max_size=3).map(lambda chosen: '"' + " ".join(chosen) + '"'))


@given(required=st.lists(PART, min_size=1, max_size=4), excluded=st.lists(PART, max_size=2))
def test_any_phrase_survives_a_round_trip_through_its_canonical_form(required: list[str], excluded: list[str]) -> None:
    try:
        query = parse_phrase(" ".join([*required, *("-" + part for part in excluded)]))
    except UsageError as refused:
        assert refused.detail_key == "alert_too_long"
        return
    assert len(query.canonical) <= MAX_LENGTH
    assert parse_phrase(query.canonical) == query
