"""Python's garbage collector is set for throughput (scraper/gc_tuning.py) in each process of a crawl: the
crawl's own, once its engine starts, and the page helper and archive writer, before their first call."""

import gc
import pickle
import subprocess
import sys

import pytest
from scrapy import Spider, signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.conf import build_component_list
from scrapy.utils.misc import load_object
from scrapy.utils.test import get_crawler

from scraper.gc_tuning import GEN0_THRESHOLD, GarbageCollectorTuning, tune_for_throughput
from scraper.helper_channel import _SIZE
from scraper.helpers import helper_pool, stop_pool
from scraper.runner import build_settings


def gc_state() -> tuple[tuple[int, int, int], bool]:
    """This process's collector thresholds, and whether anything was frozen out of its reach."""
    return gc.get_threshold(), gc.get_freeze_count() > 0


@pytest.fixture
def python_defaults():
    """The test process's collector as Python starts it, and its own settings back afterwards."""
    thresholds = gc.get_threshold()
    gc.unfreeze()
    gc.set_threshold(700, 10, 10)
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


def test_the_crawl_process_tunes_its_collector_once_the_engine_has_started(python_defaults, tmp_path):
    settings = build_settings(tmp_path / "archive.db", progress=False)
    assert GarbageCollectorTuning in map(load_object, build_component_list(settings.getwithbase("EXTENSIONS")))
    threshold = settings.getint("HOSPITAL_NEWS_GC_GEN0_THRESHOLD")
    crawler = get_crawler(Spider, {"HOSPITAL_NEWS_GC_GEN0_THRESHOLD": threshold, "MEMUSAGE_ENABLED": False})
    extension = GarbageCollectorTuning.from_crawler(crawler)  # held, as Scrapy's extension manager holds it
    assert gc_state() == ((700, 10, 10), False), "nothing changes before the engine starts"

    crawler.signals.send_catch_log(signals.engine_started)
    assert gc_state() == ((GEN0_THRESHOLD, 10, 10), True)
    assert extension.gen0_threshold == GEN0_THRESHOLD


def test_the_collector_is_tuned_once_per_process(python_defaults, monkeypatch):
    """A second spider of a multi-site crawl starts its engine too: what the first one's crawl has in flight
    must not be frozen."""
    tune_for_throughput()
    freezes = []
    monkeypatch.setattr(gc, "freeze", lambda: freezes.append(1))
    tune_for_throughput()
    assert freezes == []


def test_the_helper_processes_start_without_importing_scrapy():
    """Each helper imports these modules at its start; Scrapy would add 0.4 s to it, which the crawl waits."""
    modules = "scraper.helpers, scraper.helper_channel, scraper.archive_writer, scraper.gc_tuning"
    code = f"import sys, {modules}; print('scrapy' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "False\n"


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
