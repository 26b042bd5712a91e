"""Python's garbage collector is set for throughput (scraper/gc_tuning.py) in each process of a crawl: the
crawl's own, once its engine starts, and the page helper and archive writer, before their first call."""

import gc
import pickle
import subprocess
import sys

import pytest
from scrapy import Spider, signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from scraper.gc_tuning import GEN0_THRESHOLD, GarbageCollectorTuning
from scraper.helper_channel import _SIZE
from scraper.helpers import helper_pool, stop_pool
from scraper.settings import EXTENSIONS


def gc_state() -> tuple[tuple[int, int, int], bool]:
    """This process's collector thresholds, and whether anything was frozen out of its reach."""
    return gc.get_threshold(), gc.get_freeze_count() > 0


@pytest.fixture
def restored_gc():
    """Give the test process its own collector settings back afterwards."""
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


def test_the_crawl_process_tunes_its_collector_once_the_engine_has_started(restored_gc):
    assert "scraper.gc_tuning.GarbageCollectorTuning" in EXTENSIONS
    crawler = get_crawler(Spider, {"HOSPITAL_NEWS_GC_GEN0_THRESHOLD": 40_000, "MEMUSAGE_ENABLED": False})
    extension = GarbageCollectorTuning.from_crawler(crawler)  # held, as Scrapy's extension manager holds it
    assert gc.get_threshold()[0] != 40_000, "nothing changes before the engine starts"

    crawler.signals.send_catch_log(signals.engine_started)
    thresholds, frozen = gc_state()
    assert thresholds[0] == extension.gen0_threshold == 40_000 and frozen


def test_a_threshold_of_zero_leaves_python_defaults():
    with pytest.raises(NotConfigured):
        GarbageCollectorTuning.from_crawler(get_crawler(Spider, {"HOSPITAL_NEWS_GC_GEN0_THRESHOLD": 0}))


def test_the_archive_writer_process_is_tuned_before_its_first_call():
    pool = helper_pool()
    try:
        thresholds, frozen = pool.submit(gc_state).result(timeout=60)
    finally:
        stop_pool(pool)
    assert thresholds[0] == GEN0_THRESHOLD and frozen


def test_the_page_helper_process_is_tuned_before_its_first_call():
    """Spoken to as the crawl speaks to it: one framed, pickled call on stdin, its answer on stdout."""
    call = pickle.dumps((1, gc_state, (), {}))
    helper = subprocess.run(
        [sys.executable, "-m", "scraper.helper_channel"],
        input=_SIZE.pack(len(call)) + call,
        capture_output=True,
        timeout=60,
        check=True,
    )
    call_id, ok, (thresholds, frozen) = pickle.loads(helper.stdout[_SIZE.size :])
    assert (call_id, ok) == (1, True)
    assert thresholds[0] == GEN0_THRESHOLD and frozen
