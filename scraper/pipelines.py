"""Item pipelines: check each Article, then hand it to the SQLite archive in batches.

The archive pipeline owns one ``crawl_runs`` row per spider run: opened when the spider opens, closed with
the run's figures when it closes, also when the crawl is interrupted (SIGINT/SIGTERM close the spider).

Writes are made by the archive writer process (``scraper/archive_writer.py``), which owns the SQLite
connection: a batch is written on the other core while the crawl goes on fetching and extracting. The crawl
waits for a batch only when ``MAX_PENDING`` of them are queued, and the spider's closing waits until every
queued batch is committed, so SIGINT/SIGTERM still commit what was scraped.
"""

from __future__ import annotations

import logging
import sqlite3
import unicodedata
import uuid
from concurrent.futures import Future
from contextlib import ExitStack
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from scrapy import signals
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.utils.defer import deferred_from_coro

from archive.health import RunFigures, Thresholds, assess, summary_line
from archive.locks import site_lock
from archive.notify import notify
from archive.store import Archive, ArchiveError
from scraper.archive_writer import ArchiveWriter, ArchiveWriterLost
from scraper.items import Article, Gone, Unchanged

_TEXT_FIELDS = ("title", "body", "author", "category")
logger = logging.getLogger(__name__)


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
        self.settings = crawler.settings
        self.db_path = db_path
        self.batch_size = batch_size
        self.trigger = trigger
        self.stats = crawler.stats
        self.buffer: list[dict[str, Any]] = []
        self.touched: list[str] = []  # URLs confirmed unchanged by a 304
        self.writes = 0  # writes queued in this run: each is numbered, so that one sent again is counted once
        self.writer: ArchiveWriter | None = None
        self.run_id: int | None = None
        self.lock = ExitStack()  # the site's lock, taken here by a Scrapyd job only
        self.lost: str | None = None  # why the archive can no longer be written, once the writer is lost

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        if not settings.getbool("HOSPITAL_NEWS_ARCHIVE_WRITE", True):
            raise NotConfigured("HOSPITAL_NEWS_ARCHIVE_WRITE is off: items go to the feed exports only")
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
        self._lock_for_scrapyd(spider)
        self.writer = ArchiveWriter(self.db_path)
        try:
            self.writer.call("register_site", site_fields(spider.profile))
            # Scrapyd passes every job its id as the spider argument ``_job``: such a run is a Scrapyd one.
            trigger = "scrapyd" if self.trigger == "manual" and getattr(spider, "_job", None) else self.trigger
            # A token, so that a start sent again to a new writer (the first died before answering) opens one run.
            self.run_id = self.writer.call("start_run", spider.profile.name, trigger, token=uuid.uuid4().hex)
        except BaseException:
            self.writer.close()
            self.writer = None
            raise
        spider.run_id = self.run_id

    def _lock_for_scrapyd(self, spider) -> None:
        """A Scrapyd job takes the site's lock (archive/locks.py) as the CLI and the scheduler do before a crawl.

        Scrapyd starts ``scrapy crawl`` itself, so without this a job and a cron crawl of the same site could
        write one archive at once. Held until the run's row is closed; a job that finds the site being crawled
        stops before it fetches anything, with the holder's pid in its log.
        """
        if getattr(spider, "_job", None):
            self.lock.enter_context(site_lock(Path(self.db_path), spider.profile.name))

    def process_item(self, item: Article | Gone | Unchanged) -> Article | Gone | Unchanged:
        if self.lost:
            return item  # the spider is closing: nothing can be written any more
        try:
            return self._archive(item)
        except ArchiveWriterLost as error:
            self._give_up(error)
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="archive_writer_lost"))
            return item

    def _give_up(self, error: ArchiveWriterLost) -> None:
        """The writer cannot be kept alive: note why, in one log line; the crawl stops (it would archive nothing)."""
        self.lost = str(error)
        logger.error("%s: %s", self.crawler.spider.profile.name, error)

    def _archive(self, item: Article | Gone | Unchanged) -> Article | Gone | Unchanged:
        if isinstance(item, Unchanged):
            self.touched.append(item.url)
            if len(self.touched) >= self.batch_size:
                self.flush()
            return item
        if isinstance(item, Gone):
            self.flush()  # an article saved in this run's buffer must exist before it can be flagged
            flagged = 0
            if self.writer:
                write = self._next_write()
                flagged = self.writer.call("mark_gone", [item.url], item.seen_at, run_id=self.run_id, write=write)
            self.stats.inc_value("hospital_news/gone", flagged)
            return item
        if not item.title:
            self.stats.inc_value("hospital_news/missing_titles")
        if not item.published:
            self.stats.inc_value("hospital_news/missing_dates")
        self.buffer.append(item.to_dict())
        if len(self.buffer) >= self.batch_size:
            self.flush()
        return item

    def flush(self, wait: bool = False) -> None:
        """Queue the buffered writes on the writer thread; with ``wait``, until every write is committed."""
        if self.writer is None:
            return
        finished: list[Future] = []
        if self.touched:
            finished += self._submit("touch", list(self.touched))
            self.touched.clear()
        if self.buffer:
            finished += self._submit("save_articles", list(self.buffer))
            self.buffer.clear()
        finished += self.writer.drain() if wait else self.writer.done()
        self.count(finished)

    def _submit(self, method: str, batch: list) -> list[Future]:
        """Queue one numbered write of this run (``Archive.save_articles`` or ``touch``)."""
        return self.writer.submit(method, batch, self.run_id, write=self._next_write())

    def _next_write(self) -> int:
        """The number of this run's next write: sent again to a new writer, it is made and counted once."""
        self.writes += 1
        return self.writes

    def count(self, finished: list[Future]) -> None:
        """Add finished writes' outcomes to the stats (on the reactor thread); a failed write raises here."""
        errors = [future.exception() for future in finished if future.exception() is not None]
        for future in finished:
            if future.exception() is not None:
                continue
            outcome = future.result()
            if isinstance(outcome, int):  # touch(): how many archived articles a 304 confirmed
                self.stats.inc_value("hospital_news/unchanged", outcome)
                continue
            for name, number in outcome.items():
                self.stats.inc_value(f"hospital_news/{name}", number)
        if errors:
            raise errors[0]

    def close_spider(self) -> None:
        if self.lost:
            return
        try:
            self.flush(wait=True)
        except ArchiveWriterLost as error:
            self._give_up(error)

    def finish_run(self, spider, reason: str) -> None:
        """Record the run's figures and health verdict, also after SIGINT/SIGTERM (reason "shutdown")."""
        if self.writer is None:
            return
        try:
            if not self.lost:
                self.flush(wait=True)
                spider.run_row = self._close_run(spider, reason)
        except ArchiveWriterLost as error:
            self._give_up(error)
        finally:
            self._let_go_of_writer(spider)
            if self.lost:
                spider.run_row = self._close_lost_run(spider)  # before the site's lock goes, as _close_run
            self.lock.close()
        if spider.run_row["status"] in ("warning", "failed"):
            self.send_notification(spider.run_row)

    def _close_run(self, spider, reason: str) -> dict:
        """Every write committed: the run's verdict, and its ``crawl_runs`` row closed with the figures."""
        run = run_figures(spider.profile.name, self.stats.get_stats(), reason)
        verdict = assess(run, self.writer.call("previous_runs", run.site, self.run_id), self.thresholds())
        full_pass = getattr(spider, "full_pass", True)
        if verdict.status in ("ok", "partial") and full_pass:
            self.writer.call("record_full_pass", run.site)  # a dead link or two does not void a full pass
        gone = self.stats.get_value("hospital_news/gone", 0)
        if verdict.status == "ok" and full_pass:
            # Only a healthy run that walked every listing may say an article is gone from all of them.
            gone += self.writer.call("mark_unlisted", run.site, self.run_id, write=self._next_write())
        return self.writer.call(
            "finish_run",
            self.run_id,
            status=verdict.status,
            gone=gone,
            pages=run.pages,
            errors=run.errors,
            message="; ".join(spider.fetch_errors[:3]) or None,
            http_errors=run.http_errors,
            extraction_failures=run.extraction_failures,
            missing_titles=run.missing_titles,
            missing_dates=run.missing_dates,
            redirected_to=run.redirected_to,
            warnings="; ".join(verdict.warnings) or None,
        )

    def _let_go_of_writer(self, spider) -> None:
        """Close this spider's side of the writer; one lost for good is abandoned, its queue dropped."""
        writer, self.writer = self.writer, None
        if not self.lost:
            try:
                writer.close()
                return
            except ArchiveWriterLost as error:  # after the run's row was closed: everything is committed
                logger.warning("%s: %s, after the run was recorded", spider.profile.name, error)
        writer.abandon()

    def _close_lost_run(self, spider) -> dict:
        """The run's row closed as failed from the crawl's own process, since the writer's is gone.

        If even that fails (the cause may be the disk or the file), the row stays ``running`` and the CLI
        still gets the reason.
        """
        run = run_figures(spider.profile.name, self.stats.get_stats(), "archive_writer_lost")
        figures = {"status": "failed", "pages": run.pages, "errors": run.errors, "message": self.lost}
        try:
            with Archive(self.db_path) as archive:
                return archive.finish_run(self.run_id, **figures)
        except (ArchiveError, sqlite3.Error) as error:
            logger.error("%s: the run's row could not be closed either: %s", spider.profile.name, error)
        return {"id": self.run_id, "site": spider.profile.name, "new": 0, "updated": 0, "unchanged": 0, **figures}

    def thresholds(self) -> Thresholds:
        return Thresholds(
            missing_share=self.settings.getfloat("HOSPITAL_NEWS_HEALTH_MISSING_SHARE", 0.2),
            http_error_share=self.settings.getfloat("HOSPITAL_NEWS_HEALTH_HTTP_ERROR_SHARE", 0.5),
        )

    def send_notification(self, row: dict) -> None:
        command = self.settings.get("HOSPITAL_NEWS_NOTIFY_COMMAND") or None
        url = self.settings.get("HOSPITAL_NEWS_NOTIFY_URL") or None
        if command or url:
            details = {"site": row["site"], "status": row["status"], "run": row["id"]}
            notify(summary_line(row), command=command, url=url, details=details)


