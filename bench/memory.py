"""Memory of a long crawl: peak RSS of one crawl of a large mirror with disk-backed queues (target < 500 MB).

Scrapy keeps its pending requests on disk when the crawl has a JOBDIR (SCHEDULER_DISK_QUEUE, pickle LIFO by
default), which is also what lets an interrupted crawl resume. The same crawl with memory queues (no JOBDIR)
is measured too, for comparison. Each crawl is the full pipeline (extract, archive, WARC) in its own process;
its peak RSS is that process's ``ru_maxrss`` (``os.wait4``), the mirror server's memory is not counted.
While it runs, its RSS plus its helper processes' (``VmRSS`` in /proc; extraction and archive writes run in
helpers, scraper/helpers.py) and the articles archived so far are sampled every few seconds:
the series shows whether memory grows with the crawl or stays flat.

    python -m bench.memory [ARTICLES] [--disk-only]   # default 50,000 articles (env BENCH_MEMORY_ARTICLES)
    BENCH_MEMORY_SAMPLES=/tmp/rss python -m bench.memory   # also every sample in /tmp/rss.disk.json ...
    python -m bench.memory 4000 --trace              # what grows on the heap (tracemalloc), disk queues
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
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
SAMPLE_SECONDS = 5.0

Sample = tuple[float, float, int]  # seconds since start, RSS in MB, articles archived so far


def rss_mb(pid: int) -> float | None:
    """The resident set of a running process (``VmRSS``), None once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def descendants(pid: int) -> list[int]:
    """Every process under ``pid`` (the crawl's extraction and archive-writer helpers, scraper/helpers.py)."""
    found = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                found += [int(child), *descendants(int(child))]
    except OSError:
        pass
    return found


def tree_rss_mb(pid: int) -> float | None:
    """The crawl's RSS with its helper processes': what the machine must hold for one crawl."""
    own = rss_mb(pid)
    if own is None:
        return None
    return own + sum(rss_mb(child) or 0.0 for child in descendants(pid))


def archived_so_far(db: Path) -> int:
    """Articles in the crawl's database now (0 before it exists or while it is locked)."""
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    except sqlite3.Error:
        return 0


def sample_until_exit(pid: int, db: Path, samples: list[Sample], done: threading.Event) -> None:
    start = time.perf_counter()
    while not done.wait(SAMPLE_SECONDS):
        rss = tree_rss_mb(pid)
        if rss is not None:
            samples.append((time.perf_counter() - start, rss, archived_so_far(db)))


def crawl_peak_rss(mirror_url: str, db: Path, jobdir: Path | None, trace: Path | None = None) -> dict:
    """Crawl the mirror in a subprocess; return its pages, archived articles, seconds, peak RSS (MB) and the
    RSS samples taken while it ran. With ``trace`` the crawl writes there what grew on its heap (tracemalloc,
    which slows it down and adds its own memory: a diagnosis, not a measure)."""
    settings = {**SETTINGS, **({"JOBDIR": str(jobdir)} if jobdir else {})}
    spec = {"db": str(db), "settings": settings, "mirrors": {"big": mirror_url}, "max_pages": 1_000_000}
    if trace:
        spec.update(trace=str(trace), trace_every=60)  # the first snapshot after start-up
    command = [sys.executable, "-m", "bench.sites_worker", json.dumps(spec)]
    log = db.with_suffix(".log")
    with log.open("w") as stderr:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr, text=True)
        samples: list[Sample] = []
        done = threading.Event()
        sampler = threading.Thread(target=sample_until_exit, args=(process.pid, db, samples, done), daemon=True)
        sampler.start()
        output = process.stdout.read()
        done.set()
        sampler.join()
        _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        tail = log.read_text(errors="replace").strip().splitlines()[-5:]
        raise RuntimeError(f"crawl failed with exit status {process.returncode}: " + " | ".join(tail))
    return {
        **json.loads(output.strip().splitlines()[-1]),
        "peak_rss_mb": usage.ru_maxrss / 1024,  # the crawl's own process (its helpers are not summed in)
        "peak_tree_rss_mb": max((mb for _, mb, _ in samples), default=0.0),  # with its helpers, sampled
        "samples": samples,
    }


def growth(articles: int) -> str:
    """One disk-queue crawl under tracemalloc: the allocation sites that grew most while it ran."""
    with MirrorServer("omon", articles=scaled_articles(articles)) as server, tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        crawl = crawl_peak_rss(server.url, folder / "disk.db", folder / "job", folder / "trace.txt")
        grown = (folder / "trace.txt").read_text() if (folder / "trace.txt").exists() else "(no snapshot taken)\n"
    return describe("disk (traced)", crawl) + "\n" + grown


def run(articles: int | None = None, disk_only: bool = False, report=None) -> dict:
    """Crawl with disk queues, then (unless ``disk_only``) with memory queues; ``report(name, crawl)`` is
    called as each crawl ends (a 50,000-article crawl takes a good while)."""
    articles = articles or int(os.environ.get("BENCH_MEMORY_ARTICLES", "50000"))
    crawls: dict = {"articles": articles, "disk": None, "memory": None}
    with MirrorServer("omon", articles=scaled_articles(articles)) as server, tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name in ("disk",) if disk_only else ("disk", "memory"):
            jobdir = folder / "job" if name == "disk" else None
            crawls[name] = crawl_peak_rss(server.url, folder / f"{name}.db", jobdir)
            if report:
                report(name, crawls[name])
    return crawls


def series(samples: list[Sample], points: int = 12) -> str:
    """About ``points`` evenly spaced samples as ``seconds s: MB (articles)``."""
    step = max(1, len(samples) // points)
    chosen = samples[::step] + ([samples[-1]] if samples and (len(samples) - 1) % step else [])
    return ", ".join(f"{s:.0f} s {mb:.0f} MB ({n:,})" for s, mb, n in chosen)


def describe(name: str, crawl: dict) -> str:
    return (
        f"  {name} queues: {crawl['pages']:,} pages, {crawl['new']:,} archived in {crawl['seconds']:.0f} s, "
        f"peak RSS {crawl['peak_rss_mb']:.0f} MB, with its helper processes {crawl['peak_tree_rss_mb']:.0f} MB "
        f"(sampled)\n    RSS with helpers (articles archived): {series(crawl['samples'])}"
    )


def main(argv: list[str]) -> int:
    disk_only = "--disk-only" in argv
    numbers = [a for a in argv if not a.startswith("--")]
    articles = int(numbers[0]) if numbers else None
    if "--trace" in argv:
        print(growth(articles or 4_000))
        return 0
    samples_file = os.environ.get("BENCH_MEMORY_SAMPLES")  # every sample as JSON, for a closer look

    def report(name: str, crawl: dict) -> None:
        print(describe(name, crawl), flush=True)
        if samples_file:
            Path(f"{samples_file}.{name}.json").write_text(json.dumps(crawl))

    r = run(articles, disk_only, report)
    disk, memory = r["disk"], r["memory"]
    line = (
        f"memory: {r['articles']:,}-article mirror; peak RSS with disk queues (JOBDIR) {disk['peak_rss_mb']:.0f} MB, "
        f"{disk['peak_tree_rss_mb']:.0f} MB with the helper processes (target < 500)"
    )
    print(line + (f", with memory queues {memory['peak_rss_mb']:.0f} MB" if memory else " (memory queues not run)"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
