"""Text normalisation shared by every extractor.

Vietnamese arrives in NFC, NFD or a mix (macOS input, "Unicode tổ hợp" typing, cp1258 pages), and
old CMS pages indent paragraphs with runs of ``&nbsp;``. Everything we store goes through
:func:`clean_text` so that equal words are equal strings.
"""

from __future__ import annotations

import re
import unicodedata

# Every Unicode space (nbsp, narrow nbsp, em space, ideographic space...) plus zero-width characters
# and the soft hyphen, which Word pastes leave inside words.
_SPACES = re.compile(r"[\s\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


def clean_text(text: str | None) -> str:
    """NFC-normalise, drop invisible characters and collapse every run of white space to one space."""
    if not text:
        return ""
    text = _INVISIBLE.sub("", text)
    text = _SPACES.sub(" ", text).strip()
    return unicodedata.normalize("NFC", text)


def join_paragraphs(paragraphs: list[str]) -> str:
    """The stored body form: one paragraph per block, a blank line between paragraphs."""
    return "\n\n".join(p for p in paragraphs if p)


def fold(text: str) -> str:
    """Fold Vietnamese for search: đ→d, strip every combining mark, lowercase.

    SQLite's ``remove_diacritics`` never folds đ, so "dang uy" would not find "Đảng ủy" without this.
    """
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped).lower()
