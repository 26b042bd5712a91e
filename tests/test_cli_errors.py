"""What a user gets wrong, or what goes wrong around them: one clear line, non-zero exit, nothing lost."""

import signal
import sqlite3
import subprocess
import time

import pytest

from .conftest import CLI, MIRROR_SETTINGS, ROOT, crawl_mirrors, free_port, run_cli, wait_for_articles

BROKEN_PROFILE = """
[site]
name = "hong"
hospital = "Bệnh viện Hỏng"
base_url = "https://bv.example.vn"

[[categories]]
name = "Hoạt động Đảng"
url = "/dang"
party = true

[listing]
article_url = '/tin/(\\d+'
"""


def assert_one_line_error(result: subprocess.CompletedProcess, *needles: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    error_lines = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(error_lines) == 1, result.stderr
    for needle in needles:
        assert needle in error_lines[0], error_lines[0]


def count(db) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    finally:
        conn.close()


def test_unknown_site(tmp_path):
    assert_one_line_error(run_cli("crawl", "khong-co", "--db", str(tmp_path / "a.db")), "unknown site 'khong-co'")


def test_bad_profile_names_its_file_and_line(tmp_path):
    sites = tmp_path / "sites"
    sites.mkdir()
    (sites / "hong.toml").write_text(BROKEN_PROFILE, encoding="utf-8")
    result = run_cli("crawl", "--sites-dir", str(sites), "--db", str(tmp_path / "a.db"))
    assert_one_line_error(result, "hong.toml:13", "article_url is not a valid regex")


def test_unreachable_site_fails_and_keeps_the_archive(mirrors, tmp_path):
    db = tmp_path / "archive.db"
    assert crawl_mirrors(db, {"omon": mirrors["omon"]}).returncode == 0
    before = count(db)
    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    result = run_cli(
        "crawl",
        "baclieu",
        "--db",
        str(db),
        "--base-url",
        f"baclieu={dead}",
        "-s",
        "RETRY_TIMES=0",
        "-s",
        "DOWNLOAD_DELAY=0",
    )
    assert_one_line_error(result, "baclieu: could not reach the site", "Connection was refused")
    assert count(db) == before > 0
    conn = sqlite3.connect(db)
    status = conn.execute("SELECT status FROM crawl_runs WHERE site='baclieu'").fetchone()[0]
    conn.close()
    assert status == "failed"


def test_locked_database(mirrors, tmp_path):
    db = tmp_path / "archive.db"
    assert crawl_mirrors(db, {"omon": mirrors["omon"]}).returncode == 0
    before = count(db)
    holder = sqlite3.connect(db)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        result = crawl_mirrors(db, {"omon": mirrors["omon"]})
    finally:
        holder.rollback()
        holder.close()
    assert_one_line_error(result, "locked")
    assert count(db) == before


def test_a_crawl_waits_for_another_process_holding_the_archive_and_loses_nothing(mirrors, tmp_path):
    """Once the crawl has started, another process holds the archive's write lock for 7 s, longer than the
    CLI's 5 s busy timeout (as an ``ingest`` of a large feed file does, in one transaction). The crawl's
    writer waits for it, and the crawl archives what a crawl with the archive to itself archives."""
    alone, shared = tmp_path / "alone.db", tmp_path / "shared.db"
    assert crawl_mirrors(alone, {"omon": mirrors["omon"]}).returncode == 0
    command = [*CLI, "crawl", "omon", "--db", str(shared), "--base-url", f"omon={mirrors['omon'].url}",
               *MIRROR_SETTINGS]  # fmt: skip
    crawl = subprocess.Popen(
        command, cwd=ROOT, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8"
    )
    try:
        first_line = crawl.stderr.readline()  # printed after the archive was checked writable, before Scrapy starts
        assert first_line.startswith("Crawling omon into"), first_line
        holder = sqlite3.connect(shared)
        holder.execute("BEGIN IMMEDIATE")
        holder.execute("UPDATE sites SET updated = '2026-12-03T06:00:00Z'")
        time.sleep(7)
        holder.commit()
        holder.close()
        out, err = crawl.communicate(timeout=120)
    finally:
        crawl.kill()
        crawl.wait()
    assert crawl.returncode == 0, err
    assert count(shared) == count(alone) > 30


def test_a_crawl_that_fails_before_its_run_opens_says_why_in_one_line(mirrors, tmp_path):
    """The crawl's own writer cannot open the archive when the spider starts (here ``-s HOSPITAL_NEWS_DB``
    names a folder; in a CI run it was another crawl's lock): the user reads the reason, not "could not
    reach the site", and the traceback goes to the Scrapy log, not to the terminal."""
    db, folder = tmp_path / "archive.db", tmp_path / "thư-mục"
    folder.mkdir()
    result = crawl_mirrors(db, {"omon": mirrors["omon"]}, "-s", f"HOSPITAL_NEWS_DB={folder}")
    assert_one_line_error(result, "omon: the crawl did not start:", "is a directory, not a database file")
    assert "Unhandled error" not in result.stderr
    assert "ArchiveError" in (tmp_path / "archive-crawl.log").read_text(encoding="utf-8")


def test_database_in_a_missing_folder(tmp_path):
    result = run_cli("crawl", "omon", "--db", str(tmp_path / "khong-co" / "archive.db"))
    assert_one_line_error(result, "does not exist")


def test_database_path_is_a_folder(tmp_path):
    result = run_cli("crawl", "omon", "--db", str(tmp_path))
    assert result.returncode != 0 and "Traceback" not in result.stderr


def test_not_a_database(tmp_path):
    db = tmp_path / "notes.db"
    db.write_text("không phải SQLite " * 200, encoding="utf-8")
    assert_one_line_error(run_cli("export", "--db", str(db)), "not a valid SQLite archive")


def test_bad_setting_override(tmp_path):
    result = run_cli("crawl", "omon", "--db", str(tmp_path / "a.db"), "-s", "DOWNLOAD_DELAY")
    assert result.returncode == 2 and "NAME=VALUE" in result.stderr


def test_help_for_every_command():
    for command in (["crawl"], ["reextract"], ["serve"], ["export"], ["sites", "list"], ["demo"]):
        result = run_cli(*command, "--help")
        assert result.returncode == 0 and "Example:" in result.stdout, command
    assert (ROOT / "README.md").exists()


def test_layout_change_is_reported_not_silent(mirrors, tmp_path):
    """A site whose article links no longer match its profile: pages fetched, nothing archived, one line."""
    sites = tmp_path / "sites"
    sites.mkdir()
    profile = (ROOT / "scraper" / "sites" / "omon.toml").read_text(encoding="utf-8")
    (sites / "omon.toml").write_text(profile.replace("Chi-tiet-tin", "Bai-viet"), encoding="utf-8")
    result = run_cli(
        "crawl", "omon", "--sites-dir", str(sites), "--db", str(tmp_path / "a.db"),
        "--base-url", f"omon={mirrors['omon'].url}", "-s", "DOWNLOAD_DELAY=0",
    )  # fmt: skip
    assert_one_line_error(result, "omon: no article found on", "layout")


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_interrupted_crawl_keeps_what_it_archived(mirrors, tmp_path, signum):
    """Ctrl-C (SIGINT) or a service manager's stop (SIGTERM) mid-crawl: the articles already scraped are
    committed, in-flight ones finish, and the run is marked interrupted."""
    db = tmp_path / "archive.db"
    process = subprocess.Popen(
        [*CLI, "crawl", "omon", "--db", str(db), "--base-url", f"omon={mirrors['omon'].url}",
         "-s", "DOWNLOAD_DELAY=0.2", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "HOSPITAL_NEWS_BATCH_SIZE=5"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
    )  # fmt: skip
    wait_for_articles(process, db, 5, timeout=60)
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode != 0 and "Traceback" not in stderr
    assert "interrupted" in stderr
    conn = sqlite3.connect(db)
    archived = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    status = conn.execute("SELECT status FROM crawl_runs").fetchone()[0]
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    assert archived >= 5 and status == "interrupted"
