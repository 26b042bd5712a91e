"""Crawling across machines: two real Scrapyd nodes, one job per site, items through Scrapy's feed exports to
shared storage, then one `hospital-news ingest` into the archive: every article arrives, each exactly once.
"""

import json
import sqlite3
from pathlib import Path

import pytest

from .conftest import run_cli
from .test_scrapyd import BIN, call, deploy, scrapyd_node, wait_finished

pytestmark = pytest.mark.skipif(not (BIN / "scrapyd").exists(), reason="scrapyd is not installed")
ROWS = "SELECT site, url, title, published, content_hash FROM articles ORDER BY url"


def feed_only_job(node: str, site: str, base_url: str, shared: Path) -> str:
    """Schedule one site on one node: no archive there, items and WARC files to the shared folder."""
    feeds = {
        f"{shared}/items/%(site_name)s-%(_job)s.jsonl": {
            "format": "jsonlines",
            "item_classes": ["scraper.items.Article"],
        }
    }
    settings = {
        "HOSPITAL_NEWS_ARCHIVE_WRITE": "False",
        "FEEDS": json.dumps(feeds),
        "HOSPITAL_NEWS_WARC_DIR": f"{shared}/warc",
        "DOWNLOAD_DELAY": "0",
        "AUTOTHROTTLE_ENABLED": "False",
        "ROBOTSTXT_OBEY": "False",
    }
    answer = call(
        node + "schedule.json",
        [("project", "hospital_news"), ("spider", "site"), ("site", site), ("base_url", base_url)]
        + [("setting", f"{name}={value}") for name, value in settings.items()],
    )
    assert answer["status"] == "ok", answer
    return answer["jobid"]


def rows(db: Path, sql: str = ROWS) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_two_scrapyd_nodes_then_one_ingest_archive_every_article_exactly_once(mirrors, crawled_db, tmp_path):
    shared = tmp_path / "shared"
    with scrapyd_node(tmp_path / "node-a") as node_a, scrapyd_node(tmp_path / "node-b") as node_b:
        for index, node in enumerate((node_a, node_b)):
            (tmp_path / f"deploy-{index}").mkdir()
            result = deploy(node, tmp_path / f"deploy-{index}")
            assert result.returncode == 0, result.stderr
        jobs = {
            node_a: feed_only_job(node_a, "omon", mirrors["omon"].url, shared),
            node_b: feed_only_job(node_b, "baclieu", mirrors["baclieu"].url, shared),
        }
        for node, job in jobs.items():
            wait_finished(node, job)
            finished = call(node + "listjobs.json?project=hospital_news")["finished"]
            assert [j["id"] for j in finished] == [job]  # each node ran its own site's job, and only that

    feeds = sorted(p.name for p in (shared / "items").iterdir())
    assert [name.split("-")[0] for name in feeds] == ["baclieu", "omon"]
    assert list((shared / "warc").glob("*.warc.gz"))  # the raw pages went to shared storage too

    db = tmp_path / "archive.db"
    result = run_cli("ingest", str(shared / "items"), "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert rows(db) == rows(crawled_db)  # every article of both sites, as one machine's crawl archives them
    assert rows(db, "SELECT count(*) = count(DISTINCT url) FROM articles") == [(1,)]

    again = run_cli("ingest", str(shared / "items"), "--db", str(db))
    assert "0 feed files merged, 2 already merged" in again.stdout
    assert rows(db) == rows(crawled_db)
