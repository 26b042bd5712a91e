"""Scrapy's downloader with its per-site concurrency limit kept when no download delay is set.

Scrapy 2.19 (asyncio reactor) counts a request as "transferring" only once its download task has started
running, but dispatches queued requests in a loop that checks that count: with ``DOWNLOAD_DELAY = 0`` one pass
dispatches the whole queue, and a site gets up to ``CONCURRENT_REQUESTS`` (16) requests at once instead of
``CONCURRENT_REQUESTS_PER_DOMAIN`` (2). tests/test_politeness.py counts them at the server. Counting the
request from the moment it is dispatched restores the limit (``_download`` adds it again to the same set and
removes it when the download ends).
"""

from __future__ import annotations

from scrapy.core.downloader import Downloader


class PoliteDownloader(Downloader):
    def _wait_for_download(self, slot, request, queue_dfd):
        slot.transferring.add(request)
        return super()._wait_for_download(slot, request, queue_dfd)
