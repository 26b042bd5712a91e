"""The archive writer: one process of its own that opens the archive and makes every write of a crawl, in order.

Why a process: a crawl is CPU-bound in Python on the reactor thread (Scrapy, extraction, WARC records), and an
archive write is mostly Python too (sqlite-utils, the Party facts' regexes), so a thread would only take turns
with the reactor for the GIL. In its own process a batch is written on the machine's other core while the
crawl goes on fetching and extracting (``python -m bench crawl --profile`` shows the split).

Safety: the crawl waits for every queued write before it closes its run (SIGINT/SIGTERM included), so what
was scraped is committed. The writer is a helper process (``scraper/helpers.py``): it ignores SIGINT/SIGTERM
and exits when the crawl's process is gone (kill -9), its open transaction, if any, rolled back by SQLite as
a killed single process would leave it. If the writer dies and the crawl does not (the OOM killer, a stray
``kill``), the crawl starts a new one and sends again every write not yet confirmed: each batch is one
transaction, committed whole or not at all, and the pipeline numbers its writes, so that one committed just
before the kill is not made, nor counted, twice (``Archive.save_articles``'s ``write``).
"""

from __future__ import annotations

import logging
from collections import deque
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

from archive.store import Archive, ArchiveError
from scraper.helpers import SharedHelper, helper_pool, stop_pool

# Batches queued for the writer before the crawl waits for the oldest: bounds memory, and what a kill -9 can
# lose beyond the batch being filled (what a synchronous write of as many batches would have risked).
MAX_PENDING = 2
# Writer processes one crawl may start again after one died, before it gives up with an error.
MAX_RESTARTS = 3
# How long a write waits for another process's transaction (another crawl's batch takes milliseconds, an
# ``ingest`` of a large feed file is one transaction of seconds) before it fails. Longer than the CLI's 5 s,
# as the crawl goes on fetching meanwhile, and a batch refused is not archived in this run.
WRITER_BUSY_TIMEOUT_MS = 30_000
logger = logging.getLogger(__name__)
# In the writer process: each open archive and how many spiders use it (every spider of a multi-site crawl
# shares one writer process, and usually one archive file).
_archives: dict[str, tuple[Archive, int]] = {}
# In the crawl's process: the writer, shared by its spiders.
_writer = SharedHelper(helper_pool, stop_pool, "archive writer")


def _open(path: str) -> None:
    archive, users = _archives.get(path) or (Archive(path, timeout_ms=WRITER_BUSY_TIMEOUT_MS), 0)
    _archives[path] = (archive, users + 1)


def _call(path: str, method: str, args: tuple, kwargs: dict) -> Any:
    return getattr(_archives[path][0], method)(*args, **kwargs)


def _close(path: str) -> None:
    archive, users = _archives.pop(path, (None, 0))
    if users > 1:
        _archives[path] = (archive, users - 1)
    elif archive is not None:
        archive.close()


class ArchiveWriterLost(ArchiveError):
    """The writer process kept dying and is not started again: nothing more can be written in this crawl."""


@dataclass
class _Write:
    """A queued write, kept until the writer confirms it so that it can be sent again to a new writer."""

    method: str
    args: tuple
    kwargs: dict
    future: Future


class ArchiveWriter:
    """One spider's side of the writer process (one for all spiders of a crawl's process): ``call`` waits for
    an answer, ``submit`` queues a write.

    Queued writes' outcomes are collected on the caller's thread by ``done`` and ``drain``, oldest first.
    Exceptions (an ``ArchiveError`` such as a locked database) come back from the writer as they were raised.
    A writer that died is replaced (see the module's docstring), ``MAX_RESTARTS`` times at most.
    """

    def __init__(self, db_path: str):
        self.path = str(db_path)
        self.pending: deque[_Write] = deque()
        self.restarts = 0
        _writer.join()
        try:
            self.executor = _writer.helper
            self.executor.submit(_open, self.path).result()
        except BaseException:
            _writer.leave()
            raise

    def call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        """Run ``Archive.<method>`` in the writer after what is queued; its result (or exception) here."""
        return self._wait_for(_call, self.path, method, args, kwargs)

    def submit(self, method: str, *args: Any, **kwargs: Any) -> list[Future]:
        """Queue ``Archive.<method>``; returns the writes finished meanwhile (waiting if too many are queued)."""
        self.pending.append(_Write(method, args, kwargs, self._send(method, args, kwargs)))
        finished = self.done()
        while len(self.pending) > MAX_PENDING:
            self.pending[0].future.exception()  # wait for the oldest: the writer is the bottleneck
            finished += self.done()
        return finished

    def done(self) -> list[Future]:
        """The queued writes that have finished, oldest first, taken off the queue."""
        finished = []
        while self.pending and self.pending[0].future.done():
            if isinstance(self.pending[0].future.exception(), BrokenProcessPool):
                self._restart()  # sends every pending write again
                continue
            finished.append(self.pending.popleft().future)
        return finished

    def drain(self) -> list[Future]:
        """Wait for every queued write; returns them all, oldest first."""
        finished = []
        while self.pending:
            self.pending[0].future.exception()
            finished += self.done()
        return finished

    def close(self) -> None:
        """Wait for the queue, close the archive in the writer; the last spider to close ends the writer."""
        try:
            self.drain()
            self._wait_for(_close, self.path)
        finally:
            _writer.leave()

    def abandon(self) -> None:
        """Stop using a writer that is lost for good: its queued writes are dropped, not waited for."""
        self.pending.clear()
        _writer.leave()

    def _wait_for(self, function, *args: Any) -> Any:
        """``function(*args)`` in the writer, after what is queued; in a new writer if this one died meanwhile."""
        while True:
            try:
                return self.executor.submit(function, *args).result()
            except BrokenProcessPool:
                self._restart()

    def _send(self, method: str, args: tuple, kwargs: dict) -> Future:
        """Queue a write; a pool already known to be broken refuses it, which ``done`` then sees as a failure."""
        try:
            return self.executor.submit(_call, self.path, method, args, kwargs)
        except BrokenProcessPool as error:
            refused: Future = Future()
            refused.set_exception(error)
            return refused

    def _restart(self) -> None:
        """The writer process died: open the archive in a new one and send the unconfirmed writes again."""
        while True:
            self.restarts += 1
            if self.restarts > MAX_RESTARTS:
                died = MAX_RESTARTS + 1
                raise ArchiveWriterLost(f"the archive writer process died {died} times and was not started again")
            broken = self.executor
            _writer.lost(broken)  # the first spider to notice replaces it; the others get the new one
            broken.shutdown(wait=False)
            self.executor = _writer.helper
            try:
                self.executor.submit(_open, self.path).result()
                break
            except BrokenProcessPool:
                continue
        for write in self.pending:
            write.future = self._send(write.method, write.args, write.kwargs)
        logger.warning(
            "The archive writer process died; a new one writes the archive (%d queued writes sent again).",
            len(self.pending),
        )
