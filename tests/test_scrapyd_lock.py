"""A Scrapyd job takes the site's lock, as CLI and scheduled crawls do: one crawl of a site into an archive.

Scrapyd runs ``scrapy crawl site -a site=... -a _job=ID`` itself; that command is run here directly (the
real-Scrapyd path is tests/test_scrapyd.py), while this test holds the lock the way a running CLI crawl does.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from archive.locks import site_lock

from .conftest import rows

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = ["DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=False", "ROBOTSTXT_OBEY=False", "LOG_LEVEL=INFO"]


def scrapyd_style_crawl(db: Path, mirror_url: str, job: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "scrapy", "crawl", "site", "-a", "site=baclieu", "-a", f"base_url={mirror_url}"]
    command += ["-a", f"_job={job}", "-s", f"HOSPITAL_NEWS_DB={db}"]
    for setting in SETTINGS:
        command += ["-s", setting]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_a_scrapyd_job_waits_for_no_one_and_writes_nothing_while_the_site_is_being_crawled(mirrors, tmp_path):
    db = tmp_path / "archive.db"
    with site_lock(db, "baclieu"):  # a CLI or scheduled crawl of Bạc Liêu is running
        blocked = scrapyd_style_crawl(db, mirrors["baclieu"].url, "job-1")
    assert "baclieu: already being crawled into" in blocked.stderr, blocked.stderr[-2000:]
    assert "Downloaded:" not in blocked.stderr and "Crawled (200)" not in blocked.stderr  # nothing fetched
    assert not db.exists() or rows(db, "SELECT count(*) AS n FROM articles")[0]["n"] == 0

    done = scrapyd_style_crawl(db, mirrors["baclieu"].url, "job-2")  # the lock is free again
    assert done.returncode == 0, done.stderr[-2000:]
    assert rows(db, "SELECT trigger, status FROM crawl_runs") == [{"trigger": "scrapyd", "status": "ok"}]
    assert rows(db, "SELECT count(*) AS n FROM articles")[0]["n"] == 39
