"""Vietnamese search semantics, in one place: the archive, ``export --query`` and Datasette all use this.

What a Vietnamese reader expects, and how it is done:

- "dang uy" finds "Đảng ủy": queries are matched against the folded copies in ``articles_fts``
  (đ→d, no marks, lower case; SQLite's ``remove_diacritics`` never folds đ);
- a query typed in NFD finds what its NFC form finds: every query is NFC-normalised first;
- "hoà"/"hòa" and "thuý"/"thúy" are one word: folding drops the marks wherever they sit, and the
  accent-keeping comparison used for ranking (:func:`accent_pattern`, :func:`accent_key`) accepts either
  tone placement;
- Vietnamese words are several syllables, so a query is never just an AND of scattered syllables: every
  syllable must be present, and the ranking puts the exact phrase (diacritics as typed first, then folded)
  before scattered hits, and title hits before body hits. Quoted parts (``"so ket" dang uy``) must match as
  phrases.

Datasette's table search box cannot rank (the table keeps its own sort, newest first), so there a query is
matched as a phrase (:func:`match_expression` with ``scope="bare_phrase"``); the ranked search is the canned
query ``search`` (see ``datasette_metadata.json``), built from :data:`RANKED_SQL`.
"""

from __future__ import annotations

import functools
import re
import sqlite3
import unicodedata
from dataclasses import dataclass

from scraper.extract.text import clean_text, fold

# Tone marks (as combining characters after NFD): grave, acute, tilde, hook above, dot below.
_TONES = "\u0300\u0301\u0303\u0309\u0323"
# A word (in NFD: letters and their combining marks) and the ending that has two accepted tone placements:
# an open syllable ending in oa, oe or uy ("hòa"/"hoà", "khỏe"/"khoẻ", "thúy"/"thuý", "ủy"/"uỷ").
_WORD = re.compile(r"[^\W\d_][\w\u0300-\u036f]*")
_TONE_PAIR = re.compile(rf"(?P<v1>[oOuU])(?P<t1>[{_TONES}]?)(?P<v2>[aAeEyY])(?P<t2>[{_TONES}]?)$")
_SYLLABLE = re.compile(r"\w+")
_QUOTED = re.compile(r'"([^"]*)"')
FOLDED_COLUMNS = "{title_folded body_folded}"


def _canonical_tone(word: re.Match) -> str:
    text = word.group(0)
    ending = _TONE_PAIR.search(text)
    if not ending or ending["t1"] or not ending["t2"]:
        return text
    if (ending["v1"] + ending["v2"]).lower() not in ("oa", "oe", "uy"):
        return text
    if ending["v1"] in "uU" and text[: ending.start()][-1:] in ("q", "Q"):
        return text  # "quý": u belongs to the consonant qu, the tone stays on y
    return text[: ending.start()] + ending["v1"] + ending["t2"] + ending["v2"]


def normalize_tone_placement(text: str) -> str:
    """Put the tone of a final oa/oe/uy on the first vowel: "hoà"→"hòa", "thuý"→"thúy", "khoẻ"→"khỏe".

    Both placements are in use (old and new style); NFC keeps them different, so search must not.
    """
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", _WORD.sub(_canonical_tone, decomposed))


def accent_key(text: str | None) -> str:
    """Text as typed with its diacritics, but in NFC, lower case, canonical tone placement, single-spaced.

    Two spellings of one word (old and new tone placement) give the same key.
    """
    if not text:
        return ""
    words = _SYLLABLE.findall(normalize_tone_placement(clean_text(text)).lower())
    return " ".join(words)


# Characters for which SQLite's tokenizer (unicode61 remove_diacritics 2) does not make of the text the tokens it
# makes of fold(text), found by indexing every character below U+3000 both ways (and everything above, unchecked).
_TOKENIZER_DIFFERS = re.compile(
    "[\u01e0-\u01e3\u01ee\u01ef\u01fc-\u01ff\u0250-\u1dff\u1f00-\u1fff\u2070-\u209f\u20d0-\U0010ffff]"
)


