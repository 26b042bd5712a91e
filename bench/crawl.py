"""Crawl throughput: the full pipeline (fetch, extract, archive) against Scrapy fetching the same pages with a
no-op callback, in the same run, over one large mirror served on loopback.

Each crawl runs in its own process (Twisted's reactor starts once per process); pages per second come from
Scrapy's own stats (start_time → finish_time), so process start-up is not counted.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from scraper.mirror import MirrorServer, load_articles
from scraper.mirror.sites import article_path

SITE = "omon"
SETTINGS = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS": 32,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 32,
    "ROBOTSTXT_OBEY": False,
    "LOG_LEVEL": "WARNING",
}


def scaled_articles(count: int) -> list[dict]:
    """``count`` distinct articles (new ids) cycling through the mirror's real ones."""
    sources = load_articles(SITE)
    articles = []
    for number in range(count):
        article = {**sources[number % len(sources)], "id": 1000 + number}
        article["path"] = article_path(SITE, article)
        articles.append(article)
    return articles


def crawl_once(mode: str, base_url: str, db: Path) -> dict:
    """Run one crawl (``noop`` or ``full``) in a subprocess; return its pages and seconds."""
    result = subprocess.run(
        [sys.executable, "-m", "bench.crawl_worker", mode, base_url, str(db), json.dumps(SETTINGS)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def run(count: int = 5000) -> dict:
    with MirrorServer(SITE, articles=scaled_articles(count)) as server, tempfile.TemporaryDirectory() as folder:
        noop = crawl_once("noop", server.url, Path(folder) / "noop.db")
        full = crawl_once("full", server.url, Path(folder) / "full.db")
    noop_rate = noop["pages"] / noop["seconds"]
    full_rate = full["pages"] / full["seconds"]
    return {"articles": count, "noop_pages_per_s": noop_rate, "full_pages_per_s": full_rate,
            "items": full["items"], "ratio": full_rate / noop_rate}  # fmt: skip


def main(argv: list[str]) -> int:
    count = int(argv[0]) if argv else 5000
    r = run(count)
    print(
        f"crawl: {r['articles']} articles ({r['items']} archived); full pipeline {r['full_pages_per_s']:.0f} pages/s, "
        f"no-op Scrapy {r['noop_pages_per_s']:.0f} pages/s; ratio {r['ratio']:.2f} (target ≥ 0.80)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
