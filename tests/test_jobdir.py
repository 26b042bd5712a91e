"""Crawls with a JOBDIR (Scrapy's disk-backed queues, resumable jobs) archive every article, incremental too.

Scrapy's SpiderState extension gives the spider a ``state`` dict when JOBDIR is set; the spider's own
incremental state must not be that attribute, or every listing page after the first fails.
"""

import sqlite3

from scraper.mirror import MirrorServer

from .conftest import crawl_mirrors


def archived_urls(db) -> set[str]:
    conn = sqlite3.connect(db)
    try:
        return {url for (url,) in conn.execute("SELECT url FROM articles WHERE site = 'omon'")}
    finally:
        conn.close()


def test_a_crawl_with_disk_queues_archives_every_article_and_so_does_an_incremental_one(tmp_path):
    db = tmp_path / "archive.db"
    with MirrorServer("omon") as server:
        expected = {article["url"] for article in server.articles}
        first = crawl_mirrors(db, {"omon": server}, "-s", f"JOBDIR={tmp_path / 'job1'}")
        assert first.returncode == 0, first.stderr
        assert "Traceback" not in first.stderr
        assert archived_urls(db) == expected
        assert any((tmp_path / "job1").iterdir())  # Scrapy really kept its job state there

        second = crawl_mirrors(
            db, {"omon": server}, "-s", f"JOBDIR={tmp_path / 'job2'}", "-s", "HOSPITAL_NEWS_INCREMENTAL=True"
        )
        assert second.returncode == 0, second.stderr
        assert "Traceback" not in second.stderr and "AttributeError" not in second.stderr
        assert "omon: ok" in second.stdout and "0 new, 0 updated" in second.stdout and "0 errors" in second.stdout
        assert archived_urls(db) == expected
