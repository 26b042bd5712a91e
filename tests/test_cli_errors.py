"""What a user gets wrong, or what goes wrong around them: one clear line, non-zero exit, nothing lost."""

import sqlite3
import subprocess

from .conftest import ROOT, crawl_mirrors, free_port, run_cli

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
    assert_one_line_error(result, "baclieu", "failed")
    assert "Connection refused" in result.stderr or "refused" in result.stderr.lower()
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
    for command in (["crawl"], ["serve"], ["export"], ["sites", "list"], ["demo"]):
        result = run_cli(*command, "--help")
        assert result.returncode == 0 and "Example:" in result.stdout, command
    assert (ROOT / "README.md").exists()
