"""Helper processes of a crawl: where CPU-bound Python work goes so that the reactor's core keeps fetching.

A crawl is CPU-bound in Python, and threads take turns for the GIL; a helper process runs on the machine's
other core. Two kinds: the page helper (``scraper/helper_channel.py``: extraction and WARC records, spoken to
over pipes by the reactor) and the archive writer's one-process pool below (``scraper/archive_writer.py``),
whose callers wait for answers. ``SharedHelper`` lets every spider of a crawl's process share each.

Pool helpers are started with ``spawn`` (never a fork of a process running a reactor and threads), ignore
SIGINT/SIGTERM (Ctrl-C and service managers signal the whole process group; the crawl decides when a helper's
work ends and waits for it), and exit on their own when the crawl's process is gone (kill -9).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Generic, TypeVar

from scraper.gc_tuning import tune_for_throughput

_PARENT_POLL_SECONDS = 0.5
# Helpers in a row that died before answering anything: then the crawl stops starting new ones.
MAX_FAILED_STARTS = 3
H = TypeVar("H")
logger = logging.getLogger(__name__)


class HelperLost(Exception):
    """The helper process ended with calls still waiting for an answer, or none could be started."""


def helper_pool() -> ProcessPoolExecutor:
    """A one-process pool: calls run there one after another, in the order they were submitted."""
    context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(1, mp_context=context, initializer=_start_helper, initargs=(os.getpid(),))


def stop_pool(pool: ProcessPoolExecutor) -> None:
    pool.shutdown(wait=True)


class SharedHelper(Generic[H]):
    """One helper shared by every spider of a crawl's process: started on first use, ended when the last
    spider leaves (a multi-site crawl runs its spiders side by side in one process).

    ``start`` makes the helper (a process pool, a ``HelperChannel``); ``stop`` ends it. Callers that can do the
    work themselves (the page helper's: extraction, WARC records) report a dead helper with ``lost`` and get a
    new one on next use, but not forever: after ``MAX_FAILED_STARTS`` helpers in a row that died before
    answering anything (a broken interpreter, a process limit), ``helper`` raises ``HelperLost`` and they work
    in the crawl's process, instead of spawning a process for every page. The archive writer's callers cannot
    fall back: its failure to start fails the spider's opening."""

    def __init__(self, start: Callable[[], H], stop: Callable[[H], Any], name: str) -> None:
        self._start, self._stop = start, stop
        self.name = name
        self._helper: H | None = None
        self._users = 0
        self.failed_starts = 0

    def join(self) -> None:
        self._users += 1

    def leave(self) -> Any:
        """One user fewer; the last one stops the helper and gets what ``stop`` returned (else None)."""
        self._users = max(0, self._users - 1)
        if self._users > 0:
            return None
        self.failed_starts = 0  # the next crawl in this process tries again
        if self._helper is None:
            return None
        helper, self._helper = self._helper, None
        return self._stop(helper)

    @property
    def helper(self) -> H:
        """The running helper, started if need be; ``HelperLost`` if it cannot be (see the class)."""
        if self._helper is None:
            if self.failed_starts >= MAX_FAILED_STARTS:
                raise HelperLost(f"the {self.name} could not start")
            try:
                self._helper = self._start()
            except OSError as error:  # the interpreter is missing, fork() refused...
                self._failed(str(error))
                raise HelperLost(f"the {self.name} could not start: {error}") from error
        return self._helper

    def lost(self, helper: H, worked: bool = True) -> None:
        """``helper`` died (``worked``: after answering at least once); the next use starts a new one.

        Every caller that was waiting on it reports it: only the first report counts."""
        if helper is not self._helper:
            return
        self._helper = None
        if worked:
            self.failed_starts = 0
        else:
            self._failed("it exited without answering")

    def _failed(self, why: str) -> None:
        self.failed_starts += 1
        if self.failed_starts == MAX_FAILED_STARTS:
            logger.warning(
                "Giving up on the %s: %d in a row failed before answering (last: %s); its work is done in the "
                "crawl's process from now on.", self.name, self.failed_starts, why,
            )  # fmt: skip


def _start_helper(parent: int) -> None:
    """In the helper, before any call: leave signals to the crawl, die with it, and collect garbage rarely."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    tune_for_throughput()
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True, name="watch-crawl").start()


def _exit_with_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(_PARENT_POLL_SECONDS)
    os._exit(1)
