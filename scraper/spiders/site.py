"""The one spider: reads a site profile and walks its category listings to the articles.

    scrapy crawl site -a site=baclieu                       # the real site
    scrapy crawl site -a site=baclieu -a base_url=http://127.0.0.1:8101   # a mirror of it

With ``base_url`` the same paths are fetched from another address (an offline mirror, an archived copy),
and articles are still stored under the profile's real URLs, so a mirror crawl and a live crawl agree.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response

from scraper.extract import extract_article
from scraper.extract.dates import find_full_date
from scraper.extract.text import clean_text
from scraper.items import Article
from scraper.profiles import Category, Profile, load_profile


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

    # -- URLs -----------------------------------------------------------------------------------------

    def archive_url(self, url: str) -> str:
        """The real-site URL of a page fetched from ``origin`` (identity when crawling the real site)."""
        if self.origin != self.profile.base_url.rstrip("/") and url.startswith(self.origin):
            return self.profile.base_url.rstrip("/") + url[len(self.origin) :]
        return url

    def _on_site(self, url: str) -> bool:
        return urlsplit(url).netloc == urlsplit(self.origin).netloc

    # -- crawling -------------------------------------------------------------------------------------

    async def start(self):
        for category in self.profile.categories:
            yield scrapy.Request(
                self.profile.absolute(category.url, self.origin),
                callback=self.parse_listing,
                errback=self.on_error,
                cb_kwargs={"category": category, "page": 1},
            )

    def parse_listing(self, response: Response, category: Category, page: int):
        """Yield the articles of one listing page, then the listing pages it links to."""
        if not self._on_site(response.url) and not _same_site(response.url, self.origin):
            # The listing redirected to another host: the site moved or was merged (health marks it failed).
            self.crawler.stats.set_value("hospital_news/redirected_to", urlsplit(response.url).netloc)
        for url, listed in self._listing_entries(response):
            yield response.follow(
                url,
                callback=self.parse_article,
                errback=self.on_error,
                cb_kwargs={"category": category, "listed": listed},
            )
        if page >= self.profile.listing.max_pages:
            return
        for url in self._listing_pages(response):
            yield response.follow(
                url,
                callback=self.parse_listing,
                errback=self.on_error,
                cb_kwargs={"category": category, "page": page + 1},
            )

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

    def parse_article(self, response: Response, category: Category, listed: str | None):
        fields = extract_article(
            response.body,
            response.url,
            self.profile,
            listed=listed,
            header_charset=getattr(response, "encoding", None),
        )
        if not fields["body"]:
            self.logger.warning("no article text found at %s", response.url)
            self.crawler.stats.inc_value("hospital_news/empty_pages")
            return
        yield Article(
            url=self.archive_url(fields["canonical_url"]),
            site=self.site_name,
            category=category.name,
            party=category.party,
            title=fields["title"],
            body=fields["body"],
            published=fields["published"],
            author=fields["author"],
            images=[{**image, "src": self.archive_url(image["src"])} for image in fields["images"]],
            fetched_url=response.url,
            fetched_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            http_status=response.status,
            date_partial=fields["date_partial"],
        )

    def on_error(self, failure):
        """Record a failed request (dead link, refused connection, timeout) without stopping the crawl."""
        request = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        reason = failure.getErrorMessage() or failure.type.__name__
        response = getattr(failure.value, "response", None)
        if response is not None:
            reason = f"HTTP {response.status}"
        self.fetch_errors.append(f"{url}: {reason}")
        self.crawler.stats.inc_value("hospital_news/fetch_errors")
        self.logger.warning("failed %s: %s", url, reason)


def _same_site(url: str, origin: str) -> bool:
    """Hosts that differ only by a leading ``www.`` are the same site (a common, harmless redirect)."""

    def bare(u: str) -> str:
        host = urlsplit(u).netloc.lower()
        return host[4:] if host.startswith("www.") else host

    return bare(url) == bare(origin)
