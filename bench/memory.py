"""Memory of a long crawl: peak RSS of one crawl of a large mirror with disk-backed queues (target < 500 MB).

Scrapy keeps its pending requests on disk when the crawl has a JOBDIR (SCHEDULER_DISK_QUEUE, pickle LIFO by
default), which is also what lets an interrupted crawl resume. The same crawl with memory queues (no JOBDIR)
is measured too, for comparison. Each crawl is the full pipeline (extract, archive, WARC) in its own process;
its peak RSS is that process's ``ru_maxrss`` (``os.wait4``), the mirror server's memory is not counted.

    python -m bench.memory [ARTICLES]     # default 50,000 articles (env BENCH_MEMORY_ARTICLES too)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.crawl import scaled_articles
from scraper.mirror import MirrorServer

SETTINGS = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "ROBOTSTXT_OBEY": False,
    "DEPTH_LIMIT": 0,  # thousands of listing pages, each one link deeper than the last
    "LOG_LEVEL": "WARNING",
}


def crawl_peak_rss(mirror_url: str, db: Path, jobdir: Path | None) -> dict:
    """Crawl the mirror in a subprocess; return its pages, archived articles, seconds and peak RSS (MB)."""
    settings = {**SETTINGS, **({"JOBDIR": str(jobdir)} if jobdir else {})}
    spec = {"db": str(db), "settings": settings, "mirrors": {"big": mirror_url}, "max_pages": 1_000_000}
    command = [sys.executable, "-m", "bench.sites_worker", json.dumps(spec)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise RuntimeError(f"crawl failed with exit status {process.returncode}")
    return {**json.loads(output.strip().splitlines()[-1]), "peak_rss_mb": usage.ru_maxrss / 1024}


def run(articles: int | None = None) -> dict:
    articles = articles or int(os.environ.get("BENCH_MEMORY_ARTICLES", "50000"))
    with MirrorServer("omon", articles=scaled_articles(articles)) as server, tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        disk = crawl_peak_rss(server.url, folder / "disk.db", folder / "job")
        memory = crawl_peak_rss(server.url, folder / "memory.db", None)
    return {"articles": articles, "pages": disk["pages"], "archived": disk["new"], "seconds": disk["seconds"],
            "disk_queue_peak_rss_mb": disk["peak_rss_mb"], "memory_queue_peak_rss_mb": memory["peak_rss_mb"],
            "memory_queue_pages": memory["pages"]}  # fmt: skip


if __name__ == "__main__":
    r = run(int(sys.argv[1]) if len(sys.argv) > 1 else None)
    print(
        f"memory: {r['articles']:,}-article mirror, {r['pages']:,} pages ({r['archived']:,} archived) in "
        f"{r['seconds']:.0f} s; peak RSS with disk queues (JOBDIR) {r['disk_queue_peak_rss_mb']:.0f} MB "
        f"(target < 500), with memory queues {r['memory_queue_peak_rss_mb']:.0f} MB"
    )
