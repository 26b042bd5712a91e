"""Bad input and faults, each against a real misbehaving server on loopback (``scraper.mirror.faults``).

Every test crawls with the real command. Most start from an archive the same site filled while it behaved
(``archive``), then let one page misbehave: the crawl must finish, say what happened (a summary line, or one
``Error:`` line), record it in ``crawl_runs``, and keep every article it had, text unchanged.
"""

from __future__ import annotations

import sqlite3
import subprocess
import unicodedata
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from scraper.mirror.faults import (
    REAL_URL,
    FaultSite,
    article_title,
    gzip_bomb,
    huge,
    mislabelled,
    redirect,
    slow,
    status,
    truncated,
    write_profile,
)

from .conftest import run_cli

ARTICLES = 7  # three listing pages of three
# Quick crawls: no politeness delay against our own loopback server, one retry after 0.1 s, a 1 s timeout.
QUICK = ["DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=False", "RETRY_TIMES=1", "RETRY_BACKOFF_BASE=0.1"]


def crawl(site: FaultSite, db: Path, sites_dir: Path, *settings: str) -> subprocess.CompletedProcess:
    options = [arg for setting in [*QUICK, *settings] for arg in ("-s", setting)]
    return run_cli(
        "crawl", "thuloi", "--sites-dir", str(sites_dir), "--db", str(db), "--base-url", f"thuloi={site.url}", *options
    )


def rows(db: Path, sql: str) -> list[dict]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in conn.execute(sql)]
    finally:
        conn.close()


def articles(db: Path) -> dict[str, dict]:
    return {row["url"]: row for row in rows(db, "SELECT url, title, body FROM articles")}


def last_run(db: Path) -> dict:
    return rows(db, "SELECT * FROM crawl_runs ORDER BY id DESC LIMIT 1")[0]


def url(number: int) -> str:
    return f"{REAL_URL}/tin/{number}"


def assert_kept(db: Path, before: dict[str, dict]) -> None:
    """The archive is sound and holds every article it had, with the same text."""
    assert rows(db, "PRAGMA integrity_check")[0]["integrity_check"] == "ok"
    after = articles(db)
    assert before.keys() <= after.keys()
    for key, row in before.items():
        assert (after[key]["title"], after[key]["body"]) == (row["title"], row["body"]), key


