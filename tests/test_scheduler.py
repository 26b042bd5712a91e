"""The scheduler, crawl history, health on real crawls, status, locks and system-scheduler units.

The crawls are real: `hospital-news scheduler --once` starts `hospital-news crawl` subprocesses against the
loopback mirrors, and the notification goes to a real HTTP server in this test process.
"""

import shutil
import signal
import subprocess
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from sqlite_utils import Database, Migrations

from archive.locks import site_lock
from archive.scheduler import is_due, last_fire, worse_exit
from archive.store import Archive, m001_initial
from scraper.profiles import default_schedule

from .conftest import CLI, MIRROR_SETTINGS, ROOT, rows, run_cli
from .test_cli_errors import assert_one_line_error


@pytest.fixture
def sites_with_a_broken_one(tmp_path):
    """omon as bundled, plus "hong": the same hospital's mirror with a profile whose article links match nothing."""
    folder = tmp_path / "sites"
    folder.mkdir()
    omon = (ROOT / "scraper" / "sites" / "omon.toml").read_text(encoding="utf-8")
    (folder / "omon.toml").write_text(omon, encoding="utf-8")
    hong = (
        omon.replace('name = "omon"', 'name = "hong"')
        .replace("Bệnh viện Đa khoa Quận Ô Môn", "Bệnh viện Hỏng (bố cục đã đổi)")
        .replace("https://bvdkomon.cantho.gov.vn", "https://bvhong.example.vn")
        .replace("Chi-tiet-tin", "Bai-viet")
    )
    (folder / "hong.toml").write_text(hong, encoding="utf-8")
    return folder


def test_a_failure_is_never_hidden_by_a_warning_in_the_exit_status():
    assert worse_exit(0, 3) == 3 and worse_exit(3, 1) == 1 and worse_exit(1, 3) == 1 and worse_exit(3, -15) == -15


def test_due_rules():
    now = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)
    assert is_due("17 2 * * *", None, now)  # never crawled: at once
    assert is_due("17 2 * * *", datetime(2026, 11, 21, 2, 17, tzinfo=UTC), now)  # today's 02:17 has passed
    assert not is_due("17 2 * * *", datetime(2026, 11, 22, 2, 17, tzinfo=UTC), now)  # already fired today
    # a week switched off: one catch-up slot (the latest), not seven
    assert last_fire("17 2 * * *", now) == datetime(2026, 11, 22, 2, 17, tzinfo=UTC)


def test_scheduler_runs_two_sites_reports_the_broken_one_and_never_runs_a_slot_twice(
    mirrors, sites_with_a_broken_one, webhook, tmp_path
):
    url, received = webhook
    db, log = tmp_path / "archive.db", tmp_path / "scheduler.log"
    mirror = mirrors["omon"].url
    args = [
        "scheduler", "--once", "--db", str(db), "--sites-dir", str(sites_with_a_broken_one), "--log", str(log),
        "--base-url", f"omon={mirror}", "--base-url", f"hong={mirror}", *MIRROR_SETTINGS, "--notify-url", url,
    ]  # fmt: skip
    first = run_cli(*args)
    assert first.returncode == 1, first.stderr  # the worst crawl failed
    runs = {r["site"]: r for r in rows(db, "SELECT * FROM crawl_runs")}
    assert set(runs) == {"omon", "hong"}
    assert runs["omon"]["status"] == "ok" and runs["omon"]["new"] > 30 and runs["omon"]["trigger"] == "scheduler"
    assert runs["hong"]["status"] == "failed" and "no article found on" in runs["hong"]["warnings"]
    assert [m["site"] for m in received] == ["hong"]  # only the broken site is notified
    assert received[0]["text"].startswith("hospital-news: hong failed - no article found on")
    text = log.read_text(encoding="utf-8")
    assert "omon: crawl ended with exit status 0" in text and "hong: crawl ended with exit status 1" in text

    again = run_cli(*args)  # a restart (or cron's next pass) right after: nothing is due, nothing runs twice
    assert again.returncode == 0, again.stderr
    assert len(rows(db, "SELECT id FROM crawl_runs")) == 2

    status = run_cli("status", "--db", str(db), "--sites-dir", str(sites_with_a_broken_one))
    lines = dict(line.split(": ", 1) for line in status.stdout.splitlines())
    assert lines["omon"].startswith("ok | last success 20") and "warnings: none" in lines["omon"]
    assert lines["hong"].startswith("failed | last success never | 0 articles")
    assert "no article found on" in lines["hong"]