def index_form(text: str) -> str:
    """What ``articles_fts``' folded columns hold for ``text``: the same FTS tokens as ``fold(text)``, cheaper.

    The tokenizer already lower-cases and drops every mark SQLite knows; only đ→d is left to do. That is twice
    as fast to index as folding in Python (``python -m bench ingest``). Text with a character for which the
    two differ (see ``_TOKENIZER_DIFFERS``; none in Vietnamese), or not in NFC, is folded in full.
    """
    if _TOKENIZER_DIFFERS.search(text) or not unicodedata.is_normalized("NFC", text):
        return fold(text)
    return text.replace("đ", "d").replace("Đ", "D")


def fold_key(text: str | None) -> str:
    """The folded form of text as stored in ``articles_fts``' folded columns and compared by queries."""
    return fold(clean_text(text)) if text else ""


@dataclass(frozen=True)
class Query:
    """A user's query, parsed: every syllable folded, the quoted phrases, and whether marks were typed."""

    text: str
    syllables: tuple[str, ...]
    phrases: tuple[tuple[str, ...], ...]
    accented: bool

    @property
    def empty(self) -> bool:
        return not self.syllables


@functools.lru_cache(maxsize=256)
def parse_query(text: str | None) -> Query:
    """Parse what a user typed (NFC or NFD, with or without diacritics, quotes for phrases)."""
    text = clean_text(text or "")
    phrases = tuple(tuple(_SYLLABLE.findall(fold(p))) for p in _QUOTED.findall(text))
    syllables = tuple(_SYLLABLE.findall(fold(text.replace('"', " "))))
    accented = fold(text) != text.lower()
    return Query(text, syllables, tuple(p for p in phrases if p), accented)


def _phrase(syllables: tuple[str, ...]) -> str:
    return '"' + " ".join(syllables) + '"'


def match_expression(text: str | None, scope: str = "all") -> str:
    """An FTS5 MATCH expression over the folded columns of ``articles_fts`` for a user's query.

    scope: ``all`` (every syllable, quoted parts as phrases), ``phrase`` (the whole query as one phrase),
    ``bare_phrase`` (the same without a column filter),
    ``title_phrase``/``body_phrase`` (the phrase in that column), ``title_all`` (every syllable in the title).
    An empty query gives an expression that matches nothing.
    """
    query = parse_query(text)
    if query.empty:
        return '""'
    everything = " ".join([*(_phrase(p) for p in query.phrases), *(f'"{s}"' for s in query.syllables)])
    whole = _phrase(query.syllables)
    expressions = {
        "all": f"{FOLDED_COLUMNS}: ({everything})",
        "phrase": f"{FOLDED_COLUMNS}: {whole}",
        # No column filter: Datasette adds its own for ?_search_COLUMN=; over the whole row the folded
        # columns decide anyway (an original column never matches a folded phrase its folded copy misses).
        "bare_phrase": whole,
        "title_phrase": f"title_folded: {whole}",
        "body_phrase": f"body_folded: {whole}",
        "title_all": f"title_folded: ({everything})",
    }
    if scope not in expressions:
        raise ValueError(f"unknown search scope {scope!r}")
    return expressions[scope]


def _other_tone_placement(word: str) -> str:
    """The new-style spelling of a canonical (old-style) word: "hòa"→"hoà", "thúy"→"thuý"; else the word."""
    decomposed = unicodedata.normalize("NFD", word)
    ending = _TONE_PAIR.search(decomposed)
    if (
        not ending
        or not ending["t1"]
        or ending["t2"]
        or (ending["v1"] + ending["v2"]).lower() not in ("oa", "oe", "uy")
    ):
        return word
    if ending["v1"] in "uU" and decomposed[: ending.start()][-1:] in ("q", "Q"):
        return word
    moved = decomposed[: ending.start()] + ending["v1"] + ending["v2"] + ending["t1"]
    return unicodedata.normalize("NFC", moved)


