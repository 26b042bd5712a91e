"""A helper process that the reactor talks to over pipes, with no thread in the crawl's process.

Calls go to the helper's stdin as length-prefixed pickles, and results come back on its stdout. The reactor
reads them as it reads sockets. A ``ProcessPoolExecutor`` does the same job with two threads in the crawl's
process, which pickle, write and wake the reactor, taking turns with it for the GIL. Here, handing a page over
is one ``pickle.dumps`` and one buffered write: a crawl whose article callback sends each page over and awaits
a trivial answer runs at 0.98–1.02 of Scrapy's no-op speed (README, "Crawl throughput").

The helper runs ``python -m scraper.helper_channel``. It ignores SIGINT/SIGTERM, because the crawl decides
when the helper's work ends. It serves calls one after another, in the order they were sent, and exits when
its stdin closes. Its stdin closes when the crawl closes it or when the crawl's process dies (kill -9).
If the helper dies, the calls still waiting fail with ``HelperLost``.
"""

from __future__ import annotations

import os
import pickle
import signal
import struct
import sys
from collections.abc import Callable
from typing import Any

from twisted.internet import protocol
from twisted.internet.defer import Deferred

from scraper.gc_tuning import tune_for_throughput
from scraper.helpers import HelperLost, SharedHelper

__all__ = ["HelperChannel", "HelperLost", "page_helper", "running_page_helper", "serve"]
_SIZE = struct.Struct("!I")


class HelperChannel(protocol.ProcessProtocol):
    """The crawl's side: ``call`` sends a call and returns a Deferred fired with its result or exception."""

    def __init__(self) -> None:
        self.pending: dict[int, Deferred] = {}
        self.inbox = bytearray()
        self.sent = 0
        self.answered = 0
        self.lost = False
        self.ended: list[Deferred] = []  # waiting for the process to be gone

    @classmethod
    def start(cls) -> HelperChannel:
        """Spawn the helper with this process's import path (a Scrapyd egg included) and its interpreter, or the
        one ``HOSPITAL_NEWS_HELPER_PYTHON`` names. Raises OSError if the interpreter cannot be started."""
        from twisted.internet import reactor

        channel = cls()
        path = os.pathsep.join(entry or os.getcwd() for entry in sys.path)
        python = os.environ.get("HOSPITAL_NEWS_HELPER_PYTHON") or sys.executable
        command = [python, "-m", "scraper.helper_channel"]
        env = {**os.environ, "PYTHONPATH": path}
        reactor.spawnProcess(channel, python, command, env=env, childFDs={0: "w", 1: "r", 2: 2})
        return channel

    def call(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Deferred:
        """``function(*args, **kwargs)`` in the helper; ``function`` must be importable there (module level)."""
        if self.lost:
            raise HelperLost("the helper process has ended")
        self.sent += 1
        answer: Deferred = Deferred()
        self.pending[self.sent] = answer
        data = pickle.dumps((self.sent, function, args, kwargs), pickle.HIGHEST_PROTOCOL)
        self.transport.writeSequence([_SIZE.pack(len(data)), data])
        return answer

    def close(self) -> Deferred:
        """No more calls: the helper answers those sent, then exits; the Deferred fires when it is gone."""
        gone: Deferred = Deferred()
        if self.transport is None or self.transport.pid is None:
            gone.callback(None)
            return gone
        self.ended.append(gone)
        if not self.lost:
            self.transport.closeStdin()
        return gone

    def childDataReceived(self, childFD: int, data: bytes) -> None:
        self.inbox += data
        while len(self.inbox) >= _SIZE.size:
            (size,) = _SIZE.unpack_from(self.inbox)
            end = _SIZE.size + size
            if len(self.inbox) < end:
                return
            call_id, ok, value = pickle.loads(bytes(self.inbox[_SIZE.size : end]))
            del self.inbox[:end]
            answer = self.pending.pop(call_id)
            self.answered += 1
            if ok:
                answer.callback(value)
            else:
                answer.errback(value)

    def childConnectionLost(self, childFD: int) -> None:
        if childFD == 1:  # its stdout: no answer can come any more
            self._lose()

    def processEnded(self, reason) -> None:
        self._lose()
        waiting, self.ended = self.ended, []
        for gone in waiting:
            gone.callback(None)

    def _lose(self) -> None:
        self.lost = True
        waiting, self.pending = self.pending, {}
        for answer in waiting.values():
            answer.errback(HelperLost("the helper process ended before answering"))


# The crawl's helper process, shared by its spiders: they extract there, and write their WARC records there.
page_helper: SharedHelper[HelperChannel] = SharedHelper(HelperChannel.start, HelperChannel.close, "page helper")


def running_page_helper() -> HelperChannel:
    """The page helper, replaced if it died since it was last used; ``HelperLost`` if none can be started."""
    channel = page_helper.helper
    if channel.lost:
        page_helper.lost(channel, worked=channel.answered > 0)
        channel = page_helper.helper
    return channel


def serve() -> None:
    """The helper's side: answer calls from stdin on stdout until stdin closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    tune_for_throughput()
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # a stray print() in called code goes to stderr, not into the answers
    calls = sys.stdin.buffer
    while True:
        head = calls.read(_SIZE.size)
        if len(head) < _SIZE.size:
            return
        call_id, function, args, kwargs = pickle.loads(calls.read(_SIZE.unpack(head)[0]))
        answers.write(_answer(call_id, function, args, kwargs))
        answers.flush()


def _answer(call_id: int, function: Callable[..., Any], args: tuple, kwargs: dict) -> bytes:
    """The framed answer to one call: its result, or the exception it raised (as a RuntimeError if that
    exception cannot be pickled)."""
    try:
        data = pickle.dumps((call_id, True, function(*args, **kwargs)), pickle.HIGHEST_PROTOCOL)
    except Exception as error:  # noqa: BLE001 - every failure goes back to the caller, as raised
        try:
            data = pickle.dumps((call_id, False, error), pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001
            data = pickle.dumps((call_id, False, RuntimeError(f"{type(error).__name__}: {error}")))
    return _SIZE.pack(len(data)) + data


if __name__ == "__main__":
    serve()
