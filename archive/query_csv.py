"""Every row of a query as CSV, streamed: what Datasette 0.65 does for tables and views but not for queries.

Datasette streams a table's or a view's CSV page after page (``_stream=on``), but the CSV of a canned query
(the ranked ``search``, ``party_roles``) or of ``?sql=`` stops at ``max_returned_rows`` without a word. Here
the query runs once on its own read-only connection and rows are written as they are fetched, a batch at a
time, so memory stays constant and nothing is cut. Each batch has the server's SQL time limit.
"""

from __future__ import annotations

import asyncio
import csv
import sqlite3
import time
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from urllib.parse import quote

from archive import search

BATCH_ROWS = 500


class _Line:
    """A file-like target for one ``csv.writer`` row at a time."""

    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text


def open_read_only(path: str | Path) -> sqlite3.Connection:
    """A connection that cannot write, with the archive's search functions (``vn_match``, ``vn_fold``...)."""
    conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
    search.register_functions(conn)
    return conn


def _time_limit(conn: sqlite3.Connection, limit_ms: int) -> Callable[[], None]:
    """Abort any single batch that runs longer than ``limit_ms``; returns the function that restarts the clock."""
    deadline = [0.0]
    conn.set_progress_handler(lambda: int(time.monotonic() > deadline[0]), 1000)

    def restart() -> None:
        deadline[0] = time.monotonic() + limit_ms / 1000 if limit_ms else float("inf")

    return restart


async def stream_rows(
    db_path: str | Path,
    sql: str,
    params: Mapping[str, object],
    write: Callable[[str], Awaitable[None]],
    *,
    header: bool = True,
    time_limit_ms: int = 0,
) -> int:
    """Run ``sql`` read-only and ``write`` it as CSV lines, ``BATCH_ROWS`` at a time; returns rows written.

    The cursor is fetched from worker threads one batch at a time (the connection is used by one thread at
    a time), so the event loop keeps serving other requests meanwhile.
    """
    conn = open_read_only(db_path)
    restart = _time_limit(conn, time_limit_ms)
    rows = 0
    try:
        restart()
        cursor = await asyncio.to_thread(conn.execute, sql, dict(params))
        if header:
            await write(csv_line([d[0] for d in cursor.description]))
        while True:
            restart()
            batch = await asyncio.to_thread(cursor.fetchmany, BATCH_ROWS)
            if not batch:
                return rows
            await write("".join(csv_line(row) for row in batch))
            rows += len(batch)
    finally:
        conn.close()


def csv_line(values) -> str:
    line = _Line()
    csv.writer(line).writerow(["" if v is None else v.hex() if isinstance(v, bytes) else v for v in values])
    return line.text


def download_name(name: str) -> str:
    """A Content-Disposition value for ``name``.csv that keeps a Vietnamese name readable (RFC 6266)."""
    ascii_name = name.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return f"attachment; filename=\"{ascii_name}.csv\"; filename*=UTF-8''{quote(name)}.csv"
