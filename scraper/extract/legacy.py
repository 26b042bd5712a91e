"""TCVN3 (ABC, .VnTime fonts) and VNI text inside pages that declare a Western charset: detect, then convert.

Old hospital pages and Word pastes carry Vietnamese typed in legacy 8-bit fonts: the bytes decode as
Latin-1/cp1252 letters ("Céng hoµ x· héi", "Coäng hoøa xaõ"). ftfy does not repair these; the ``viparse``
package (pure stdlib, MIT) detects and converts them exactly. Detection runs on the page's suspect text
nodes together, conversion node by node, so a Unicode template around a pasted TCVN3 article stays as it is.
It must run before any text cleaning: TCVN3 writes "ư" as byte 0xAD, the soft hyphen that cleaners delete.
"""

from __future__ import annotations

import re

import lxml.html

# A Latin-1 letter or sign where Vietnamese should be, and letters only Unicode Vietnamese has.
_LATIN1 = re.compile(r"[\u00a1-\u00ff]")
_VIETNAMESE = re.compile(r"[\u0102\u0103\u0110\u0111\u0128\u0129\u0168\u0169\u01a0\u01a1\u01af\u01b0\u1ea0-\u1ef9]")
_ENCODINGS = ("tcvn3", "vni")
_MIN_SAMPLE = 40


def _suspect(text: str | None) -> bool:
    # isascii() first: it reads a flag the string already carries, and most text nodes of any page (white space
    # between tags, menus, numbers) are ASCII, which holds no Latin-1 letter: the regexes run on the rest.
    return bool(text) and not text.isascii() and bool(_LATIN1.search(text)) and not _VIETNAMESE.search(text)


def repair_legacy_text(root: lxml.html.HtmlElement) -> str | None:
    """Convert TCVN3/VNI text nodes of a parsed page to Unicode in place; returns the encoding found, or None."""
    slots = []
    for element in root.iter():
        if isinstance(element.tag, str) and _suspect(element.text):
            slots.append((element, "text"))
        if _suspect(element.tail):
            slots.append((element, "tail"))
    sample = " ".join(getattr(element, slot) for element, slot in slots)
    if len(sample) < _MIN_SAMPLE:
        return None
    import viparse

    encoding = viparse.detect_text_encoding(sample[:20000])
    if encoding not in _ENCODINGS:
        return None
    for element, slot in slots:
        setattr(element, slot, viparse.fix(getattr(element, slot), encoding=encoding))
    return encoding
