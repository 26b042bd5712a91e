"""Text normalisation shared by every extractor.

Vietnamese arrives in NFC, NFD or a mix (macOS input, "Unicode tổ hợp" typing, cp1258 pages), and
old CMS pages indent paragraphs with runs of ``&nbsp;``. Everything we store goes through
:func:`clean_text` so that equal words are equal strings.
"""

from __future__ import annotations

import re
import unicodedata

# Every Unicode space (nbsp, narrow nbsp, em space, ideographic space...) plus zero-width characters
# and the soft hyphen, which Word pastes leave inside words. ``str.split()`` splits on every Unicode space
# (``str.isspace()``: the regex ``[\s\u00a0\u2000-\u200a...]+`` used before, checked character by character)
# and is several times faster than a regex on this hot path.
_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


def clean_text(text: str | None) -> str:
    """NFC-normalise, drop invisible characters and collapse every run of white space to one space."""
    if not text:
        return ""
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        # Already clean but maybe for NFC: the common case of a paragraph, settled by C scans (~4 µs for
        # 1,000 characters, not 18). Printable rules out every space but " " and every invisible character:
        # Python counts all of them as "Separator" or "Other" (tests/test_text.py checks it).
        return text if text.isascii() else unicodedata.normalize("NFC", text)
    if not text.isascii():
        text = _INVISIBLE.sub("", text)
        return unicodedata.normalize("NFC", " ".join(text.split()))
    return " ".join(text.split())


def join_paragraphs(paragraphs: list[str]) -> str:
    """The stored body form: one paragraph per block, a blank line between paragraphs."""
    return "\n\n".join(p for p in paragraphs if p)


def _fold_table() -> dict[int, str | None]:
    """Every Latin letter with marks → its bare letter (đ → d), every combining mark → nothing."""
    table: dict[int, str | None] = {ord("đ"): "d", ord("Đ"): "D"}
    for code in [*range(0x00C0, 0x0250), *range(0x1E00, 0x1F00)]:
        bare = "".join(c for c in unicodedata.normalize("NFD", chr(code)) if not unicodedata.combining(c))
        if bare != chr(code) and bare:
            table[code] = bare
    table.update(dict.fromkeys(range(0x0300, 0x0370)))
    return table


_FOLD = _fold_table()


def fold(text: str) -> str:
    """Fold Vietnamese for search: đ→d, strip every mark, lowercase ("Đảng ủy" → "dang uy").

    SQLite's ``remove_diacritics`` never folds đ, so "dang uy" would not find "Đảng ủy" without this.
    A translate table, not NFD + filter: it runs on every stored body, and is about 10× faster.
    """
    return unicodedata.normalize("NFC", text).translate(_FOLD).lower()