def test_site_whose_layout_broke_fails_with_history_and_notifies(mirrors, tmp_path):
    """A mirror crawled fine once, then its profile no longer matches: failed, command run, and nothing flagged
    gone: our own parser broke, the site did not lose its articles."""
    sites = tmp_path / "sites"
    sites.mkdir()
    good = (ROOT / "scraper" / "sites" / "omon.toml").read_text(encoding="utf-8")
    (sites / "omon.toml").write_text(good, encoding="utf-8")
    db, note = tmp_path / "archive.db", tmp_path / "thong-bao.txt"
    crawl = ["crawl", "omon", "--sites-dir", str(sites), "--db", str(db), "--base-url", f"omon={mirrors['omon'].url}"]
    notify = ["--notify-command", f"cat >> {note}"]
    assert run_cli(*crawl, *MIRROR_SETTINGS, *notify).returncode == 0
    assert not note.exists()  # a healthy run notifies no one
    archived = rows(db, "SELECT count(*) AS n FROM articles")[0]["n"]

    (sites / "omon.toml").write_text(good.replace("Chi-tiet-tin", "Bai-viet"), encoding="utf-8")
    result = run_cli(*crawl, *MIRROR_SETTINGS, *notify)
    assert_one_line_error(result, f"omon: no articles this time, {archived} on", "layout")
    last = rows(db, "SELECT * FROM crawl_runs ORDER BY id DESC LIMIT 1")[0]
    assert last["status"] == "failed" and last["gone"] == 0 and last["pages"] > 0
    assert rows(db, "SELECT count(*) AS n FROM articles")[0]["n"] == archived  # nothing lost
    assert rows(db, "SELECT count(*) AS n FROM articles WHERE gone_since IS NOT NULL")[0]["n"] == 0
    assert note.read_text(encoding="utf-8").startswith("hospital-news: omon failed - no articles this time")


def test_crawl_history_columns(crawled_db):
    run = rows(crawled_db, "SELECT * FROM crawl_runs ORDER BY id LIMIT 1")[0]
    for column in ("trigger", "unchanged", "gone", "http_errors", "extraction_failures", "warnings"):
        assert column in run
    assert run["trigger"] == "manual" and run["http_errors"] == 0 and run["gone"] == 0


def test_status_lists_every_site(crawled_db):
    result = run_cli("status", "--db", str(crawled_db))
    assert result.returncode == 0, result.stderr
    counts = {r["site"]: r["n"] for r in rows(crawled_db, "SELECT site, count(*) AS n FROM articles GROUP BY site")}
    for site, number in counts.items():
        line = next(line for line in result.stdout.splitlines() if line.startswith(f"{site}: "))
        assert f"| {number} articles |" in line and "(published 20" in line and line.endswith("warnings: none")


def test_status_of_a_missing_archive(tmp_path):
    result = run_cli("status", "--db", str(tmp_path / "khong-co.db"))
    assert result.returncode != 0 and "does not exist" in result.stderr and "Traceback" not in result.stderr


def test_second_crawl_of_a_site_is_refused_while_one_runs(tmp_path):
    db = tmp_path / "archive.db"
    with site_lock(db, "omon"):
        result = run_cli("crawl", "omon", "--db", str(db))
    assert_one_line_error(result, "omon: already being crawled into", "try again later")
    assert rows(db, "SELECT count(*) AS n FROM crawl_runs")[0]["n"] == 0  # refused before anything started


def test_old_archive_gains_the_history_columns_and_keeps_its_runs(tmp_path):
    db_path = tmp_path / "old.db"
    old = Migrations("hospital_news")
    old()(m001_initial)
    db = Database(db_path)
    old.apply(db)
    db["sites"].insert({"name": "omon", "hospital": "Bệnh viện Đa khoa Quận Ô Môn"})
    db["crawl_runs"].insert({"site": "omon", "trigger": "manual", "status": "ok", "new": 5})
    db.close()
    with Archive(db_path) as archive:
        row = archive.db["crawl_runs"].get(1)
    assert row["new"] == 5 and row["gone"] == 0 and row["warnings"] is None


