"""Stream articles out of the archive as CSV, JSON or newline-delimited JSON, in constant memory."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TextIO

from archive import search
from archive.store import Archive

DEFAULT_COLUMNS = [
    "id",
    "url",
    "site",
    "category",
    "party",
    "title",
    "published",
    "author",
    "body",
    "first_seen",
    "last_seen",
]
FORMATS = ("csv", "json", "ndjson")


@dataclass(frozen=True)
class Selection:
    """Which articles an export takes: every filter is optional and they combine with AND."""

    site: str | None = None
    since: str | None = None
    until: str | None = None
    query: str | None = None
    category: str | None = None


def check_date(value: str | None) -> str | None:
    """Accept YYYY, YYYY-MM or YYYY-MM-DD (a researcher's "2024" means the whole year); raise ValueError."""
    if value is None:
        return None
    formats = {4: "%Y", 7: "%Y-%m", 10: "%Y-%m-%d"}
    try:
        datetime.strptime(value, formats[len(value)])
    except (KeyError, ValueError):
        raise ValueError(f"expected a date as YYYY, YYYY-MM or YYYY-MM-DD, got {value!r}") from None
    return value


def article_rows(
    archive: Archive, columns: list[str], site: str | None = None, selection: Selection | None = None
) -> Iterator[dict]:
    """Articles newest first (best match first with a query), filtered by ``selection``; streamed."""
    selection = selection or Selection(site=site)
    known = {column.name for column in archive.db["articles"].columns}
    unknown = [c for c in columns if c not in known]
    if unknown:
        raise ValueError(f"unknown column(s): {', '.join(unknown)} (known: {', '.join(sorted(known))})")
    where, params = _conditions(selection)
    chosen = ", ".join(f"articles.{c}" for c in columns)
    if selection.query and not search.parse_query(selection.query).empty:
        sql = search.ranked_sql(chosen, "".join(f" AND {w}" for w in where))
        params["q"] = selection.query
    else:
        sql = f"SELECT {chosen} FROM articles"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY articles.published DESC, articles.id DESC"
    return archive.iter_rows(sql, params)


def _conditions(selection: Selection) -> tuple[list[str], dict]:
    where: list[str] = []
    params: dict = {}
    if selection.site:
        where.append("articles.site = :site")
        params["site"] = selection.site
    if selection.since:
        where.append("articles.published >= :since")
        params["since"] = selection.since
    if selection.until:
        # "2024-05" keeps every date that starts with 2024-05: compare the same number of characters.
        where.append("substr(articles.published, 1, length(:until)) <= :until")
        params["until"] = selection.until
    if selection.category:
        where.append("vn_fold(articles.category) = vn_fold(:category)")
        params["category"] = selection.category
    return where, params


def write_rows(rows: Iterator[dict], columns: list[str], fmt: str, out: TextIO) -> int:
    """Write rows in ``fmt`` as they come; returns how many were written."""
    count = 0
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n")
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            count += 1
    elif fmt == "ndjson":
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    else:
        out.write("[")
        for row in rows:
            out.write(("," if count else "") + "\n" + json.dumps(row, ensure_ascii=False))
            count += 1
        out.write("\n]\n")
    return count
