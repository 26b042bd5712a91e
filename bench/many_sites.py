"""Many sites at once: crawling 50 independent sites in one run against crawling one of them.

Each site is a small omon mirror on its own loopback address (127.0.0.2 … 127.0.0.51): Scrapy keys its
download slots (and so DOWNLOAD_DELAY, the per-site politeness delay) by host name, so separate addresses are
separate sites to it, as separate hospitals are in production. The politeness delay, not the machine, bounds
a single site's crawl; sites are independent, so 50 of them should take about as long as one (target ≤ 1.5 ×).

Both crawls run the full pipeline (extract, archive, WARC), each in its own process; times are the wall
time of ``run_crawls`` there.

    python -m bench.many_sites [SITES] [ARTICLES_PER_SITE] [DELAY_SECONDS]
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

from bench.crawl import scaled_articles
from scraper.mirror import MirrorServer

SETTINGS = {
    "AUTOTHROTTLE_ENABLED": False,
    "RANDOMIZE_DOWNLOAD_DELAY": False,  # the same delay on every run, so the two times compare
    "CONCURRENT_REQUESTS": 128,  # across sites: enough that no site waits for another's slot
    "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
    "ROBOTSTXT_OBEY": False,
    "LOG_LEVEL": "WARNING",
}


def crawl(mirrors: dict[str, str], db: Path, delay: float) -> dict:
    """Crawl ``mirrors`` (site name → mirror URL) in one subprocess; return its seconds and pages."""
    spec = {"db": str(db), "settings": {**SETTINGS, "DOWNLOAD_DELAY": delay}, "mirrors": mirrors}
    result = subprocess.run(
        [sys.executable, "-m", "bench.sites_worker", json.dumps(spec)], capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def run(sites: int = 50, articles: int = 12, delay: float = 1.0) -> dict:
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        mirrors = {}
        for number in range(sites):
            server = MirrorServer("omon", host=f"127.0.0.{number + 2}", articles=scaled_articles(articles))
            mirrors[f"site{number + 1:02d}"] = stack.enter_context(server).url
        one = crawl(dict(list(mirrors.items())[:1]), folder / "one.db", delay)
        many = crawl(mirrors, folder / "many.db", delay)
    return {"sites": sites, "articles_per_site": articles, "delay": delay, "one_seconds": one["seconds"],
            "many_seconds": many["seconds"], "one_pages": one["pages"], "many_pages": many["pages"],
            "many_new": many["new"], "failed": many["failed"], "ratio": many["seconds"] / one["seconds"]}  # fmt: skip


if __name__ == "__main__":
    args = [int(sys.argv[1]) if len(sys.argv) > 1 else 50, int(sys.argv[2]) if len(sys.argv) > 2 else 12]
    r = run(*args, float(sys.argv[3]) if len(sys.argv) > 3 else 1.0)
    print(
        f"many sites: {r['sites']} sites × {r['articles_per_site']} articles, {r['delay']:g} s delay per site; "
        f"one site {r['one_seconds']:.1f} s ({r['one_pages']} pages), all {r['many_seconds']:.1f} s "
        f"({r['many_pages']} pages, {r['many_new']} archived); ratio {r['ratio']:.2f} (target ≤ 1.50)"
    )
