"""One crawl of a site at a time: an exclusive lock file per (archive, site).

Two crawls of one site into one archive would fetch everything twice and race on the same rows. Every crawl
(manual, cron, the scheduler's subprocesses) takes this lock, so the rule holds whoever starts it. The lock is
``flock``-based: the kernel drops it when the holder dies, so a crash never leaves a site locked for ever.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from archive.store import ArchiveError


def lock_path(db: Path, site: str) -> Path:
    return db.parent / f".{db.name}.locks" / f"{site}.lock"


@contextmanager
def site_lock(db: Path, site: str) -> Iterator[None]:
    """Hold the site's lock for the block; ArchiveError at once if another process holds it."""
    path = lock_path(db, site)
    try:
        path.parent.mkdir(exist_ok=True)
        handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held open for the block's duration
    except OSError as exc:
        raise ArchiveError(f"{path}: cannot create the site lock ({exc.strerror})") from None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "?"
            raise ArchiveError(f"{site}: already being crawled into {db} (pid {holder}); try again later") from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        handle.close()


def is_locked(db: Path, site: str) -> bool:
    """True when some process is crawling the site now (used by the scheduler before it launches one)."""
    try:
        with site_lock(db, site):
            return False
    except ArchiveError:
        return True
