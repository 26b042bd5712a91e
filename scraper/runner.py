"""Run crawls of one or more sites in this process and report what each run did.

The command line (``hospital-news crawl`` and ``demo``) and the tests call :func:`run_crawls`; Scrapyd and
``scrapy crawl site -a site=NAME`` go through the same spider and pipelines, so every path archives alike.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from twisted.python.failure import Failure

from archive.store import ArchiveError
from scraper.profiles import Profile
from scraper.spiders.site import SiteSpider

logger = logging.getLogger(__name__)


@dataclass
class RunResult:
    site: str
    status: str
    pages: int
    new: int
    updated: int
    unchanged: int
    errors: int
    message: str | None
    warnings: str | None = None
    gone: int = 0
    http_errors: int = 0
    extraction_failures: int = 0
    # Why the run has no closed row in the archive (the crawl failed before its run opened, or while
    # closing it), in words for the user; None for a run that was recorded.
    unrecorded: str | None = None


def build_settings(
    db: Path | str,
    overrides: dict[str, str] | None = None,
    *,
    progress: bool = True,
    log_file: Path | None = None,
    warc_dir: Path | None = None,
) -> Settings:
    """Project settings, then the archive path, then ``-s NAME=VALUE`` overrides (which win).

    With ``log_file`` Scrapy's log (tracebacks of failed downloads included) goes there, keeping the
    terminal to progress and summary lines; without it the log goes to stderr.
    """
    settings = Settings()
    settings.setmodule("scraper.settings", priority="project")
    settings.set("HOSPITAL_NEWS_DB", str(db), priority="cmdline")
    settings.set("HOSPITAL_NEWS_PROGRESS", progress, priority="cmdline")
    if log_file is not None:
        settings.set("LOG_FILE", str(log_file), priority="cmdline")
    if warc_dir is not None:
        settings.set("HOSPITAL_NEWS_WARC_DIR", str(warc_dir), priority="cmdline")
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    return settings


def run_crawls(
    profiles: Iterable[Profile],
    settings: Settings,
    base_urls: dict[str, str] | None = None,
    jobdir: Path | None = None,
) -> list[RunResult]:
    """Crawl every profile concurrently (one Scrapy crawler each) and return one result per site.

    With ``jobdir`` each site's crawl is a resumable Scrapy job in ``jobdir/SITE`` (its JOBDIR: pending
    requests on disk, the requests already seen): a crawl stopped by SIGINT continues from there when run
    again. A job that finished is removed, so the next crawl with the same ``jobdir`` is a new full pass.
    Runs the Twisted reactor, so it can be called once per process.
    """
    process = CrawlerProcess(settings)
    crawlers = []
    failures: dict[str, str] = {}
    for profile in profiles:
        crawler = process.create_crawler(SiteSpider)
        if jobdir is not None:  # each site its own job: two sites must not share one queue
            crawler.settings.set("JOBDIR", str(jobdir / profile.name), priority="cmdline")
        crawlers.append((profile, crawler))
        crawling = process.crawl(crawler, profile=profile, base_url=(base_urls or {}).get(profile.name))
        crawling.addErrback(_note_failure, profile.name, failures)
    process.start()
    if jobdir is not None:
        for profile, crawler in crawlers:
            if crawler.stats.get_value("finish_reason") == "finished":
                shutil.rmtree(jobdir / profile.name, ignore_errors=True)
    return [_result(profile, crawler, failures.get(profile.name)) for profile, crawler in crawlers]


def _note_failure(failure: Failure, site: str, failures: dict[str, str]) -> None:
    """Keep why a crawl failed outright (its archive locked or unreadable, say) as one line for the user.

    Left unhandled, Twisted would print the traceback to the terminal ("Unhandled error in Deferred") and
    the user would read only that the crawl did not start; the traceback goes to the Scrapy log instead.
    """
    error = failure.value
    failures[site] = str(error) if isinstance(error, ArchiveError) else f"{type(error).__name__}: {error}"
    traceback = (failure.type, error, failure.getTracebackObject())
    logger.error("%s: the crawl failed: %s", site, failures[site], exc_info=traceback)


def _result(profile: Profile, crawler, failure: str | None = None) -> RunResult:
    row = getattr(crawler.spider, "run_row", None) if crawler.spider else None
    if not row:
        reason = failure or "see the log"
        if getattr(crawler.spider, "run_id", None) is None:
            unrecorded = f"the crawl did not start: {reason}"
        else:  # what was fetched is archived; the run's row stays "running" until the next crawl closes it
            unrecorded = f"the crawl's run could not be closed, what it fetched is archived: {reason}"
        pages = crawler.stats.get_value("response_received_count", 0)
        return RunResult(profile.name, "failed", pages, 0, 0, 0, 0, reason, unrecorded=unrecorded)
    return RunResult(
        profile.name,
        row["status"],
        row["pages"],
        row["new"],
        row["updated"],
        row["unchanged"],
        row["errors"],
        row["message"],
        row.get("warnings"),
        row.get("gone") or 0,
        row.get("http_errors") or 0,
        row.get("extraction_failures") or 0,
    )