def site_fields(profile) -> SimpleNamespace:
    """What ``Archive.register_site`` reads of a profile, picklable for the writer process (a profile read from
    Scrapyd's zipped egg has a ``zipfile.Path``, which holds an open file)."""
    path = str(profile.path) if profile.path else None
    return SimpleNamespace(name=profile.name, hospital=profile.hospital, province=profile.province,
                           base_url=profile.base_url, enabled=profile.enabled, path=path)  # fmt: skip


def run_figures(site: str, stats: dict[str, Any], reason: str) -> RunFigures:
    """A run's figures from Scrapy's stats.

    HTTP errors are the error answers the spider finally got (counted by its errback): a 503 retried twice
    is one failed page, as ``pages`` (responses that reached the spider) counts it once.
    """
    archived = sum(stats.get(f"hospital_news/{outcome}", 0) for outcome in ("new", "updated", "unchanged"))
    return RunFigures(
        site=site,
        pages=stats.get("response_received_count", 0),
        archived=archived,
        errors=stats.get("hospital_news/fetch_errors", 0),
        http_errors=stats.get("hospital_news/http_errors", 0),
        extraction_failures=stats.get("hospital_news/empty_pages", 0),
        missing_titles=stats.get("hospital_news/missing_titles", 0),
        missing_dates=stats.get("hospital_news/missing_dates", 0),
        redirected_to=stats.get("hospital_news/redirected_to"),
        reason=reason,
    )
