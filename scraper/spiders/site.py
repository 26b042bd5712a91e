"""The one spider: reads a site profile and walks its category listings to the articles.

    scrapy crawl site -a site=baclieu                       # the real site
    scrapy crawl site -a site=baclieu -a base_url=http://127.0.0.1:8101   # a mirror of it

With ``base_url`` the same paths are fetched from another address (an offline mirror, an archived copy),
and articles are still stored under the profile's real URLs, so a mirror crawl and a live crawl agree.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import DownloadCancelledError, DownloadFailedError, ResponseDataLossError
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future

from archive.store import Archive, CrawlState
from scraper.extract import extract_article
from scraper.extract.dates import find_full_date
from scraper.extract.text import clean_text
from scraper.extraction_process import close_helper, extract_in_helper, open_helper
from scraper.items import Article, Gone, Unchanged
from scraper.profiles import Category, Profile, load_profile
from scraper.urls import canonical_url
from scraper.warc import WarcLocation

# Answers meaning "this page no longer exists": the archived article is flagged gone, never deleted.
GONE_STATUSES = (404, 410)


class SiteSpider(scrapy.Spider):
    name = "site"

    def __init__(
        self,
        site: str | None = None,
        sites_dir: str | None = None,
        base_url: str | None = None,
        profile: Profile | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if profile is None:
            if not site:
                raise ValueError("the site spider needs -a site=NAME")
            profile = load_profile(site, sites_dir)
        self.profile = profile
        self.origin = (base_url or profile.base_url).rstrip("/")
        self.site_name = profile.name
        self.fetch_errors: list[str] = []
        self.full_pass = True  # an incremental crawl sets it to False in start()
        # Not ``state``: with a JOBDIR, Scrapy's SpiderState extension sets ``spider.state`` to its own dict.
        self.crawl_state: CrawlState | None = None
        self.listed: dict[str, set[str]] = {}  # category name -> article URLs its listing pages showed so far
        self.images_requested: set[str] = set()  # each on-site image is fetched once per crawl, not per article

    extract_elsewhere = False  # set from HOSPITAL_NEWS_EXTRACT_IN_HELPER when the crawler is attached

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        if crawler.settings.getbool("HOSPITAL_NEWS_EXTRACT_IN_HELPER", True):
            spider.extract_elsewhere = True
            crawler.signals.connect(spider._open_helper, signal=signals.spider_opened)
            crawler.signals.connect(spider._close_helper, signal=signals.spider_closed)
        return spider

    def _open_helper(self) -> None:
        """Started once the reactor runs (starting a process installs one), while the first requests go out."""
        open_helper()

    def _close_helper(self):
        return close_helper()  # a Deferred when this ends the helper: Scrapy waits for it to be gone

    # -- URLs -----------------------------------------------------------------------------------------

    def archive_url(self, url: str) -> str:
        """The real-site URL of a page fetched from ``origin`` (identity when crawling the real site)."""
        if self.origin != self.profile.base_url.rstrip("/") and url.startswith(self.origin):
            return self.profile.base_url.rstrip("/") + url[len(self.origin) :]
        return url

    def article_key(self, url: str) -> str:
        """The URL an article is stored under: on the real site, canonical, in the site's scheme."""
        return canonical_url(self.archive_url(url), scheme=urlsplit(self.profile.base_url).scheme)

    def _on_site(self, url: str) -> bool:
        return urlsplit(url).netloc == urlsplit(self.origin).netloc

    # -- crawling -------------------------------------------------------------------------------------

    async def start(self):
        self._load_incremental_state()
        self._note_resumed_job()
        for category in self.profile.categories:
            yield scrapy.Request(
                self.profile.absolute(category.url, self.origin),
                callback=self.parse_listing,
                errback=self.on_error,
                cb_kwargs={"category": category, "page": 1},
            )

    def _load_incremental_state(self) -> None:
        """An incremental crawl needs the archive's validators; it falls back to a full pass when the last
        full pass is too old, or the previous run was killed or failed: pages behind it were never seen.
        """
        settings = self.crawler.settings
        if not settings.getbool("HOSPITAL_NEWS_INCREMENTAL"):
            return
        with Archive(settings.get("HOSPITAL_NEWS_DB")) as archive:
            state = archive.crawl_state(self.site_name)
        days = settings.getfloat("HOSPITAL_NEWS_FULL_PASS_DAYS", 7)
        last = datetime.fromisoformat(state.last_full_pass) if state.last_full_pass else None
        due = last is None or (datetime.now(UTC) - last).total_seconds() >= days * 86400
        self.full_pass = due or state.last_status not in ("ok", "partial")
        self.crawl_state = None if self.full_pass else state
        self.logger.info("%s: %s pass", self.site_name, "full" if self.full_pass else "incremental")

    def _note_resumed_job(self) -> None:
        """A crawl resuming a JOBDIR skips every page its earlier part fetched, so it is no full pass: it must
        not flag the articles it did not fetch as gone. ``self.state`` (Scrapy's SpiderState) is kept in the
        JOBDIR, so a mark left there tells a resumed job from a new one.
        """
        job = getattr(self, "state", None)  # only with a JOBDIR
        if job is None:
            return
        if job.get("hospital_news_started"):
            self.full_pass = False
            self.logger.info("%s: resuming the job in %s (not a full pass)", self.site_name, self.settings["JOBDIR"])
        job["hospital_news_started"] = True

    def parse_listing(self, response: Response, category: Category, page: int, barren: int = 0):
        """Yield the articles of one listing page, then the listing pages it links to.

        ``barren`` counts the pages in a row, up to this one, that showed no article new to the category:
        an endless ``?page=N`` or a calendar that always has a "previous month" ends after a few of them.
        """
        if not self._on_site(response.url) and not _same_site(response.url, self.origin):
            # The listing redirected to another host: the site moved or was merged (health marks it failed).
            self.crawler.stats.set_value("hospital_news/redirected_to", urlsplit(response.url).netloc)
        entries = list(self._listing_entries(response))
        for href, listed in entries:
            url = canonical_url(href)  # utm_*, print views ...: one request per article
            headers = self._conditional_headers(url)
            meta = {"linked_as": href, "warc_metadata": {"hospital-news-listed": listed}}
            if headers:
                meta["handle_httpstatus_list"] = [304]  # "not modified" comes to parse_article, not on_error
            yield response.follow(
                url,
                callback=self.parse_article,
                errback=self.on_error,
                cb_kwargs={"category": category, "listed": listed},
                meta=meta,
                headers=headers,
            )
        if page >= self.profile.listing.max_pages:
            return
        barren = self._barren_count(category, entries, barren)
        if barren >= self.crawler.settings.getint("HOSPITAL_NEWS_BARREN_PAGES", 3):
            self.crawler.stats.inc_value("hospital_news/listing_traps")
            self.logger.warning(
                "%s: stopped paging at %s: %d listing pages in a row showed no new article (a pagination or "
                "calendar trap?)", self.site_name, response.url, barren,
            )  # fmt: skip
            return
        if (
            self.crawl_state is not None
            and entries
            and all(self.article_key(u) in self.crawl_state.known for u, _ in entries)
        ):
            self.crawler.stats.inc_value("hospital_news/listings_stopped")
            return  # incremental: everything from here on is already archived
        for url in self._listing_pages(response):
            yield response.follow(
                url,
                callback=self.parse_listing,
                errback=self.on_error,
                cb_kwargs={"category": category, "page": page + 1, "barren": barren},
            )

    def _barren_count(self, category: Category, entries: list[tuple[str, str | None]], barren: int) -> int:
        """``barren`` plus one if none of a listing page's articles is new to its category, else zero."""
        seen = self.listed.setdefault(category.name, set())
        new = {canonical_url(href) for href, _ in entries} - seen
        seen.update(new)
        return 0 if new else barren + 1

    def _conditional_headers(self, url: str) -> dict[str, str]:
        """Headers making an incremental re-fetch conditional on the stored ETag / Last-Modified."""
        etag, modified = (self.crawl_state.validators.get(self.article_key(url)) if self.crawl_state else None) or (
            None,
            None,
        )
        headers = {"If-None-Match": etag} if etag else {}
        if modified:
            headers["If-Modified-Since"] = modified
        return headers

    def _listing_entries(self, response: Response):
        """(article URL, date shown beside it) for each entry of a listing."""
        rules = self.profile.listing
        items = response.css(rules.item) if rules.item else [response]
        for item in items:
            listed = None
            if rules.date:
                found = find_full_date(clean_text(" ".join(item.css(rules.date).css("::text").getall())))
                listed = found.value.isoformat() if found else None
            for href in item.css(rules.link).css("::attr(href)").getall():
                url = response.urljoin(href)
                if self._on_site(url) and self.profile.is_article_url(url):
                    yield url, listed

    def _listing_pages(self, response: Response):
        rules = self.profile.listing
        selectors = [s for s in (rules.next_page, rules.pages) if s]
        for selector in selectors:
            for href in response.css(selector).css("::attr(href)").getall():
                url = response.urljoin(href)
                if self._on_site(url) and not self.profile.is_article_url(url):
                    yield url

    async def parse_article(self, response: Response, category: Category, listed: str | None):
        if response.status == 304:
            self.crawler.stats.inc_value("hospital_news/not_modified")
            yield Unchanged(self.article_key(response.meta.get("linked_as") or response.url), _now())
            return
        options = {"listed": listed, "header_charset": getattr(response, "encoding", None)}
        if self.extract_elsewhere:
            fields = await extract_in_helper(response.body, response.url, portable(self.profile), **options)
        else:
            fields = extract_article(response.body, response.url, self.profile, **options)
        if not fields["body"]:
            self.logger.warning("no article text found at %s", response.url)
            self.crawler.stats.inc_value("hospital_news/empty_pages")
            return
        capture = await self._capture_of(response)
        if capture is False:
            return
        for request in self._image_requests(fields["images"]):
            yield request
        key = self.article_key(fields["canonical_url"])
        seen_as = [response.meta.get("linked_as"), *response.meta.get("redirect_urls", []), response.url]
        yield Article(
            url=key,
            site=self.site_name,
            category=category.name,
            party=category.party,
            title=fields["title"],
            body=fields["body"],
            published=fields["published"],
            author=fields["author"],
            images=[{**image, "src": self.archive_url(image["src"])} for image in fields["images"]],
            fetched_url=response.url,
            fetched_at=_now(),
            http_status=response.status,
            date_partial=fields["date_partial"],
            aliases=sorted({self.archive_url(u) for u in seen_as if u} - {key}),
            warc_file=capture.file if capture else None,
            warc_offset=capture.offset if capture else None,
            etag=_header(response, "ETag"),
            last_modified=_header(response, "Last-Modified"),
        )

    async def _capture_of(self, response: Response) -> WarcLocation | None | bool:
        """Where the WARC middleware wrote this page (None: capture is off); False if it could not write it.

        An article whose raw page is not in the WARC files is not archived this run: it stays new for the next.
        """
        written = response.meta.get("warc_location")
        if written is None:
            return None
        location = await maybe_deferred_to_future(written)
        if location is None:
            self.fetch_errors.append(f"{response.url}: its raw page could not be written to the WARC files")
            return False
        return location

    def _image_requests(self, images: list[dict]):
        """Fetch an article's on-site images so the WARC capture holds them (their bytes stay out of SQLite)."""
        for image in images:
            src = image.get("src") or ""
            if src in self.images_requested or not src.startswith(("http://", "https://")) or not self._on_site(src):
                continue
            self.images_requested.add(src)
            yield scrapy.Request(src, callback=self.parse_image, errback=self.on_error, priority=-1)

    def parse_image(self, response: Response):
        self.crawler.stats.inc_value("hospital_news/images")
        return None

    def on_error(self, failure):
        """Record a failed request (dead link, refused connection, timeout) without stopping the crawl."""
        request = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        reason = describe_failure(failure)
        response = getattr(failure.value, "response", None)
        if response is not None:
            self.crawler.stats.inc_value("hospital_news/http_errors")
            reason = f"HTTP {response.status}"
            if response.status in GONE_STATUSES and request.callback == self.parse_article:
                yield Gone(self.article_key(request.url), response.status, _now())
        self.fetch_errors.append(f"{url}: {reason}")
        self.crawler.stats.inc_value("hospital_news/fetch_errors")
        self.logger.warning("failed %s: %s", url, reason)


