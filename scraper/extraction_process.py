"""Article extraction in a helper process, one shared by every spider of a crawl.

After Scrapy itself, extraction is the biggest piece of Python work per article. In the helper it runs on
the other core while the reactor goes on fetching. The reactor talks to the helper over pipes
(``scraper/helper_channel.py``), with no thread in the crawl's process.

The spider awaits the fields as it would call the function: same arguments, same result, and the same
exception if extraction fails. If the helper dies (killed, out of memory), the pages it had not answered are
extracted in the crawl's process, and the next page starts a new helper.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred

from scraper.extract import extract_article
from scraper.helper_channel import HelperLost, page_helper, running_page_helper


def open_helper() -> None:
    """A spider will extract through the helper; it is started now, so its start-up overlaps the first fetches."""
    page_helper.join()
    with suppress(HelperLost):  # each page then tries again (see SharedHelper), or is extracted here
        page_helper.helper  # noqa: B018 - starts the process


def close_helper() -> Deferred | None:
    """A spider is done; the last one to close ends the helper (the Deferred fires once it is gone)."""
    return page_helper.leave()


async def extract_in_helper(html: bytes, url: str, profile: Any, **options: Any) -> dict[str, Any]:
    """``extract_article(html, url, profile, **options)``, run in the helper process, or here without one."""
    try:
        channel = running_page_helper()
    except HelperLost:
        return extract_article(html, url, profile, **options)
    try:
        return await maybe_deferred_to_future(channel.call(extract_article, html, url, profile, **options))
    except HelperLost:
        page_helper.lost(channel, worked=channel.answered > 0)  # the next page gets a new helper
        return extract_article(html, url, profile, **options)
