"""Item pipelines: check each Article, then hand it to the SQLite archive in batches.

The archive pipeline owns one ``crawl_runs`` row per spider run: opened when the spider opens, closed with
the run's figures when it closes, also when the crawl is interrupted (SIGINT/SIGTERM close the spider).
"""

from __future__ import annotations

import unicodedata
from typing import Any

from scrapy import signals
from scrapy.exceptions import DropItem

from archive.store import Archive
from scraper.items import Article, Gone, Unchanged

_TEXT_FIELDS = ("title", "body", "author", "category")


class ValidatePipeline:
    """Drop items that could not be archived meaningfully; insist on NFC for every text field."""

    def process_item(self, item: Article | Gone | Unchanged) -> Article | Gone | Unchanged:
        if isinstance(item, Gone | Unchanged):
            return item
        if not item.body.strip():
            raise DropItem(f"empty body: {item.url}")
        for name in _TEXT_FIELDS:
            value = getattr(item, name)
            if value and not unicodedata.is_normalized("NFC", value):
                setattr(item, name, unicodedata.normalize("NFC", value))
        return item


class ArchivePipeline:
    """Write articles to the archive named by the ``HOSPITAL_NEWS_DB`` setting."""

    def __init__(self, crawler, db_path: str, batch_size: int, trigger: str):
        self.crawler = crawler
        self.db_path = db_path
        self.batch_size = batch_size
        self.trigger = trigger
        self.stats = crawler.stats
        self.buffer: list[dict[str, Any]] = []
        self.touched: list[str] = []  # URLs confirmed unchanged by a 304
        self.archive: Archive | None = None
        self.run_id: int | None = None

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        pipeline = cls(
            crawler,
            settings.get("HOSPITAL_NEWS_DB"),
            settings.getint("HOSPITAL_NEWS_BATCH_SIZE", 50),
            settings.get("HOSPITAL_NEWS_TRIGGER", "manual"),
        )
        # The run's row is closed on spider_closed, which fires after close_spider and carries the reason.
        crawler.signals.connect(pipeline.finish_run, signal=signals.spider_closed)
        return pipeline

    def open_spider(self) -> None:
        spider = self.crawler.spider
        self.archive = Archive(self.db_path)
        self.archive.register_site(spider.profile)
        self.run_id = self.archive.start_run(spider.profile.name, self.trigger)
        spider.run_id = self.run_id

    def process_item(self, item: Article | Gone | Unchanged) -> Article | Gone | Unchanged:
        if isinstance(item, Unchanged):
            self.touched.append(item.url)
            if len(self.touched) >= self.batch_size:
                self.flush()
            return item
        if isinstance(item, Gone):
            self.flush()  # an article saved in this run's buffer must exist before it can be flagged
            flagged = self.archive.mark_gone([item.url], item.seen_at) if self.archive else 0
            self.stats.inc_value("hospital_news/gone", flagged)
            return item
        self.buffer.append(item.to_dict())
        if len(self.buffer) >= self.batch_size:
            self.flush()
        return item

    def flush(self) -> None:
        if self.touched and self.archive is not None:
            self.stats.inc_value("hospital_news/unchanged", self.archive.touch(self.touched, self.run_id))
            self.touched.clear()
        if not self.buffer or self.archive is None:
            return
        counts = self.archive.save_articles(self.buffer, self.run_id)
        for outcome, number in counts.items():
            self.stats.inc_value(f"hospital_news/{outcome}", number)
        self.buffer.clear()

    def close_spider(self) -> None:
        self.flush()

    def finish_run(self, spider, reason: str) -> None:
        """Record the run's figures and status, also after SIGINT/SIGTERM (reason "shutdown")."""
        if self.archive is None:
            return
        self.flush()
        stats = self.stats.get_stats()
        errors = stats.get("hospital_news/fetch_errors", 0)
        pages = stats.get("response_received_count", 0)
        status = run_status(pages, errors, stats.get("item_scraped_count", 0), reason)
        message = "; ".join(spider.fetch_errors[:3]) or None
        spider.run_row = self.archive.finish_run(
            self.run_id, status=status, pages=pages, errors=errors, message=message
        )
        if status in ("ok", "partial") and getattr(spider, "full_pass", True):
            self.archive.record_full_pass(spider.profile.name)  # a dead link or two does not void a full pass
        if status == "ok" and getattr(spider, "full_pass", True):
            unlisted = self.archive.mark_unlisted(spider.profile.name, self.run_id)  # only when nothing failed
            self.stats.set_value("hospital_news/unlisted", unlisted)
        self.archive.close()
        self.archive = None


def run_status(pages: int, errors: int, items: int, reason: str) -> str:
    """ok / partial / failed / interrupted, from what a run fetched and archived."""
    if reason != "finished":
        return "interrupted"
    if items == 0:
        return "failed"  # unreachable, or pages came back but held no article (a changed layout)
    return "partial" if errors else "ok"
