"""Merge Scrapy feed exports (JSON lines of Article items) written by crawl jobs elsewhere into the archive.

Crawls spread over several Scrapyd nodes cannot all write one SQLite file (it has one writer, and a network
file system is no place for it). Each job writes its items with Scrapy's own feed exports to shared storage
instead; ``hospital-news ingest`` is then the single writer. Exactly once: a feed file is recorded by the
SHA-256 of its content and never applied twice, and articles are keyed by URL, so the same article in two
feeds (a site crawled twice) is one row. A file is applied in one transaction: a bad line rejects the whole
file, and nothing of it is half-merged.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from archive.store import Archive, ArchiveError, now_iso
from scraper.profiles import ProfileError, load_profile

FEED_SUFFIXES = (".jsonl", ".jl")
REQUIRED = ("url", "site", "body")


@dataclass
class IngestReport:
    files: int = 0
    skipped: list[str] = field(default_factory=list)  # already ingested (same content)
    counts: dict[str, int] = field(default_factory=lambda: {"new": 0, "updated": 0, "unchanged": 0})


def feed_files(paths: Iterable[Path]) -> list[Path]:
    """The feed files named, and those (``*.jsonl``, ``*.jl``) anywhere under the folders named, in order."""
    found = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.suffix in FEED_SUFFIXES and p.is_file())
        elif path.is_file():
            found.append(path)
        else:
            raise ArchiveError(f"{path}: no such feed file or folder")
    return found


def read_feed(path: Path) -> list[dict]:
    """The Article items of one JSON-lines feed; a line that is not one names the file and line."""
    items = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ArchiveError(
                    f"{path}:{number}: not a JSON line ({exc.msg}); nothing of this file merged"
                ) from None
            missing = [key for key in REQUIRED if not isinstance(item, dict) or not item.get(key)]
            if missing:
                raise ArchiveError(f"{path}:{number}: not an article (no {', '.join(missing)}); nothing merged")
            items.append(item)
    return items


def ingest(archive: Archive, paths: Iterable[Path], sites_dir: Path | None = None) -> IngestReport:
    """Merge every feed file under ``paths`` not merged before; returns what happened."""
    report = IngestReport()
    for path in feed_files(paths):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if archive.db["ingested_feeds"].count_where("sha256 = ?", [digest]):
            report.skipped.append(str(path))
            continue
        by_site = _by_site(read_feed(path))
        with archive.writing():  # the whole file, or nothing of it
            for site, rows in by_site.items():
                _register(archive, site, sites_dir, path)
                run = archive.start_run(site, "ingest", sweep=False)  # no site lock: a crawl may be running
                counts = archive.save_articles(rows, run)
                archive.finish_run(run, status="ok", pages=len(rows), errors=0, message=f"ingested {path.name}")
                for outcome, number in counts.items():
                    report.counts[outcome] += number
            archive.db["ingested_feeds"].insert(
                {"sha256": digest, "path": str(path), "sites": ", ".join(by_site),
                 "articles": sum(map(len, by_site.values())), "ingested": now_iso()})  # fmt: skip
        report.files += 1
    return report


def _by_site(items: list[dict]) -> dict[str, list[dict]]:
    sites: dict[str, list[dict]] = {}
    for item in items:
        sites.setdefault(item["site"], []).append(item)
    return sites


def _register(archive: Archive, site: str, sites_dir: Path | None, path: Path) -> None:
    try:
        archive.register_site(load_profile(site, sites_dir))
    except ProfileError:
        raise ArchiveError(f"{path}: articles of site {site!r}, which has no profile here (see --sites-dir)") from None
