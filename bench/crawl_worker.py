"""One benchmark crawl in this process: ``python -m bench.crawl_worker MODE BASE_URL DB SETTINGS_JSON``.

MODE ``noop`` walks the same listings and fetches the same article pages as the real spider, but its article
callback does nothing and no pipeline or WARC capture runs: Scrapy's own ceiling on this machine and mirror.
MODE ``full`` is the real spider and pipelines; ``full-timed`` adds wall-clock timers around each stage of the
pipeline (cheap enough not to change the picture); ``full-cprofile:PATH`` runs under cProfile and dumps there.
"""

from __future__ import annotations

import cProfile
import gc
import importlib
import json
import resource
import sys
import threading
import time
from collections import defaultdict

from scrapy.crawler import CrawlerProcess

from scraper.profiles import load_profile
from scraper.runner import build_settings
from scraper.spiders.site import SiteSpider

from .profiling import timed

# (module, attribute path, stage): the pipeline's stages, timed where they are called from.
STAGES = [
    ("scraper.spiders.site", "extract_article", "extraction (extract_article)"),
    ("scraper.warc", "WarcCaptureMiddleware._write", "WARC capture: handing a page to the helper"),
    ("archive.store", "Archive.save_articles", "archive: save_articles (SQLite, FTS, facts)"),
    ("archive.store", "extract_facts", "archive: of which facts reading (regexes)"),
    ("scraper.archive_writer", "ArchiveWriter.submit", "archive writer: queueing batches (waits if 2 queued)"),
    ("scraper.archive_writer", "ArchiveWriter.call", "archive writer: calls waited for (open, close run)"),
    ("scraper.archive_writer", "ArchiveWriter.drain", "archive writer: draining at the end"),
]


class NoopSiteSpider(SiteSpider):
    name = "site-noop"

    def parse_article(self, response, category, listed):
        return None


def install_timers() -> dict[tuple[str, str], float]:
    """Wrap each stage with a timer; totals are keyed by (thread, stage)."""
    totals: dict[tuple[str, str], float] = defaultdict(float)
    main = threading.main_thread()

    def recorder(stage: str):
        def record(seconds: float) -> None:
            thread = "reactor thread" if threading.current_thread() is main else threading.current_thread().name
            totals[(thread, stage)] += seconds

        return record

    for module_name, path, stage in STAGES:
        owner = importlib.import_module(module_name)
        *parents, name = path.split(".")
        for parent in parents:
            owner = getattr(owner, parent)
        setattr(owner, name, timed(getattr(owner, name), recorder(stage)))
    return totals


def time_garbage_collection(totals: dict[tuple[str, str], float]) -> None:
    """Add the time of Python's cyclic garbage collector to ``totals``: it runs inside the other stages."""
    started = [0.0]

    def callback(phase: str, info: dict) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            totals[("reactor thread", "of which: Python's garbage collector")] += time.perf_counter() - started[0]

    gc.callbacks.append(callback)


def _children_cpu() -> float:
    """CPU seconds of this process's finished children: the archive writer process, once the crawl is over."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main(mode: str, base_url: str, db: str, overrides: str) -> None:
    settings = build_settings(db, {k: str(v) for k, v in json.loads(overrides).items()}, progress=False)
    if mode.startswith("noop"):
        settings.set("ITEM_PIPELINES", {}, priority="cmdline")
        settings.set("HOSPITAL_NEWS_WARC_ENABLED", False, priority="cmdline")
    timers = install_timers() if mode == "full-timed" else None
    if timers is not None:
        time_garbage_collection(timers)
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(NoopSiteSpider if mode.startswith("noop") else SiteSpider)
    process.crawl(crawler, profile=load_profile("omon"), base_url=base_url)
    profiler = cProfile.Profile() if "-cprofile:" in mode else None
    if profiler is not None:
        profiler.enable()
    cpu_before, children_before = time.process_time(), _children_cpu()
    process.start()
    cpu, children = time.process_time() - cpu_before, _children_cpu() - children_before
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(mode.split(":", 1)[1])
    stats = crawler.stats.get_stats()
    seconds = (stats["finish_time"] - stats["start_time"]).total_seconds()
    stages = [[thread, stage, value] for (thread, stage), value in (timers or {}).items()]
    print(json.dumps({"pages": stats.get("response_received_count", 0), "seconds": seconds,
                      "items": stats.get("item_scraped_count", 0), "stages": stages, "cpu": cpu,
                      "children_cpu": children}))  # fmt: skip


if __name__ == "__main__":
    main(*sys.argv[1:5])