def assert_no_traceback(result: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout


@pytest.fixture(scope="module")
def sites_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("fault-sites")
    write_profile(folder)
    return folder


@pytest.fixture(scope="module")
def healthy_archive(sites_dir, tmp_path_factory) -> Path:
    """An archive of the site crawled while every page behaved (copied, never written, by the tests)."""
    db = tmp_path_factory.mktemp("healthy") / "archive.db"
    with FaultSite(articles=ARTICLES) as site:
        result = crawl(site, db, sites_dir)
    assert result.returncode == 0 and "thuloi: ok" in result.stdout, result.stderr
    assert len(articles(db)) == ARTICLES
    return db


@pytest.fixture
def archive(healthy_archive, tmp_path) -> tuple[Path, dict[str, dict]]:
    """A copy of the healthy archive (SQLite's backup API, so the WAL comes along) and what it holds."""
    db = tmp_path / "archive.db"
    source, target = sqlite3.connect(healthy_archive), sqlite3.connect(db)
    with target:
        source.backup(target)
    source.close()
    target.close()
    return db, articles(db)


@pytest.fixture
def site():
    with FaultSite(articles=ARTICLES) as server:
        yield server


def test_a_truncated_response_is_retried_then_recorded_and_the_archived_text_kept(site, archive, sites_dir):
    db, before = archive
    site.faults["/tin/2"] = truncated()  # Content-Length promises 5000 bytes more, then the connection closes

    result = crawl(site, db, sites_dir)

    assert_no_traceback(result)
    assert result.returncode == 0 and "thuloi: partial" in result.stdout and "1 errors" in result.stdout
    assert site.requested("/tin/2") == ["/tin/2", "/tin/2"]  # tried, retried once, given up
    run = last_run(db)
    assert run["status"] == "partial" and "/tin/2: response cut short" in run["message"]
    assert_kept(db, before)
    assert "ngày càng tốt hơn" in articles(db)[url(2)]["body"]  # the whole text, not the half that came


def test_wrong_charset_declarations_still_give_clean_vietnamese(site, sites_dir, tmp_path):
    db = tmp_path / "archive.db"  # a new archive: every word comes from the mislabelled pages
    site.faults["/tin/1"] = mislabelled("utf-8", declared="windows-1258")
    site.faults["/tin/2"] = mislabelled("cp1258", declared="utf-8")

    result = crawl(site, db, sites_dir)

    assert result.returncode == 0 and "thuloi: ok" in result.stdout, result.stderr
    stored = articles(db)
    for number in (1, 2):
        title, body = stored[url(number)]["title"], stored[url(number)]["body"]
        assert title == article_title(number)
        assert unicodedata.is_normalized("NFC", body)
        assert "Đảng ủy Bệnh viện Đa khoa Thử Lỗi tổ chức Hội nghị sơ kết" in body
        assert "Ä" not in body and "\ufffd" not in body  # no mojibake, no replacement characters


def test_a_gzip_bomb_and_a_huge_page_are_refused_and_recorded(site, archive, sites_dir):
    db, before = archive
    site.faults["/tin/2"] = gzip_bomb(4_000_000)  # 4 kB on the wire, 4 MB unpacked
    site.faults["/tin/3"] = huge(2_000_000)
    site.faults["/tin/4"] = huge(2_000_000, announced=False)  # no Content-Length: streamed until closed

    result = crawl(site, db, sites_dir, "DOWNLOAD_MAXSIZE=1000000", "DOWNLOAD_WARNSIZE=500000")

    assert_no_traceback(result)
    assert result.returncode == 0 and "thuloi: partial" in result.stdout and "3 errors" in result.stdout
    message = last_run(db)["message"]
    assert "/tin/4: download cancelled mid-body (larger than DOWNLOAD_MAXSIZE?)" in message
    assert "/tin/2: Ignored response" in message and "exceeded DOWNLOAD_MAXSIZE" in message
    assert "/tin/3: Expected to receive 2000000 bytes which is larger than download max size" in message
    assert_kept(db, before)


def endless_redirect(handler) -> None:
    """/tin/3 -> /tin/3?n=1 -> /tin/3?n=2 -> ... (a new URL every time)."""
    hop = int(parse_qs(urlsplit(handler.path).query).get("n", ["0"])[0]) + 1
    redirect(f"/tin/3?n={hop}")(handler)


def test_redirect_loops_end_and_are_recorded(site, archive, sites_dir):
    db, before = archive
    site.faults["/tin/2"] = redirect("/tin/2?v=in")
    site.faults["/tin/2?v=in"] = redirect("/tin/2")  # back to where it started
    site.faults["/tin/3"] = endless_redirect

    result = crawl(site, db, sites_dir, "REDIRECT_MAX_TIMES=5")

    assert_no_traceback(result)
    assert result.returncode == 0 and "2 errors" in result.stdout
    assert site.requested("/tin/2") == ["/tin/2", "/tin/2?v=in"]  # refused at once, not requested again
    assert len(site.requested("/tin/3")) == 6  # the first request and five redirects
    message = last_run(db)["message"]
    assert "redirect loop: http://127.0.0.1" in message and "/tin/2?v=in -> http://" in message
    assert "/tin/3?n=5: max redirections reached" in message
    assert_kept(db, before)


def test_pagination_and_calendar_traps_end(site, archive, sites_dir):
    db, before = archive
    site.endless_pages = True  # /dang?page=N exists for every N, always with a "next page" link
    site.calendar = True  # /lich?thang=YYYY-MM always links to the month before

    result = crawl(site, db, sites_dir)

    assert result.returncode == 0 and "thuloi: ok" in result.stdout, result.stderr
    # Three pages with articles, then three barren ones; the calendar has no article at all.
    assert len(site.requested("/dang")) == 6
    assert len(site.requested("/lich")) == 3
    assert_kept(db, before)
    assert len(articles(db)) == ARTICLES


def test_off_site_links_are_never_followed(site, archive, sites_dir):
    db, before = archive
    with FaultSite(articles=ARTICLES) as elsewhere:
        port = urlsplit(elsewhere.url).port
        # Article-shaped links to another site, and to the same server under another host name.
        site.links += [f"{elsewhere.url}/tin/1", f"http://localhost:{port}/tin/2", "//127.0.0.1:9/tin/5"]

        result = crawl(site, db, sites_dir)

        assert elsewhere.hits == []
    assert result.returncode == 0 and "thuloi: ok" in result.stdout, result.stderr
    assert_kept(db, before)
    assert all(key.startswith(REAL_URL + "/") for key in articles(db))


def test_a_5xx_storm_is_retried_with_backoff_then_fails_with_one_error_line(site, archive, sites_dir):
    db, before = archive
    for number in range(1, ARTICLES + 1):
        site.faults[f"/tin/{number}"] = status(503)

    result = crawl(site, db, sites_dir, "RETRY_TIMES=2", "RETRY_BACKOFF_BASE=0.3")

    assert_no_traceback(result)
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert result.returncode == 1 and len(errors) == 1, result.stderr
    assert errors[0].startswith("Error: thuloi:") and "HTTP 503" in errors[0]
    tries = [hit for hit in site.hits if hit.path == "/tin/1"]
    assert len(tries) == 3  # the first try and two retries
    waits = [later.started - earlier.ended for earlier, later in zip(tries, tries[1:], strict=False)]
    assert waits[0] >= 0.3 * 0.9 and waits[1] >= 0.6 * 0.9  # each retry waits longer (0.3 s, then 0.6 s)
    run = last_run(db)
    assert run["status"] == "failed" and "HTTP 503" in run["message"]
    assert_kept(db, before)


def test_a_hanging_server_times_out_is_retried_and_recorded(site, archive, sites_dir):
    db, before = archive
    site.faults["/tin/2"] = slow(3)

    result = crawl(site, db, sites_dir, "DOWNLOAD_TIMEOUT=1")

    assert_no_traceback(result)
    assert result.returncode == 0 and "thuloi: partial" in result.stdout and "1 errors" in result.stdout
    assert len(site.requested("/tin/2")) == 2
    assert "/tin/2 took longer than 1.0 seconds" in last_run(db)["message"]
    assert_kept(db, before)
