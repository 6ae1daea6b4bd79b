"""The one folding, word splitting and shortening of plain text, shared by normalising, clustering,
classification, keyword alerts, command arguments and message formatting.

Config terms, users' alert phrases and feed text all go through the same two functions, so "Diálogo",
"DIALOGO" and "diálogo" are one word everywhere. Pure: standard library only, no I/O.
"""

from __future__ import annotations

import re
import unicodedata

# Typographic quotes and dashes as phones and newsrooms type them, mapped to their ASCII forms so that
# a “quoted phrase” reads like a "quoted phrase". (A regex finds them: str.translate is slow on long text.)
_TYPOGRAPHY = {
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u00b4`", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
}
_TYPOGRAPHIC = re.compile(f"[{''.join(_TYPOGRAPHY)}]")
# The combining-mark blocks that NFKD leaves behind once accents are split off their letters.
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_WORD = re.compile(r"[^\W_]+")


def _strip_accents(text: str) -> str:
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text.casefold()))


def fold(text: str) -> str:
    """Lower-case `text`, strip its accents, straighten its quotes and make each run of white space one
    space: "  Diálogo – «Sí» " -> 'dialogo - "si"'. What people type (commands, alert phrases), config
    terms and feed titles (clustering keys) are all compared folded this way."""
    return " ".join(_strip_accents(_TYPOGRAPHIC.sub(lambda match: _TYPOGRAPHY[match.group()], text)).split())


def words(text: str) -> list[str]:
    """The folded words of `text`, in order. Anything but a letter or digit separates words, so
    "post-election" is two words and "EE.UU." is "ee", "uu"."""
    return _WORD.findall(_strip_accents(text))


def shorten(text: str, limit: int) -> str:
    """Fold white space and cut to at most `limit` characters, at a word boundary when one is near,
    ending with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-–—") + "…"
