"""The scheduler: crawl each enabled site when its cron expression says, for years, unattended.

Why it is shaped this way:
- each crawl is a subprocess (``hospital-news crawl SITE --trigger scheduler``): Scrapy's reactor runs once
  per process, and a crash in one crawl cannot take the scheduler down;
- the time a site was last fired is stored in the archive (``schedule_state``) *before* its crawl starts,
  so a scheduler restarted mid-crawl, or run again by cron (``--once``), never fires the same slot twice;
  missed slots (machine off for a week) are coalesced into one catch-up crawl;
- the per-site lock (``archive/locks.py``) is taken by the crawl itself, so a manual crawl and a scheduled
  one of the same site never overlap; ``max_concurrent`` bounds how many sites crawl at once;
- profiles are re-read every tick, so ``sites disable NAME`` takes effect without a restart.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from croniter import croniter

from archive.health import summary_line
from archive.locks import is_locked
from archive.store import Archive, ArchiveError
from scraper.profiles import Profile, ProfileError, load_profiles

logger = logging.getLogger("hospital_news.scheduler")
PROJECT_ROOT = Path(__file__).resolve().parent.parent
ISO = "%Y-%m-%dT%H:%M:%SZ"
EXIT_WARNING = 3  # `hospital-news crawl`: every site archived, but one has health warnings


@dataclass
class SchedulerConfig:
    db: Path
    log_file: Path
    sites_dir: Path | None = None
    max_concurrent: int = 2
    tick_seconds: float = 30.0
    crawl_args: list[str] = field(default_factory=list)  # passed on to every `crawl` (-s, --base-url, --notify-*)


@dataclass
class Running:
    process: subprocess.Popen
    started: float


def parse_iso(text: str) -> datetime:
    """A stored UTC time, in the machine's local zone: cron expressions are read in local time, as cron does."""
    return datetime.strptime(text, ISO).replace(tzinfo=UTC).astimezone()


def local_now() -> datetime:
    return datetime.now().astimezone().replace(microsecond=0)


def next_fire(cron: str, after: datetime) -> datetime:
    return croniter(cron, after).get_next(datetime)


def last_fire(cron: str, now: datetime) -> datetime:
    return croniter(cron, now).get_prev(datetime)


def is_due(cron: str, last_fired: datetime | None, now: datetime) -> bool:
    """Due when the first fire time after the last one has passed; a site never crawled is due at once."""
    return last_fired is None or next_fire(cron, last_fired) <= now


def worse_exit(a: int, b: int) -> int:
    """The more alarming of two crawl exit statuses: any failure (1, or a crash) beats a warning (3) beats 0."""

    def rank(code: int) -> int:
        return {0: 0, EXIT_WARNING: 1}.get(code, 2)

    return a if rank(a) >= rank(b) else b


