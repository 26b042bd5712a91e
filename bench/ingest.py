"""Ingest benchmark: articles per second into the archive (FTS included) against a plain sqlite-utils insert_all.

Both write the same rows to a fresh file in the same process; the figure that matters is the ratio.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from sqlite_utils import Database

from archive.store import Archive
from scraper.mirror import load_articles
from scraper.profiles import load_profile

BATCH = 50


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


def time_insert_all(rows: list[dict], folder: Path) -> float:
    db = Database(folder / "plain.db")
    db.execute("PRAGMA journal_mode = WAL")
    start = time.perf_counter()
    db["articles"].insert_all(({**row, "images": "[]"} for row in rows), batch_size=BATCH)
    return time.perf_counter() - start


def run(count: int = 5000) -> dict:
    rows = synthetic_articles(count)
    with tempfile.TemporaryDirectory() as folder:
        baseline = time_insert_all(rows, Path(folder))
        ours = time_archive(rows, Path(folder))
    return {
        "articles": count,
        "insert_all_per_s": count / baseline,
        "archive_per_s": count / ours,
        "ratio": baseline / ours,
    }


def main(argv: list[str]) -> int:
    result = run(int(argv[0]) if argv else 5000)
    print(
        f"ingest: {result['articles']} articles; archive {result['archive_per_s']:.0f}/s, "
        f"sqlite-utils insert_all {result['insert_all_per_s']:.0f}/s; ratio {result['ratio']:.2f} (target ≥ 0.70)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
