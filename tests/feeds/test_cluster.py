"""feeds.cluster on real-looking headline pairs: the same event from two outlets (or re-published) is one
story; two different events of the same day, however alike their wording, are two."""

from __future__ import annotations

import pytest

from feeds.cluster import StoryIndex, distinctive_keys, find_story, similarity, title_key
from model import StoryKey

SAME_STORY = [
    ("CNE anuncia fecha de las elecciones regionales: serán el 14 de marzo",
     "El CNE fijó el 14 de marzo como fecha para las elecciones regionales"),
    ("CNE fija para el 14 de marzo las elecciones regionales y municipales",
     "CNE anuncia que las elecciones regionales serán el 14 de marzo - El Universal"),
    ("EE.UU. sanciona a ocho funcionarios venezolanos por la represión postelectoral",
     "EEUU sanciona a ocho funcionarios venezolanos por represión postelectoral"),
    ("US Treasury sanctions 8 Venezuelan officials over post-election crackdown",
     "Treasury sanctions eight Venezuelan officials over post-election crackdown"),
    ("María Corina Machado convoca protesta nacional para el sábado",
     "Machado convoca a una protesta nacional este sábado"),
    ("Gobierno y oposición retoman el diálogo en Barbados",
     "Gobierno y oposición retoman el diálogo en Barbados - El Pitazo"),
    ("EN VIVO | Docentes protestan frente al Ministerio de Educación por salarios",
     "Docentes protestan frente al Ministerio de Educación por salarios"),
    ("Detienen a dirigente sindical de Sidor en Puerto Ordaz",
     "Detienen a dirigente sindical de Sidor en Puerto Ordaz (+video)"),
    ("Venezuela's opposition and government resume talks in Barbados",
     "Venezuela opposition, government resume talks in Barbados"),
    ("Cacerolazos en Caracas, Maracaibo y Valencia por los apagones",
     "Cacerolazos en Caracas, Valencia y Maracaibo tras nuevos apagones"),
]

DIFFERENT_STORIES = [
    ("CNE anuncia cronograma de las elecciones regionales",
     "CNE anuncia auditoría del registro electoral para las regionales"),
    ("CNE aprueba cronograma para las elecciones parlamentarias de 2027",
     "CNE aprueba reglamento de observación internacional para las parlamentarias"),
    ("CNE designa nuevos rectores regionales", "CNE anuncia fecha de las elecciones regionales"),
    ("CNE publica resultados del primer boletín", "CNE publica resultados del segundo boletín"),
    ("EE.UU. sanciona a funcionarios venezolanos", "EE.UU. sanciona a funcionarios rusos por Ucrania"),
    ("Venezuela's CNE sets date for regional elections", "Colombia's CNE sets date for regional elections"),
    ("Oposición convoca marcha en Caracas para el sábado", "Chavismo convoca marcha en Caracas para el sábado"),
    ("Protesta en Caracas deja 2 heridos", "Protesta en Caracas deja 15 detenidos"),
    ("Maduro anuncia aumento del salario mínimo en Venezuela", "Maduro anuncia reunión con China en Venezuela"),
    ("Estudiantes protestan en Santiago de Chile", "Estudiantes protestan en Caracas"),
    ("Última hora", "Última hora"),
    # Successive announcements of one process: the CNE's bulletin and its proclamation, the date and the call.
    ("El CNE publica el primer boletín: Maduro reelecto presidente de Venezuela",
     "El CNE proclama a Maduro reelecto presidente de Venezuela"),
    ("CNE fija el 28 de julio como fecha de las presidenciales",
     "CNE publica en Gaceta la convocatoria a las presidenciales del 28 de julio"),
    # Maduro's people are Venezuelans (a pair of tests/data/stories/pairs.jsonl).
    ("U.S. issues sanctions against 4 Maduro loyalists", "EE.UU. impone sanciones a cuatro funcionarios nicaragüenses"),
]


@pytest.mark.parametrize(("first", "second"), SAME_STORY, ids=[pair[1] for pair in SAME_STORY])
def test_near_duplicate_titles_are_the_same_story(first: str, second: str) -> None:
    assert similarity(title_key(first), title_key(second)) > 0
    assert find_story(title_key(second), None, [StoryKey(7, title_key(first), "https://a.example/1")]) == 7


@pytest.mark.parametrize(("first", "second"), DIFFERENT_STORIES, ids=[pair[1] for pair in DIFFERENT_STORIES])
def test_different_events_with_alike_titles_are_different_stories(first: str, second: str) -> None:
    assert similarity(title_key(first), title_key(second)) == 0
    assert find_story(title_key(second), None, [StoryKey(7, title_key(first), "https://a.example/1")]) is None


