"""Downloader middlewares for servers that misbehave: redirect loops end at once, retries back off.

Scrapy retries a 5xx answer or a timeout straight away and drops a redirect back to a URL it has already
requested without a word (the duplicate filter), so an article behind a looping redirect would vanish from
the run unreported. These two middlewares make both faults visible and gentle:

- ``RedirectLoopMiddleware`` refuses a redirect to a URL already on the request's redirect chain, with an
  ``IgnoreRequest`` naming the chain; the spider's errback records it in ``crawl_runs``.
- ``RetryBackoffMiddleware`` waits before each retry (``RETRY_BACKOFF_BASE`` seconds, doubling each time,
  at most ``RETRY_BACKOFF_MAX``; longer when the server asked so with ``Retry-After``).
"""

from __future__ import annotations

from urllib.parse import urljoin

from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.utils.asyncio import sleep
from w3lib.url import canonicalize_url

REDIRECT_STATUSES = {301, 302, 303, 307, 308}


class RedirectLoopMiddleware:
    """Sits just outside Scrapy's RedirectMiddleware (600), so it sees each 3xx answer before it."""

    def process_response(self, request: Request, response: Response) -> Response:
        location = response.headers.get("Location")
        if response.status not in REDIRECT_STATUSES or not location or request.meta.get("dont_redirect"):
            return response
        target = urljoin(request.url, location.decode("latin-1"))
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if canonicalize_url(target) in {canonicalize_url(url) for url in chain}:
            raise IgnoreRequest(f"redirect loop: {' -> '.join([*chain, target])}")
        return response


class RetryBackoffMiddleware:
    """Delays a retried request (``meta['retry_times']`` set by RetryMiddleware) before it is downloaded.

    The wait happens before the request reaches its download slot, so other pages of the site are not held
    up by it, only the retry. Placed outside RetryMiddleware (550) so it reads ``Retry-After`` first.
    """

    def __init__(self, crawler, base: float, cap: float):
        self.stats = crawler.stats
        self.base = base
        self.cap = cap

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        return cls(crawler, settings.getfloat("RETRY_BACKOFF_BASE", 1.0), settings.getfloat("RETRY_BACKOFF_MAX", 60))

    def delay(self, attempt: int, retry_after: float = 0.0) -> float:
        """Seconds to wait before retry number ``attempt`` (1, 2, ...)."""
        return min(max(self.base * 2 ** (attempt - 1), retry_after), self.cap)

    async def process_request(self, request: Request) -> None:
        attempt = request.meta.get("retry_times", 0)
        if attempt and self.base > 0:
            wait = self.delay(attempt, request.meta.get("retry_after", 0.0))
            self.stats.inc_value("hospital_news/retry_wait_seconds", wait)
            await sleep(wait)

    def process_response(self, request: Request, response: Response) -> Response:
        value = response.headers.get("Retry-After")
        if value and value.strip().isdigit():
            request.meta["retry_after"] = float(value)  # the retry copies this request's meta
        return response
