"""Scrapyd: deploy the project's egg to a real `scrapyd` on loopback, schedule a crawl, check the archive.

The job runs the deployed egg's own code: PYTHONPATH points at the egg Scrapyd stores, ahead of the
project's editable install, so the bundled profiles are read from inside the zipped egg as in production.
"""

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from .conftest import ROOT, free_port, wait_for_http

BIN = Path(sys.executable).parent
pytestmark = pytest.mark.skipif(not (BIN / "scrapyd").exists(), reason="scrapyd is not installed")


def call(url: str, data: list[tuple[str, str]] | None = None) -> dict:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    with urllib.request.urlopen(url, data=body, timeout=30) as response:
        return json.loads(response.read())


@contextmanager
def scrapyd_node(home: Path):
    """A real scrapyd on a free loopback port (a stand-in for one machine), with its own folders."""
    home.mkdir()
    port = free_port()
    (home / "scrapyd.conf").write_text(
        f"[scrapyd]\nbind_address = 127.0.0.1\nhttp_port = {port}\npoll_interval = 0.5\nmax_proc = 1\n"
        f"eggs_dir = {home / 'eggs'}\nlogs_dir = {home / 'logs'}\ndbs_dir = {home / 'dbs'}\n",
        encoding="utf-8",
    )
    egg = home / "eggs" / "hospital_news" / "1.egg"
    env = {**os.environ, "PYTHONPATH": str(egg), "PYTHONIOENCODING": "utf-8"}
    process = subprocess.Popen(
        [str(BIN / "scrapyd")], cwd=home, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/daemonstatus.json")
        yield f"http://127.0.0.1:{port}/"
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture
def scrapyd(tmp_path):
    """A real scrapyd process on a free loopback port, with its own eggs/logs/dbs folders."""
    home = tmp_path / "scrapyd"
    with scrapyd_node(home) as url:
        yield url, home


def deploy(url: str, tmp_path: Path) -> subprocess.CompletedProcess:
    """`scrapyd-deploy test -v 1` from the project folder; the target is declared in a user scrapy.cfg."""
    config = tmp_path / "xdg"
    config.mkdir()
    (config / "scrapy.cfg").write_text(f"[deploy:test]\nurl = {url}\nproject = hospital_news\n", encoding="utf-8")
    had_build = (ROOT / "build").exists()
    try:
        return subprocess.run(
            [str(BIN / "scrapyd-deploy"), "test", "-v", "1"],
            cwd=ROOT,
            env={**os.environ, "XDG_CONFIG_HOME": str(config)},
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        if not had_build:
            shutil.rmtree(ROOT / "build", ignore_errors=True)  # setup.py bdist_egg leaves it behind


def wait_finished(url: str, job: str, timeout: float = 300) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        jobs = call(url + "listjobs.json?project=hospital_news")
        done = [j for j in jobs["finished"] if j["id"] == job]
        if done:
            return done[0]
        time.sleep(0.5)
    raise TimeoutError(f"scrapyd job {job} did not finish")


def rows(db: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_crawl_scheduled_through_scrapyd_archives_like_the_cli(scrapyd, mirrors, crawled_db, tmp_path):
    url, home = scrapyd
    result = deploy(url, tmp_path)
    assert result.returncode == 0, result.stderr
    assert '"status": "ok"' in result.stdout and '"spiders": 1' in result.stdout, result.stdout
    assert call(url + "listspiders.json?project=hospital_news")["spiders"] == ["site"]

    db = tmp_path / "scrapyd-archive.db"
    settings = [f"HOSPITAL_NEWS_DB={db}", "DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=False", "ROBOTSTXT_OBEY=False"]
    answer = call(
        url + "schedule.json",
        [("project", "hospital_news"), ("spider", "site"), ("site", "omon"), ("base_url", mirrors["omon"].url)]
        + [("setting", s) for s in settings],
    )
    assert answer["status"] == "ok", answer
    wait_finished(url, answer["jobid"])
    log = next((home / "logs" / "hospital_news" / "site").glob(f"{answer['jobid']}.log")).read_text(encoding="utf-8")
    assert "Traceback" not in log, log[-3000:]

    ((trigger, status, new),) = rows(db, "SELECT trigger, status, new FROM crawl_runs")
    assert (trigger, status) == ("scrapyd", "ok") and new > 30
    ((profile,),) = rows(db, "SELECT profile FROM sites WHERE name = 'omon'")
    assert ".egg" in profile  # the profile was read from inside the deployed egg
    query = "SELECT url, title, published, content_hash FROM articles WHERE site = 'omon' ORDER BY url"
    assert rows(db, query) == rows(crawled_db, query)  # exactly what `hospital-news crawl` archived