@pytest.mark.parametrize(("title", "key"), [
    ("Elección en Mérida: ¿qué pasó?", "eleccion merida paso"),
    ("EE.UU. y la ONU", "eeuu onu"),
    ("Las SANCIONES de la UE", "sancion ue"),
    ("", ""),
    ("¡¿...?!", ""),
], ids=["accents and punctuation folded, stopwords dropped", "acronym dots removed", "case and plural folded",
        "empty", "only punctuation"])
def test_title_key(title: str, key: str) -> None:
    assert title_key(title) == key


def test_a_title_key_ends_with_the_language_of_the_title_when_it_is_known() -> None:
    assert title_key("Las SANCIONES de la UE", "es") == "sancion ue @es"
    assert title_key("EU sanctions", "en") == "ue sancion @en"
    assert title_key("¡¿...?!", "es") == "", "no tokens, no key"


def test_the_same_canonical_link_is_the_same_story_whatever_the_title() -> None:
    candidates = [StoryKey(3, title_key("Otro título cualquiera"), "https://outlet.example/nota")]
    assert find_story(title_key("Título corregido"), "https://outlet.example/nota", candidates) == 3


def test_the_best_match_wins_and_a_tie_goes_to_the_newest_story() -> None:
    index = StoryIndex([
        StoryKey(1, title_key("CNE fija el 14 de marzo las elecciones regionales"), ""),
        StoryKey(2, title_key("CNE fija el 14 de marzo las elecciones regionales y municipales"), ""),
        StoryKey(3, title_key("CNE fija el 14 de marzo las elecciones regionales"), ""),
    ])
    match = index.find(title_key("CNE fija el 14 de marzo las elecciones regionales y municipales"))
    assert match is not None and match.story_id == 2
    match = index.find(title_key("CNE fija el 14 de marzo las elecciones regionales"))
    assert match is not None and match.story_id == 3


def test_the_index_finds_matches_among_thousands_of_stories_by_rare_words() -> None:
    index = StoryIndex(StoryKey(n, f"venezuela maduro gobierno tema{n} asunto{n}", "") for n in range(5000))
    index.add(StoryKey(9000, title_key("CNE fija el 14 de marzo las elecciones regionales"), ""))
    match = index.find(title_key("El CNE fijó el 14 de marzo para las elecciones regionales en Venezuela"))
    assert match is not None and match.story_id == 9000
    assert index.find(title_key("Venezuela Maduro gobierno otra cosa")) is None
    assert len(index) == 5001


def test_a_title_a_feed_uses_for_different_documents_is_boilerplate_and_never_clusters() -> None:
    keys = [title_key("Notice of OFAC Sanctions Actions"), title_key("Notice of OFAC Sanctions Actions"),
            title_key("Publication of a General License")]
    links = ["https://fr.example/2026-1", "https://fr.example/2026-2", "https://fr.example/2026-3"]
    assert distinctive_keys(keys, links) == ["", "", keys[2]]
    assert distinctive_keys(keys[:1] * 2, links[:1] * 2) == keys[:1] * 2, "the same entry twice is not boilerplate"
    assert StoryIndex([StoryKey(1, "", "https://fr.example/2026-1")]).find("", None) is None


@pytest.mark.parametrize("spellings", [
    ["EE. UU. sanciona a ocho funcionarios", "EE.UU. sanciona a ocho funcionarios", "EEUU sanciona a 8 funcionarios",
     "Estados Unidos sanciona a ocho funcionarios"],
    ["U.S. sanctions eight officials", "US sanctions 8 officials", "United States sanctions eight officials",
     "USA sanctions eight officials"],
    ["La UE renueva sanciones", "La Unión Europea renueva sanciones", "La U.E. renueva sanciones"],
], ids=["united states (es) and numbers", "united states (en) and numbers", "european union"])
def test_spellings_of_one_name_or_number_are_one_key(spellings: list[str]) -> None:
    assert len({title_key(title) for title in spellings}) == 1, [title_key(title) for title in spellings]


def test_the_pronoun_us_is_not_the_country() -> None:
    assert "eeuu" not in title_key("Maduro tells us nothing new") and "eeuu" in title_key("US tells Maduro")


def test_one_event_spelt_two_ways_by_two_outlets_is_one_story() -> None:
    first = title_key("EE. UU. sanciona al ministro venezolano de Petróleo por corrupción")
    second = title_key("EEUU sanciona a ministro venezolano de Petróleo por corrupción en PDVSA")
    assert similarity(first, second) > 0


def test_sanctions_lifted_are_not_sanctions_put_back() -> None:
    assert similarity(title_key("EE.UU. levanta sanciones al petróleo y gas de Venezuela"),
                      title_key("El gobierno de EEUU reinstauró sanciones al sector de petróleo y gas de Venezuela")) == 0
