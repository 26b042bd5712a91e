"""``hospital-news status``: one line per site that tells an archivist whether to worry.

Per site: the last run's status, when it last succeeded, how many articles are archived, when the newest
article was first seen, and the warnings (the last run's health findings, a site gone quiet, a profile
switched off). Sites known to the archive and sites with a profile are both listed.
"""

from __future__ import annotations

from datetime import UTC, datetime

from archive.store import Archive
from scraper.profiles import Profile

STALE_DAYS = 3  # no successful crawl for this long is worth a warning even when no run failed


def _when(iso: str | None) -> str:
    return iso.replace("T", " ").rstrip("Z")[:16] if iso else "never"


def site_warnings(summary: dict, profile: Profile | None, now: datetime) -> list[str]:
    warnings: list[str] = []
    run = summary["last_run"]
    if profile is None:
        warnings.append("no profile any more")
    elif not profile.enabled:
        warnings.append("disabled")
    if run is None:
        warnings.append("never crawled")
        return warnings
    if run["status"] in ("warning", "failed"):
        warnings.append(run.get("warnings") or run.get("message") or f"last run {run['status']}")
    elif run["status"] == "interrupted":
        warnings.append("last run was interrupted")
    last_ok = summary["last_success"]
    age = (now - datetime.strptime(last_ok, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)).days if last_ok else None
    if age is not None and age >= STALE_DAYS:
        warnings.append(f"no successful crawl for {age} days")
    elif last_ok is None:
        warnings.append("never succeeded")
    return warnings


def status_lines(archive: Archive, profiles: dict[str, Profile], now: datetime | None = None) -> list[str]:
    now = now or datetime.now(UTC)
    lines = []
    for site in sorted(set(archive.site_names()) | set(profiles)):
        summary = archive.site_summary(site)
        run = summary["last_run"]
        newest = summary["newest"]
        last_new = _when(newest["first_seen"]) if newest else "none"
        if newest and newest.get("published"):
            last_new += f" (published {newest['published'][:10]})"
        warnings = site_warnings(summary, profiles.get(site), now)
        lines.append(
            f"{site}: {run['status'] if run else 'never crawled'} | last success {_when(summary['last_success'])} | "
            f"{summary['articles']} articles | last new article {last_new} | "
            f"warnings: {'; '.join(warnings) if warnings else 'none'}"
        )
    return lines
