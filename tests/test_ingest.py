"""`hospital-news ingest`: feed exports of crawl jobs (JSON lines of articles) merged into the archive once.

The feeds are made by a real feed-only crawl (`scrapy crawl site` with HOSPITAL_NEWS_ARCHIVE_WRITE off and
Scrapy's FEEDS), as a job on a Scrapyd node writes them to shared storage.
"""

import json
import os
import shutil
import sqlite3
import subprocess
import sys

import pytest

from .conftest import ROOT, run_cli

ROWS = "SELECT url, title, published, content_hash FROM articles WHERE site = 'omon' ORDER BY url"


def rows(db, sql=ROWS, params=()):
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def feed_only_crawl(site: str, base_url: str, folder) -> None:
    feeds = {f"{folder}/items/%(site_name)s.jsonl": {"format": "jsonlines", "item_classes": ["scraper.items.Article"]}}
    settings = {
        "HOSPITAL_NEWS_ARCHIVE_WRITE": "False",
        "FEEDS": json.dumps(feeds),
        "HOSPITAL_NEWS_WARC_DIR": f"{folder}/warc",
        "DOWNLOAD_DELAY": "0",
        "AUTOTHROTTLE_ENABLED": "False",
        "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
        "ROBOTSTXT_OBEY": "False",
    }
    command = [sys.executable, "-m", "scrapy", "crawl", "site", "-a", f"site={site}", "-a", f"base_url={base_url}"]
    command += [arg for name, value in settings.items() for arg in ("-s", f"{name}={value}")]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # this checkout's code, run from the shared folder
    result = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    assert not list(folder.glob("*.db")), "a feed-only job must not write an archive of its own"


@pytest.fixture(scope="module")
def feed(mirrors, tmp_path_factory):
    folder = tmp_path_factory.mktemp("shared")
    shutil.copy(ROOT / "scrapy.cfg", folder)
    feed_only_crawl("omon", mirrors["omon"].url, folder)
    return folder / "items" / "omon.jsonl"


def test_ingest_archives_what_a_crawl_archives_and_each_feed_once(feed, crawled_db, tmp_path):
    db = tmp_path / "archive.db"
    first = run_cli("ingest", str(feed.parent), "--db", str(db))
    assert first.returncode == 0, first.stderr
    assert rows(db) == rows(crawled_db)  # the same articles, titles, dates and texts as `hospital-news crawl`
    assert "Đảng" in " ".join(title for _, title, _, _ in rows(db))
    assert rows(db, "SELECT site, trigger, status FROM crawl_runs") == [("omon", "ingest", "ok")]

    again = run_cli("ingest", str(feed), "--db", str(db))
    assert again.returncode == 0 and "0 feed files merged, 1 already merged" in again.stdout

    shuffled = tmp_path / "other-node.jsonl"  # the same site crawled again elsewhere: other bytes, same articles
    shuffled.write_text("".join(reversed(feed.read_text(encoding="utf-8").splitlines(keepends=True))), "utf-8")
    third = run_cli("ingest", str(shuffled), "--db", str(db))
    assert third.returncode == 0, third.stderr
    assert f"0 new, 0 updated, {len(rows(crawled_db))} unchanged" in third.stdout
    assert rows(db) == rows(crawled_db)


def test_a_bad_feed_is_one_error_line_and_merges_nothing(feed, tmp_path):
    db = tmp_path / "archive.db"
    assert run_cli("ingest", str(feed), "--db", str(db)).returncode == 0
    before = rows(db)
    lines = feed.read_text(encoding="utf-8").splitlines(keepends=True)
    broken = tmp_path / "broken.jsonl"
    broken.write_text(lines[0].replace('"omon"', '"khác"') + lines[1][:40] + "\n", encoding="utf-8")
    result = run_cli("ingest", str(broken), "--db", str(db))
    assert result.returncode == 1 and result.stderr.startswith("Error: ") and "broken.jsonl:2" in result.stderr
    assert "Traceback" not in result.stderr
    assert rows(db) == before and rows(db, "SELECT count(*) FROM ingested_feeds") == [(1,)]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"url": "https://x.vn/1", "site": "không-có", "body": "Chi bộ"}\n', "has no profile"),
        ('{"url": "https://x.vn/1", "site": "omon"}\n', "no body"),
        ("[1, 2]\n", "not an article"),
    ],
)
def test_feeds_that_are_not_articles_of_known_sites_are_refused(tmp_path, content, message):
    db = tmp_path / "archive.db"
    path = tmp_path / "feed.jsonl"
    path.write_text(content, encoding="utf-8")
    result = run_cli("ingest", str(path), "--db", str(db))
    assert result.returncode == 1 and result.stderr.startswith("Error: ") and message in result.stderr
    assert rows(db, "SELECT count(*) FROM articles") == [(0,)]


def test_a_missing_feed_is_an_error(tmp_path):
    result = run_cli("ingest", str(tmp_path / "nowhere.jsonl"), "--db", str(tmp_path / "archive.db"))
    assert result.returncode == 1 and "Error: " in result.stderr and "nowhere.jsonl" in result.stderr
