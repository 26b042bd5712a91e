"""Python's cyclic garbage collector, set for a long crawl: fewer collections, and never over start-up objects.

A crawl allocates container objects at a steady clip (requests, responses, items, Deferreds, the page helper's
answers), so with Python's default first threshold (700 net allocations) the collector ran about once for
every three pages fetched, and each run of an older generation walked everything still alive, Scrapy's and
Twisted's own objects included: 12–14 % of the crawl process's wall clock (``python -m bench crawl --profile``),
1 % with the setting below.

What is done, once per process, when it is ready to work:
- ``gc.freeze()``: every object alive then (modules, classes, settings, the engine) moves to a generation the
  collector never walks again;
- the first threshold goes from 700 to ``GEN0_THRESHOLD``; the older generations keep their ratios (10, 10).
Garbage without reference cycles is still freed by reference counting the moment it is dropped. Garbage in
cycles (a Failure with its traceback, a suspended coroutine's frame) waits for the next collection of its
generation, which now comes 70× later: memory is the price. The 50,000-article crawl's peak RSS went from
262 MB to 330 MB with its helpers (``python -m bench memory``; the limit is 500 MB).

The crawl's process does it at ``engine_started`` (the extension below; ``HOSPITAL_NEWS_GC_GEN0_THRESHOLD``,
0 leaves Python's defaults). The collector is one per process: in a crawl of several sites in one process
(they share one set of settings), the first spider to start does it and the others find it done. The page
helper and the archive writer's process do it at their start.
"""

from __future__ import annotations

import gc

GEN0_THRESHOLD = 50_000


def tune_for_throughput(gen0_threshold: int = GEN0_THRESHOLD) -> None:
    """Collect once, freeze what is alive, and raise the first threshold (see the module docstring).

    Done once per process: freezing again later would also freeze the requests and responses of spiders
    already crawling, and what of them ended in a cycle would never be collected."""
    if gc.get_threshold()[0] == gen0_threshold:
        return
    gc.collect()
    gc.freeze()
    _, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(gen0_threshold, gen1, gen2)


class GarbageCollectorTuning:
    """Scrapy extension: ``tune_for_throughput`` in the crawl's process once the engine has started."""

    def __init__(self, gen0_threshold: int) -> None:
        self.gen0_threshold = gen0_threshold

    @classmethod
    def from_crawler(cls, crawler) -> GarbageCollectorTuning:
        # Scrapy is imported here, not at the top: the helper processes import this module, and importing
        # Scrapy there would add 0.4 s to each helper's start (the crawl waits for the archive writer's).
        from scrapy import signals
        from scrapy.exceptions import NotConfigured

        threshold = crawler.settings.getint("HOSPITAL_NEWS_GC_GEN0_THRESHOLD")
        if threshold <= 0:
            raise NotConfigured
        extension = cls(threshold)
        crawler.signals.connect(extension.engine_started, signal=signals.engine_started)
        return extension

    def engine_started(self) -> None:
        tune_for_throughput(self.gen0_threshold)
