"""Ingest benchmark: articles per second into the archive (FTS and facts included) against sqlite-utils.

Three writers get the same rows, in batches of ``BATCH`` (one transaction each, as the crawl pipeline
writes), each into a fresh file with the archive's durability settings (WAL, ``synchronous = NORMAL``):

- ``insert_all``: plain sqlite-utils ``insert_all``, no index at all (the headline ratio, target ≥ 0.70);
- ``insert_all+fts``: the same, with sqlite-utils' ``enable_fts`` on title and body (FTS5, the archive's
  tokenizer, triggers filling it as rows arrive): the floor of what a searchable archive costs;
- the archive: ``Archive.save_articles``, with versions, aliases, folded FTS and Party facts.

Each is run ``REPEAT`` times, interleaved, and the median is reported: the machine is shared and noisy.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlite_utils import Database

from archive.store import FTS_TOKENIZER, Archive
from scraper.mirror import load_articles
from scraper.profiles import load_profile

BATCH = 50
REPEAT = 3


def synthetic_articles(count: int) -> list[dict]:
    """``count`` distinct articles built from the mirrors' real Vietnamese texts."""
    sources = load_articles("baclieu") + load_articles("omon")
    rows = []
    for number in range(count):
        source = sources[number % len(sources)]
        rows.append(
            {
                "url": f"{source['url']}&copy={number}",
                "site": "baclieu",
                "category": "Hoạt động công tác Đảng",
                "party": True,
                "title": f"{source['title']} ({number})",
                "body": "\n\n".join(source["paragraphs"]),
                "published": source["published"],
                "author": source["author"],
                "images": [],
            }
        )
    return rows


def time_archive(rows: list[dict], folder: Path) -> float:
    with Archive(folder / "archive.db") as archive:
        archive.register_site(load_profile("baclieu"))
        start = time.perf_counter()
        for index in range(0, len(rows), BATCH):
            archive.save_articles(rows[index : index + BATCH])
        return time.perf_counter() - start


def _plain_db(path: Path) -> Database:
    db = Database(path)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")  # as the archive: safe against a crashed process, not a power cut
    return db


def _plain_rows(rows: list[dict]):
    return ({**row, "images": "[]"} for row in rows)


def time_insert_all(rows: list[dict], folder: Path) -> float:
    db = _plain_db(folder / "plain.db")
    start = time.perf_counter()
    db["articles"].insert_all(_plain_rows(rows), batch_size=BATCH)
    return time.perf_counter() - start


def time_insert_all_fts(rows: list[dict], folder: Path) -> float:
    """insert_all into a table whose FTS5 index (title, body) is kept up to date by sqlite-utils' triggers."""
    db = _plain_db(folder / "plain_fts.db")
    table = db["articles"]
    table.create({"url": str, "site": str, "category": str, "party": int, "title": str, "body": str,
                  "published": str, "author": str, "images": str})  # fmt: skip
    table.enable_fts(["title", "body"], tokenize=FTS_TOKENIZER, create_triggers=True)
    start = time.perf_counter()
    table.insert_all(_plain_rows(rows), batch_size=BATCH)
    return time.perf_counter() - start


def median_seconds(timers: dict[str, Callable[[list[dict], Path], float]], rows: list[dict]) -> dict[str, float]:
    """Each timer ``REPEAT`` times, interleaved so that a busy moment of the machine hits all of them."""
    runs: dict[str, list[float]] = {name: [] for name in timers}
    for _ in range(REPEAT):
        for name, timer in timers.items():
            with tempfile.TemporaryDirectory() as folder:
                runs[name].append(timer(rows, Path(folder)))
    return {name: statistics.median(seconds) for name, seconds in runs.items()}


def run(count: int = 5000) -> dict:
    rows = synthetic_articles(count)
    seconds = median_seconds(
        {"insert_all": time_insert_all, "insert_all_fts": time_insert_all_fts, "archive": time_archive}, rows
    )
    return {
        "articles": count,
        "insert_all_per_s": count / seconds["insert_all"],
        "insert_all_fts_per_s": count / seconds["insert_all_fts"],
        "archive_per_s": count / seconds["archive"],
        "ratio": seconds["insert_all"] / seconds["archive"],
        "ratio_fts": seconds["insert_all_fts"] / seconds["archive"],
    }


def main(argv: list[str]) -> int:
    result = run(int(argv[0]) if argv else 5000)
    print(
        f"ingest: {result['articles']} articles, median of {REPEAT}; archive {result['archive_per_s']:.0f}/s, "
        f"sqlite-utils insert_all {result['insert_all_per_s']:.0f}/s; ratio {result['ratio']:.2f} (target ≥ 0.70)\n"
        f"  floor with FTS: insert_all + enable_fts(title, body) {result['insert_all_fts_per_s']:.0f}/s; "
        f"ratio {result['ratio_fts']:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
