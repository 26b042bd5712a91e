"""One benchmark crawl in this process: ``python -m bench.crawl_worker noop|full BASE_URL DB SETTINGS_JSON``.

``noop`` walks the same listings and fetches the same article pages as the real spider, but its article
callback does nothing and no pipeline runs: Scrapy's own ceiling on this machine and mirror.
"""

from __future__ import annotations

import json
import sys

from scrapy.crawler import CrawlerProcess

from scraper.profiles import load_profile
from scraper.runner import build_settings
from scraper.spiders.site import SiteSpider


class NoopSiteSpider(SiteSpider):
    name = "site-noop"

    def parse_article(self, response, category, listed):
        return None


def main(mode: str, base_url: str, db: str, overrides: str) -> None:
    settings = build_settings(db, {k: str(v) for k, v in json.loads(overrides).items()}, progress=False)
    if mode == "noop":
        settings.set("ITEM_PIPELINES", {}, priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(NoopSiteSpider if mode == "noop" else SiteSpider)
    process.crawl(crawler, profile=load_profile("omon"), base_url=base_url)
    process.start()
    stats = crawler.stats.get_stats()
    seconds = (stats["finish_time"] - stats["start_time"]).total_seconds()
    print(json.dumps({"pages": stats.get("response_received_count", 0), "seconds": seconds,
                      "items": stats.get("item_scraped_count", 0)}))  # fmt: skip


if __name__ == "__main__":
    main(*sys.argv[1:5])
