"""Helper processes of a crawl: where CPU-bound Python work goes so that the reactor's core keeps fetching.

A crawl is CPU-bound in Python, and threads take turns for the GIL; a helper process runs on the machine's
other core. Helpers are started with ``spawn`` (never a fork of a process running a reactor and threads),
ignore SIGINT/SIGTERM (Ctrl-C and service managers signal the whole process group; the crawl decides when a
helper's work ends and waits for it), and exit on their own when the crawl's process is gone (kill -9).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor

_PARENT_POLL_SECONDS = 0.5


def helper_pool() -> ProcessPoolExecutor:
    """A one-process pool: calls run there one after another, in the order they were submitted."""
    context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(1, mp_context=context, initializer=_start_helper, initargs=(os.getpid(),))


class SharedHelper:
    """One helper process shared by every spider of a crawl's process: started on first use, ended when the
    last spider leaves (a multi-site crawl runs its spiders side by side in one process)."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self._users = 0

    def join(self) -> None:
        self._users += 1

    def leave(self) -> None:
        self._users = max(0, self._users - 1)
        if self._users == 0 and self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    @property
    def pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = helper_pool()
        return self._pool

    def lost(self) -> None:
        """The helper died (``BrokenProcessPool``): the next use starts a new one."""
        self._pool = None


def _start_helper(parent: int) -> None:
    """In the helper, before any call: leave signals to the crawl, and die with it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True, name="watch-crawl").start()


def _exit_with_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(_PARENT_POLL_SECONDS)
    os._exit(1)
