"""Article extraction in a helper process (``scraper/helpers.py``), one shared by every spider of a crawl.

Extraction is the biggest piece of Python work per article after Scrapy itself; in the helper it runs on the
other core while the reactor goes on fetching. The spider awaits the fields as it would call the function:
same arguments, same result, the same exception if extraction fails. A helper that dies (killed, out of
memory) is replaced for the next page; the page it was extracting is extracted in the crawl's process.
"""

from __future__ import annotations

from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred

from scraper.extract import extract_article
from scraper.helpers import SharedHelper

_extractor = SharedHelper()


def open_helper() -> None:
    """A spider will extract through the helper (started on first use)."""
    _extractor.join()


def close_helper() -> None:
    """A spider is done; the last one to close ends the helper."""
    _extractor.leave()


async def extract_in_helper(html: bytes, url: str, profile: Any, **options: Any) -> dict[str, Any]:
    """``extract_article(html, url, profile, **options)``, run in the helper process."""
    try:
        future = _pool_submit(_extractor.pool, html, url, profile, options)
        return await maybe_deferred_to_future(_deferred(future))
    except BrokenProcessPool:
        _extractor.lost()  # a new helper for the next page; this one is extracted here
        return extract_article(html, url, profile, **options)


def _pool_submit(pool: ProcessPoolExecutor, html: bytes, url: str, profile: Any, options: dict) -> Future:
    return pool.submit(extract_article, html, url, profile, **options)


def _deferred(future: Future) -> Deferred:
    """A Deferred fired on the reactor thread when ``future`` (completed on a pool thread) is done."""
    from twisted.internet import reactor

    deferred: Deferred = Deferred()

    def fire(done: Future) -> None:
        error = done.exception()
        if error is not None:
            deferred.errback(error)
        else:
            deferred.callback(done.result())

    future.add_done_callback(lambda done: reactor.callFromThread(fire, done))
    return deferred
