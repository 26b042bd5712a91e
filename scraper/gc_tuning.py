"""Python's cyclic garbage collector, set for a long crawl: fewer collections, and never over start-up objects.

A crawl allocates container objects at a steady clip (requests, responses, items, Deferreds, the page helper's
answers), so with Python's default first threshold (700 net allocations) the collector ran about once for
every three pages fetched. Each run of the older generations walked everything still alive, Scrapy's and
Twisted's own objects included: 14 % of the crawl process's wall clock in a 3,000-article bench crawl
(``python -m bench crawl --profile``), against 0.2 % with the setting below.

What is done, once each process is ready to work:
- ``gc.freeze()``: every object alive after start-up (modules, classes, settings, the engine) moves to a
  generation the collector never walks again;
- the first threshold goes from 700 to ``GEN0_THRESHOLD``; the older generations keep Python's ratios (10, 10).
  Most garbage is freed by reference counting the moment it is dropped and never waits for the collector;
  only objects in reference cycles (a BeautifulSoup tree, a Failure with its traceback) wait for the next
  run, and at most ``GEN0_THRESHOLD`` net new containers pile up before it comes: a few MB
  (``python -m bench memory`` measures the peak RSS of a 50,000-page crawl).

The crawl's process does it at ``engine_started`` (the extension below, ``HOSPITAL_NEWS_GC_GEN0_THRESHOLD``,
0 leaves Python's defaults); the page helper and the archive writer's process at their start.
"""

from __future__ import annotations

import gc

GEN0_THRESHOLD = 50_000


def tune_for_throughput(gen0_threshold: int = GEN0_THRESHOLD) -> None:
    """Collect once, freeze what is alive, and raise the first threshold (see the module docstring)."""
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