@functools.lru_cache(maxsize=256)
def accent_pattern(query: str) -> re.Pattern | None:
    """A regex for the query as typed, marks and all, either tone placement, words apart by any punctuation.

    Compiled once per query, so ranking thousands of hits stays a C-speed search per article.
    """
    parsed = parse_query(query)
    if parsed.empty or not parsed.accented:
        return None
    words = _SYLLABLE.findall(normalize_tone_placement(parsed.text).lower())
    choices = ["(?:" + "|".join(re.escape(v) for v in {w, _other_tone_placement(w)}) + ")" for w in words]
    return re.compile(r"(?<!\w)" + r"\W+".join(choices) + r"(?!\w)")


def accent_hit(text: str | None, query: str | None) -> int:
    """1 when a query typed with diacritics occurs, marks and all, in text (tone placement aside)."""
    pattern = accent_pattern(query or "")
    return int(bool(pattern and text and pattern.search(text.lower())))


def excerpt(body: str | None, query: str | None, width: int = 90) -> str:
    """About ``width`` characters of body around the first hit of the query, marks as written in the body.

    Folding keeps one character per character of NFC text, so an offset found in the folded body is an
    offset in the body itself.
    """
    if not body:
        return ""
    parsed = parse_query(query)
    folded = "".join((fold(ch) or " ")[:1] for ch in body)
    start = -1
    for needle in (" ".join(parsed.syllables), *parsed.syllables):
        if needle and (start := folded.find(needle)) >= 0:
            break
    start = max(start, 0)
    left = max(0, start - width // 3)
    text = body[left : left + width].replace("\n", " ")
    return ("… " if left else "") + text + (" …" if left + width < len(body) else "")


def register_functions(conn: sqlite3.Connection) -> None:
    """Make the search functions available to SQL on ``conn`` (the archive's and Datasette's connections)."""
    conn.create_function("vn_match", 2, match_expression, deterministic=True)
    conn.create_function("vn_accent_hit", 2, accent_hit, deterministic=True)
    conn.create_function("vn_fold", 1, fold_key, deterministic=True)
    conn.create_function("vn_excerpt", 2, excerpt, deterministic=True)


# Best first: the phrase as typed, diacritics and all (for a query typed with them), in the title, then in
# the body; then the folded phrase in the title, then in the body; then every syllable in the title; then
# FTS5's bm25 with the title weighing more.
_IN_FTS = "articles.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH vn_match(:q, '{}'))"
RANK_KEYS = (
    ("accent_title", "vn_accent_hit(articles.title, :q) DESC"),
    ("accent_body", "vn_accent_hit(articles.body, :q) DESC"),
    ("phrase_title", _IN_FTS.format("title_phrase") + " DESC"),
    ("phrase_body", _IN_FTS.format("body_phrase") + " DESC"),
    ("all_in_title", _IN_FTS.format("title_all") + " DESC"),
    ("bm25", "bm25(articles_fts, 0.0, 0.0, 10.0, 1.0)"),
)


def ranked_sql(columns: str = "articles.*", where: str = "", limit: bool = False) -> str:
    """SQL for a ranked search; parameter ``:q`` is the user's query, ``where`` adds conditions (``AND ...``)."""
    order = ",\n    ".join(key for _name, key in RANK_KEYS)
    return (
        f"SELECT {columns}\n"
        "FROM articles_fts JOIN articles ON articles.id = articles_fts.rowid\n"
        f"WHERE articles_fts MATCH vn_match(:q, 'all') {where}\n"
        f"ORDER BY\n    {order}" + ("\nLIMIT :limit" if limit else "")
    )


# The canned query Datasette shows as "search": ranked, with an excerpt of the body around the hit.
RANKED_SQL = ranked_sql(
    "articles.id, articles.title, articles.site, articles.published, articles.url, "
    "vn_excerpt(articles.body, :q) AS excerpt"
)
