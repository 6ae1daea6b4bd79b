"""Folding and word splitting: the one place that decides when two spellings are the same word (for
clustering, classification, keyword alerts and command arguments alike)."""

from __future__ import annotations

import pytest

from text import fold, words


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        pytest.param("DIÁLOGO", "dialogo", id="upper case and accents fold to plain lower case"),
        pytest.param("Peña Nieto", "pena nieto", id="ñ folds to n"),
        pytest.param("Pingüino", "pinguino", id="diaeresis is stripped"),
        pytest.param("Straße", "strasse", id="casefold, not lower: ß is ss"),
        pytest.param("İstanbul", "istanbul", id="a dotted capital I leaves no stray combining mark"),
        pytest.param("“Sí” y «no»", '"si" y "no"', id="curly and angle quotes become straight double quotes"),
        pytest.param("Venezuela’s", "venezuela's", id="a curly apostrophe becomes a straight one"),
        pytest.param("2019–2024 — ok", "2019-2024 - ok", id="en and em dashes become hyphens"),
        # What was feeds.cluster.fold (clustering keys) and handlers.args.fold (what people type):
        pytest.param("ÑANDÚ Árbol", "nandu arbol", id="accents and case, as clustering folds titles"),
        pytest.param("Diálogo", "dialogo", id="accents"),
        pytest.param("  CNE   y  Elecciones ", "cne y elecciones", id="case and spaces: each run of spaces is one"),
        pytest.param("Ñandú", "nandu", id="enye"),
        pytest.param("«Diálogo»", '"dialogo"', id="typographic quotes straightened"),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Diálogo, DIALOGO y diálogo", ["dialogo", "dialogo", "y", "dialogo"],
                     id="the same word in any case or accent is one word"),
        pytest.param("post-election crackdown", ["post", "election", "crackdown"], id="a hyphen separates words"),
        pytest.param("EE.UU. sanciona", ["ee", "uu", "sanciona"], id="dots separate the letters of an abbreviation"),
        pytest.param("Guaidó’s envoy", ["guaido", "s", "envoy"], id="an apostrophe separates words"),
        pytest.param("GL 44A expired", ["gl", "44a", "expired"], id="digits are part of words"),
        pytest.param("snake_case", ["snake", "case"], id="an underscore separates words"),
        pytest.param(" \n\t", [], id="blank text has no words"),
    ],
)
def test_words(text: str, expected: list[str]) -> None:
    assert words(text) == expected
