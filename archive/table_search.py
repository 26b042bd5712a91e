"""The ``articles`` table's search box (``?_search=``, ``?_search_COLUMN=``): its SQL, in place of Datasette's.

Datasette writes a table search as ``id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ...)``.
SQLite then drives the query with that list: it reads every matching row, whole, to sort them by date. On
1,000,000 articles "chi bộ" matches 795,000 and took 5 s, past the 3 s limit, so the researcher got an error
page. Here, when a phrase matches more than one article in ``DENSE_SHARE``, the same test is written
``+id IN (...)``: the unary plus keeps SQLite from driving with it, so it walks the date index newest first and
keeps the rows that match (0.3 s for "chi bộ"; the count 0.55 s instead of 0.8). A rarer phrase keeps the
lookup: for one hit it takes 2 ms, where a walk of the whole index would take 0.17 s. Deciding costs one
FTS5 count that stops at the threshold (under 10 ms).

What matches is unchanged: the phrase folded over the folded columns (``escape_fts``, archive/search.py), or the
raw FTS5 query with ``?_searchmode=raw``. ``?_search_title=`` and ``?_search_body=`` search the folded copies
(the unfolded FTS columns are empty since m009, so Datasette's own filter found nothing there).

The two plans were timed with sqlite3 on the archive ``python -m bench query`` generates; that benchmark times
the pages as Datasette serves them.
"""

from __future__ import annotations

from dataclasses import dataclass

TABLE = "articles"
FTS_TABLE = "articles_fts"
# A column of the search box's ``?_search_COLUMN=`` → the FTS5 column it searches.
COLUMNS = {"title": "title_folded", "body": "body_folded", "title_folded": "title_folded",
           "body_folded": "body_folded"}  # fmt: skip
# A phrase is dense when it matches more than one article in this many: see the module's docstring. Where the
# two plans cost about the same on the 1,000,000 articles of bench.query's archive: reading each match whole
# takes about 6 µs, a step of the date index 0.16 µs.
DENSE_SHARE = 40


@dataclass(frozen=True)
class Search:
    """One search of the request: its text, the FTS5 column it is limited to (None: the whole row)."""

    text: str
    column: str | None
    param: str  # the SQL parameter that carries the text

    @property
    def target(self) -> str:
        return FTS_TABLE if self.column is None else f"[{self.column}]"

    def match(self, raw: bool) -> str:
        """The MATCH condition: the text folded into a phrase (``escape_fts``), or as typed in raw mode."""
        expression = f":{self.param}" if raw else f"escape_fts(:{self.param})"
        return f"{self.target} MATCH {expression}"

    def describe(self) -> str:
        if self.column is None:
            return f'search matches "{self.text}"'
        return f'search column "{self.column}" matches "{self.text}"'


def searches(args: dict[str, str]) -> list[Search]:
    """The searches a table page's query string asks for, read as Datasette reads them: ``_search`` alone
    when it is there, else every ``_search_COLUMN``. An unknown column raises ValueError (Datasette: a 400)."""
    if (args.get("_search") or "").strip():
        return [Search(args["_search"], None, "hn_search")]
    found = []
    for key, text in args.items():
        if not key.startswith("_search_") or not text.strip():
            continue
        column = COLUMNS.get(key.removeprefix("_search_"))
        if column is None:
            raise ValueError(f"Cannot search by that column: {key.removeprefix('_search_')}")
        found.append(Search(text, column, f"hn_search_{column}"))
    return found


def threshold_sql() -> str:
    """How many matches make a phrase dense in this archive (its largest id stands in for its size: O(log n))."""
    return f"SELECT coalesce(max(id), 0) / {DENSE_SHARE} + 1 FROM {TABLE}"


def dense_sql(search: Search, raw: bool) -> str:
    """1 when the search matches at least ``:enough`` articles; FTS5 stops counting there."""
    inner = f"SELECT 1 FROM {FTS_TABLE} WHERE {search.match(raw)} LIMIT :enough"
    return f"SELECT count(*) >= :enough FROM ({inner})"


def where_clause(search: Search, raw: bool, dense: bool) -> str:
    """The search as a condition on ``articles``; ``dense``: one SQLite tests, rather than drives with."""
    key = "+id" if dense else "id"
    return f"{key} IN (SELECT rowid FROM {FTS_TABLE} WHERE {search.match(raw)})"
