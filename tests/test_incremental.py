"""Incremental re-crawls: conditional requests (ETag), listings stop paging at archived articles, and a
periodic full pass still catches an edit deep in the archive."""

from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from archive.store import default_warc_dir
from scraper.mirror import MirrorServer

from .conftest import crawl_mirrors, rows

INCREMENTAL = ["-s", "HOSPITAL_NEWS_INCREMENTAL=True"]
EDIT = "Đính chính ngày 20/11/2026: bổ sung tên đồng chí Phó Bí thư."


def article_statuses(files: list[Path]) -> list[str]:
    """HTTP status of every article-page response captured in these WARC files."""
    statuses = []
    for path in files:
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                uri = record.rec_headers.get_header("WARC-Target-URI") or ""
                if record.rec_type == "response" and "Chi-tiet-tin.aspx" in uri:
                    statuses.append(record.http_headers.get_statuscode())
    return statuses


def test_incremental_recrawl_asks_little_and_a_full_pass_catches_a_deep_edit(tmp_path):
    db = tmp_path / "archive.db"
    warc_dir = default_warc_dir(db)
    with MirrorServer("omon") as server:
        first = crawl_mirrors(db, {"omon": server}, *INCREMENTAL)
        assert first.returncode == 0, first.stderr
        first_files = set(warc_dir.glob("*.warc.gz"))
        first_requests = article_statuses(sorted(first_files))
        assert len(first_requests) == len(server.articles) and set(first_requests) == {"200"}

        oldest = min(server.articles, key=lambda a: a["published"])  # on the last listing page
        oldest["paragraphs"][-1] += f" {EDIT}"

        second = crawl_mirrors(db, {"omon": server}, *INCREMENTAL)
        assert second.returncode == 0, second.stderr
        second_files = set(warc_dir.glob("*.warc.gz")) - first_files
        second_requests = article_statuses(sorted(second_files))
        per_page, categories = server.renderer.per_page, len(server.renderer.cfg["categories"])
        assert set(second_requests) == {"304"}  # every article asked for was answered "not modified"
        assert len(second_requests) <= per_page * categories < len(first_requests) / 2
        assert f"{len(second_requests)} unchanged" in second.stdout and "0 updated" in second.stdout
        stored = rows(db, "SELECT body FROM articles WHERE url = ?", (oldest["url"],))[0]["body"]
        assert EDIT not in stored  # the incremental pass did not reach the deep edit

        full = crawl_mirrors(db, {"omon": server}, *INCREMENTAL, "-s", "HOSPITAL_NEWS_FULL_PASS_DAYS=0")
        assert full.returncode == 0, full.stderr
        assert "1 updated" in full.stdout
    row = rows(db, "SELECT id, body FROM articles WHERE url = ?", (oldest["url"],))[0]
    assert row["body"].endswith(EDIT)
    versions = rows(db, "SELECT body FROM article_versions WHERE article_id = ?", (row["id"],))
    assert len(versions) == 1 and EDIT not in versions[0]["body"]
    assert rows(db, "SELECT count(*) AS n FROM articles")[0]["n"] == len(server.articles)