def portable(profile: Profile) -> Profile:
    """The profile as it can go to a helper process. One read from Scrapyd's zipped egg has a ``zipfile.Path``
    (an open file, not picklable); extraction never reads a sidecar template there anyway (see ``sitelearn``)."""
    if profile.path is None or isinstance(profile.path, Path):
        return profile
    return dataclasses.replace(profile, path=None)


def describe_failure(failure) -> str:
    """What went wrong with a request, in words for ``crawl_runs.message`` and the summary line."""
    if failure.check(ResponseDataLossError):
        return "response cut short (fewer bytes than its Content-Length announced)"
    if failure.check(DownloadCancelledError) and not str(failure.value):
        # Scrapy cancels a body without Content-Length that grows past DOWNLOAD_MAXSIZE with no message.
        return "download cancelled mid-body (larger than DOWNLOAD_MAXSIZE?)"
    if failure.check(DownloadFailedError) and "ConnectionDone" in failure.getErrorMessage():
        return "connection closed before any answer"
    return failure.getErrorMessage() or failure.type.__name__


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def _same_site(url: str, origin: str) -> bool:
    """Hosts that differ only by a leading ``www.`` are the same site (a common, harmless redirect)."""

    def bare(u: str) -> str:
        host = urlsplit(u).netloc.lower()
        return host[4:] if host.startswith("www.") else host

    return bare(url) == bare(origin)
