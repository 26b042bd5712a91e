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


@functools.lru_cache(maxsize=256)
def _folded_phrase(query: str) -> re.Pattern | None:
    syllables = parse_query(query).syllables
    return re.compile(r"(?<!\w)" + r"\W+".join(map(re.escape, syllables)) + r"(?!\w)") if syllables else None


def phrase_count(title: str | None, body: str | None, query: str | None) -> int:
    """How often the query's words occur as a phrase, folded: ten per time in the title, one per time in the body.

    The tie-break within a rank: an article that keeps coming back to "Đảng bộ" is more about it than one
    that names it once. Unlike bm25 it needs no pass over every hit, so a page of the best hits stays cheap.
    """
    pattern = _folded_phrase(query or "")
    if pattern is None:
        return 0
    return 10 * len(pattern.findall(fold(title or ""))) + len(pattern.findall(fold(body or "")))


def excerpt(body: str | None, query: str | None, width: int = 90) -> str:
    """About ``width`` characters of body around the first hit of the query, marks as written in the body.

    Folding keeps one character per character of NFC text, so an offset found in the folded body is an
    offset in the body itself.
    """
    if not body:
        return ""
    parsed = parse_query(query)
    folded = fold(body)
    if len(folded) != len(body):  # a character that lower-cases to two (rare): fold one at a time
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
    conn.create_function("vn_phrase_count", 3, phrase_count, deterministic=True)


# Best first: the phrase as typed, diacritics and all (for a query typed with them), in the title, then in
# the body; then the folded phrase in the title, then in the body; then every syllable in the title; then
# the rest. Within one of these tiers: the article that repeats the phrase most, then the most recently
# archived (its id). FTS5 walks a match list in rowid order and can stop early, so a page of the best hits
# costs about the same for a phrase in ten articles and one in half a million (bench.query, 1,000,000
# articles); bm25 cannot, it scores every hit.
_IN_FTS = "articles.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH vn_match(:q, '{}'))"
# Each tier's FTS5 scope, best first; a tier's matches include every better tier's (a title phrase is a
# phrase, a phrase has every syllable), which is what lets :func:`top_ranked_sql` look at each one's newest.
TIERS = ("title_phrase", "phrase", "title_all", "all")
RANK_KEYS = (
    ("accent_title", "vn_accent_hit(articles.title, :q) DESC"),
    ("accent_body", "vn_accent_hit(articles.body, :q) DESC"),
    ("phrase_title", _IN_FTS.format("title_phrase") + " DESC"),
    ("phrase_body", _IN_FTS.format("body_phrase") + " DESC"),
    ("all_in_title", _IN_FTS.format("title_all") + " DESC"),
    ("phrase_count", "vn_phrase_count(articles.title, articles.body, :q) DESC"),
    ("newest", "articles.id DESC"),
)
_BEST_ORDER = "best.accent_title DESC, best.accent_body DESC, best.tier, best.phrase_count DESC, best.id DESC"
# How many hits the ranked page shows: Datasette's canned query ``search`` (its CSV has them all).
TOP_HITS = 100


def ranked_sql(columns: str = "articles.*", where: str = "", limit: bool = False) -> str:
    """SQL for a ranked search over every hit; ``:q`` is the user's query, ``where`` adds ``AND ...`` conditions.

    Complete, so its cost grows with the number of hits: for exports and the CSV of a search. A page of the
    best hits is :func:`top_ranked_sql`.
    """
    order = ",\n    ".join(key for _name, key in RANK_KEYS)
    return (
        f"SELECT {columns}\n"
        "FROM articles_fts JOIN articles ON articles.id = articles_fts.rowid\n"
        f"WHERE articles_fts MATCH vn_match(:q, 'all') {where}\n"
        f"ORDER BY\n    {order}" + ("\nLIMIT :limit" if limit else "")
    )


def top_ranked_sql(columns: str, hits: int = TOP_HITS) -> str:
    """The best ``hits`` hits in :func:`ranked_sql`'s order, at a cost bounded by ``hits``, not by the matches.

    Each tier contributes its ``hits`` newest matches (FTS5 stops there); since a tier's matches include every
    better tier's, no hit of a better tier is missed for one of a worse tier. Within a tier, only the newest
    ``hits`` are compared, so an older article that repeats the phrase more, or (for a query typed with
    marks) matches them where a newer one matches only the folded words, can be left off the page; the
    complete order is :func:`ranked_sql` (the CSV of the search).
    """
    windows = "\n    UNION ALL ".join(
        f"SELECT rowid AS id, {rank} AS tier FROM (SELECT rowid FROM articles_fts "
        f"WHERE articles_fts MATCH vn_match(:q, '{scope}') ORDER BY rowid DESC LIMIT {hits})"
        for rank, scope in enumerate(TIERS, 1)
    )
    return (
        f"WITH candidates AS (\n  SELECT id, min(tier) AS tier FROM (\n    {windows}\n  ) GROUP BY id\n),\n"
        "best AS (\n  SELECT articles.id AS id, candidates.tier AS tier,\n"
        "    vn_accent_hit(articles.title, :q) AS accent_title, vn_accent_hit(articles.body, :q) AS accent_body,\n"
        "    vn_phrase_count(articles.title, articles.body, :q) AS phrase_count\n"
        "  FROM candidates JOIN articles ON articles.id = candidates.id\n"
        f"  ORDER BY {_BEST_ORDER.replace('best.', '')}\n  LIMIT {hits}\n)\n"
        f"SELECT {columns}\nFROM best JOIN articles ON articles.id = best.id\nORDER BY {_BEST_ORDER}"
    )


# The columns of the canned query ``search``: with an excerpt of the body around the hit.
RANKED_COLUMNS = (
    "articles.id, articles.title, articles.site, articles.published, articles.url, "
    "vn_excerpt(articles.body, :q) AS excerpt"
)
# Datasette's canned query ``search`` (see ``datasette_metadata.json``): the best hits, fast at any size.
RANKED_SQL = top_ranked_sql(RANKED_COLUMNS)
# The CSV of that query (``/archive/search.csv?q=``): every hit, in the same order.
RANKED_SQL_ALL = ranked_sql(RANKED_COLUMNS)
