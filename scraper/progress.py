"""A Scrapy extension that prints one progress line per site every few seconds, for long crawls.

Scrapy's own LogStats speaks once a minute, in the log; an archivist watching a terminal wants to see
pages and articles move, on stderr, without the log noise.
"""

from __future__ import annotations

import sys
import time

from scrapy import signals
from scrapy.exceptions import NotConfigured


class Progress:
    def __init__(self, crawler, interval: float):
        self.crawler = crawler
        self.interval = interval
        self.last = 0.0

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("HOSPITAL_NEWS_PROGRESS"):
            raise NotConfigured
        extension = cls(crawler, crawler.settings.getfloat("HOSPITAL_NEWS_PROGRESS_INTERVAL", 2.0))
        crawler.signals.connect(extension.tick, signal=signals.response_received)
        crawler.signals.connect(extension.tick, signal=signals.item_scraped)
        crawler.signals.connect(extension.closed, signal=signals.spider_closed)
        return extension

    def _line(self, final: bool = False) -> str:
        stats = self.crawler.stats
        name = getattr(self.crawler.spider, "site_name", self.crawler.spider.name)
        pages = stats.get_value("response_received_count", 0)
        items = stats.get_value("item_scraped_count", 0)
        errors = stats.get_value("hospital_news/fetch_errors", 0)
        word = "done" if final else "…"
        return f"[{name}] {pages} pages, {items} articles, {errors} errors {word}"

    def tick(self, *args, **kwargs) -> None:
        now = time.monotonic()
        if now - self.last >= self.interval:
            self.last = now
            print(self._line(), file=sys.stderr, flush=True)

    def closed(self, spider, reason: str) -> None:
        print(self._line(final=True), file=sys.stderr, flush=True)
