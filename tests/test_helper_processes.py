"""A crawl's helper processes (extraction, archive writer) never outlive it: killed with SIGKILL, the crawl
leaves no process behind holding the archive, and the next crawl completes."""

import os
import signal
import subprocess
import time
from pathlib import Path

from .conftest import CLI, ROOT, crawl_mirrors, rows, wait_for_articles


def children(pid: int) -> set[int]:
    """Linux: the direct children of a process."""
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return set()
    return {int(child) for child in text.split()}


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_helpers_die_with_a_killed_crawl_and_the_next_crawl_completes(mirrors, gold, tmp_path):
    db = tmp_path / "archive.db"
    slow = ["-s", "DOWNLOAD_DELAY=0.1", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1"]
    process = subprocess.Popen(
        [*CLI, "crawl", "omon", "--db", str(db), "--base-url", f"omon={mirrors['omon'].url}", *slow,
         "-s", "HOSPITAL_NEWS_BATCH_SIZE=2"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    wait_for_articles(process, db, 4)
    helpers = children(process.pid)
    assert process.poll() is None, "the crawl ended before it could be killed"
    assert len(helpers) >= 2, "extraction and the archive writer run in helper processes"

    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(alive(pid) for pid in helpers):
        time.sleep(0.1)
    assert not any(alive(pid) for pid in helpers), "a helper outlived the killed crawl"

    result = crawl_mirrors(db, {"omon": mirrors["omon"]})
    assert result.returncode == 0, result.stderr
    urls = [r["url"] for r in rows(db, "SELECT url FROM articles")]
    assert sorted(urls) == sorted(a["url"] for a in gold["omon"])
