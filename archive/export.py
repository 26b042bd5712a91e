"""Stream articles out of the archive as CSV, JSON or newline-delimited JSON, in constant memory."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import TextIO

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


def article_rows(archive: Archive, columns: list[str], site: str | None = None) -> Iterator[dict]:
    """Articles newest first, optionally of one site."""
    known = {column.name for column in archive.db["articles"].columns}
    unknown = [c for c in columns if c not in known]
    if unknown:
        raise ValueError(f"unknown column(s): {', '.join(unknown)} (known: {', '.join(sorted(known))})")
    sql = f"SELECT {', '.join(columns)} FROM articles"
    params: list = []
    if site:
        sql += " WHERE site = ?"
        params.append(site)
    sql += " ORDER BY published DESC, id DESC"
    return archive.iter_rows(sql, params)


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