def test_schedule_install_cron_and_systemd(tmp_path):
    db = tmp_path / "archive.db"
    cron = run_cli("schedule", "install", "--cron", "--db", str(db))
    assert cron.returncode == 0, cron.stderr
    (line,) = cron.stdout.splitlines()
    assert line.startswith("*/5 * * * * cd ") and f"scheduler --once --db {db}" in line
    units = tmp_path / "units"
    result = run_cli("schedule", "install", "--systemd", "--db", str(db), "-o", str(units))
    assert result.returncode == 0, result.stderr
    service = (units / "hospital-news.service").read_text(encoding="utf-8")
    timer = (units / "hospital-news.timer").read_text(encoding="utf-8")
    assert "Type=oneshot" in service and f"scheduler --once --db {db}" in service
    assert "OnCalendar=*:0/5" in timer and "Persistent=true" in timer
    assert_one_line_error(run_cli("schedule", "install", "--db", str(db)), "choose --cron or --systemd")


def test_scheduler_refuses_a_broken_profile_at_start(tmp_path):
    sites = tmp_path / "sites"
    shutil.copytree(ROOT / "scraper" / "sites", sites)
    path = sites / "omon.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("enabled = true", 'enabled = true\nschedule = "hằng đêm"'))
    result = run_cli("scheduler", "--once", "--db", str(tmp_path / "a.db"), "--sites-dir", str(sites))
    assert_one_line_error(result, "omon.toml:12", "schedule is not a valid cron expression")


def test_long_lived_scheduler_crawls_then_stops_cleanly_on_sigterm(mirrors, tmp_path):
    sites = tmp_path / "sites"
    sites.mkdir()
    shutil.copy(ROOT / "scraper" / "sites" / "omon.toml", sites)
    db, log = tmp_path / "archive.db", tmp_path / "scheduler.log"
    process = subprocess.Popen(
        [*CLI, "scheduler", "--db", str(db), "--sites-dir", str(sites), "--log", str(log), "--tick", "0.5",
         "--base-url", f"omon={mirrors['omon'].url}", *MIRROR_SETTINGS],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and "omon: crawl ended" not in (log.read_text() if log.exists() else ""):
            time.sleep(0.3)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
    text = log.read_text(encoding="utf-8")
    assert "omon: crawl ended with exit status 0" in text and text.rstrip().endswith("scheduler stopped")
    # the site was crawled once and is not due again before tomorrow night's slot
    assert [r["trigger"] for r in rows(db, "SELECT trigger FROM crawl_runs")] == ["scheduler"]
    (state,) = rows(db, "SELECT * FROM schedule_state")
    assert state["site"] == "omon" and state["cron"] == default_schedule("omon")


class _Moved(BaseHTTPRequestHandler):
    """The hospital's old address: every page now redirects to another host (the site moved or merged)."""

    target = ""

    def do_GET(self):
        self.send_response(301)
        self.send_header("Location", self.target + self.path)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_site_that_now_redirects_to_another_host_fails(mirrors, tmp_path):
    port = mirrors["omon"].url.rsplit(":", 1)[1]
    _Moved.target = f"http://localhost:{port}"  # same mirror, but under another host name
    server = HTTPServer(("127.0.0.1", 0), _Moved)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        result = run_cli(
            "crawl", "omon", "--db", str(tmp_path / "a.db"), "--base-url", f"omon=http://127.0.0.1:{server.server_port}",
            *MIRROR_SETTINGS,
        )  # fmt: skip
    finally:
        server.shutdown()
    assert_one_line_error(result, f"omon: the site now redirects to localhost:{port}")
    ((status, redirected),) = [
        tuple(r.values()) for r in rows(tmp_path / "a.db", "SELECT status, redirected_to FROM crawl_runs")
    ]
    assert (status, redirected) == ("failed", f"localhost:{port}")