class Scheduler:
    def __init__(self, config: SchedulerConfig):
        self.config = config
        self.running: dict[str, Running] = {}
        self.profiles: dict[str, Profile] = {}
        self.stop = threading.Event()
        self.worst_exit = 0

    # -- state ----------------------------------------------------------------------------------------

    def last_fired(self, archive: Archive, site: str) -> datetime | None:
        """When the site was last fired by a scheduler, else when it was last crawled at all."""
        row = archive.db.execute("SELECT last_fire FROM schedule_state WHERE site = ?", [site]).fetchone()
        if row and row[0]:
            return parse_iso(row[0])
        row = archive.db.execute("SELECT max(started) FROM crawl_runs WHERE site = ?", [site]).fetchone()
        return parse_iso(row[0]) if row and row[0] else None

    def record_fire(self, archive: Archive, profile: Profile, now: datetime) -> None:
        fired = last_fire(profile.cron, now)
        archive.db["schedule_state"].upsert(
            {
                "site": profile.name,
                "cron": profile.cron,
                "last_fire": fired.astimezone(UTC).strftime(ISO),
                "launched": now.astimezone(UTC).strftime(ISO),
            },
            pk="site",
        )

    # -- one tick -------------------------------------------------------------------------------------

    def reload_profiles(self) -> None:
        try:
            self.profiles = {n: p for n, p in load_profiles(self.config.sites_dir).items() if p.enabled}
        except ProfileError as exc:
            logger.error("profiles not reloaded, keeping the previous ones: %s", exc)

    def due(self, now: datetime) -> list[Profile]:
        with Archive(self.config.db) as archive:
            return [
                p
                for n, p in self.profiles.items()
                if n not in self.running and is_due(p.cron, self.last_fired(archive, n), now)
            ]

    def launch_due(self) -> int:
        """Start as many due crawls as the concurrency limit allows; returns how many are still waiting."""
        now = local_now()
        waiting = self.due(now)
        for profile in list(waiting):
            if len(self.running) >= self.config.max_concurrent:
                break
            waiting.remove(profile)
            with Archive(self.config.db) as archive:
                self.record_fire(archive, profile, now)
            if is_locked(self.config.db, profile.name):
                logger.warning("%s: due, but another crawl of it is running; this slot is skipped", profile.name)
                continue
            self.launch(profile)
        return len(waiting)

    def launch(self, profile: Profile) -> None:
        command = [sys.executable, "-m", "archive", "crawl", profile.name, "--db", str(self.config.db)]
        command += ["--trigger", "scheduler"]
        if self.config.sites_dir:
            command += ["--sites-dir", str(self.config.sites_dir)]
        command += self.config.crawl_args
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")])),
        }
        env["PYTHONIOENCODING"] = "utf-8"
        with open(self.config.log_file, "ab") as log:
            process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        self.running[profile.name] = Running(process, time.monotonic())
        logger.info("%s: crawl started (schedule %r, pid %s)", profile.name, profile.cron, process.pid)

    def reap(self) -> None:
        for site, run in list(self.running.items()):
            code = run.process.poll()
            if code is None:
                continue
            del self.running[site]
            self.worst_exit = worse_exit(self.worst_exit, code)
            logger.info("%s: crawl ended with exit status %s: %s", site, code, self.last_summary(site))

    def last_summary(self, site: str) -> str:
        try:
            with Archive(self.config.db) as archive:
                row = next(
                    iter(archive.db.query("SELECT * FROM crawl_runs WHERE site = ? ORDER BY id DESC LIMIT 1", [site])),
                    None,
                )
        except ArchiveError as exc:
            return str(exc)
        return summary_line(row) if row else "no run recorded (see the log above)"

    # -- loops ----------------------------------------------------------------------------------------

    def run_once(self) -> int:
        """Crawl every site due now (respecting the limit), wait for them all, return the worst exit status."""
        self.reload_profiles()
        while not self.stop.is_set():
            self.reap()
            waiting = self.launch_due()
            if not self.running and not waiting:
                break
            self.stop.wait(0.5)
        self.shutdown()
        return self.worst_exit

    def run_forever(self) -> int:
        logger.info("scheduler started: %s, at most %s crawls at once", self.config.db, self.config.max_concurrent)
        while not self.stop.is_set():
            self.reload_profiles()
            self.reap()
            try:
                self.launch_due()
            except ArchiveError as exc:  # e.g. the archive locked for longer than the busy timeout
                logger.error("will retry at the next tick: %s", exc)
            self.stop.wait(self.config.tick_seconds if not self.running else min(self.config.tick_seconds, 1.0))
        self.shutdown()
        logger.info("scheduler stopped")
        return 0

    def shutdown(self) -> None:
        """On SIGTERM/SIGINT: ask running crawls to stop (they archive what they have, marked interrupted)."""
        for run in self.running.values():
            if run.process.poll() is None:
                run.process.send_signal(signal.SIGTERM)
        for site, run in list(self.running.items()):
            try:
                run.process.wait(timeout=120)
            except subprocess.TimeoutExpired:
                run.process.kill()
            logger.info("%s: crawl stopped with the scheduler: %s", site, self.last_summary(site))
        self.reap()

    def handle_signals(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: self.stop.set())


def setup_logging(log_file: Path) -> None:
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%d %H:%M:%S")
    file_handler = logging.FileHandler(log_file, encoding="utf-8")
    stream_handler = logging.StreamHandler(sys.stderr)
    for handler in (file_handler, stream_handler):
        handler.setFormatter(formatter)
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
