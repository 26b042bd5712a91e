"""Health rules: decide whether a finished crawl means the site is fine, degrading, or broken.

Sites move, merge and change templates without warning; a crawl that "succeeds" with nothing archived is how
months of news get lost. Every rule lives here, as plain functions over a run's figures and the site's
previous runs, so they can be read (and tested) in one place:

- a site that used to yield articles yields none → ``failed``;
- the domain now redirects to another host → ``failed``;
- HTTP errors are most of the responses → ``warning`` (``failed`` if nothing was archived);
- bodies (extraction failures), titles or dates missing on more than a threshold of articles → ``warning``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MISSING_SHARE = 0.2  # more than this share of articles without title/body/date is a warning
HTTP_ERROR_SHARE = 0.5  # more than this share of responses being 4xx/5xx means errors dominate


@dataclass(frozen=True)
class RunFigures:
    """What one crawl of one site did, as the pipeline counted it."""

    site: str
    pages: int  # responses received
    archived: int  # articles new + updated + unchanged
    errors: int = 0  # failed requests of any kind
    http_errors: int = 0  # responses with status >= 400
    extraction_failures: int = 0  # article pages where no body was found
    missing_titles: int = 0
    missing_dates: int = 0
    redirected_to: str | None = None  # another host the site's listings now redirect to
    reason: str = "finished"  # Scrapy's close reason


@dataclass(frozen=True)
class Thresholds:
    missing_share: float = MISSING_SHARE
    http_error_share: float = HTTP_ERROR_SHARE


@dataclass
class Verdict:
    status: str  # ok, partial, warning, failed, interrupted
    warnings: list[str] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return self.status in ("ok", "partial")


def base_status(run: RunFigures) -> str:
    """ok / partial / failed / interrupted from fetch figures alone (before the health rules)."""
    if run.reason != "finished":
        return "interrupted"
    if run.archived == 0:
        return "failed"
    return "partial" if run.errors else "ok"


def best_previous_yield(previous_runs: list[dict]) -> dict | None:
    """The previous run that archived the most articles, or None if the site never yielded any."""
    best = max(previous_runs, key=_archived, default=None)
    return best if best is not None and _archived(best) > 0 else None


def _archived(row: dict) -> int:
    return (row.get("new") or 0) + (row.get("updated") or 0) + (row.get("unchanged") or 0)


def assess(run: RunFigures, previous_runs: list[dict], thresholds: Thresholds | None = None) -> Verdict:
    """Apply every rule; the verdict's status is the worst any rule gives, its warnings say why."""
    limits = thresholds or Thresholds()
    status = base_status(run)
    if status == "interrupted":
        return Verdict(status)
    failures: list[str] = []
    warnings: list[str] = []
    if run.redirected_to:
        failures.append(f"the site now redirects to {run.redirected_to}")
    errors_dominate = bool(run.pages) and run.http_errors / run.pages > limits.http_error_share
    if run.archived == 0:
        before = best_previous_yield(previous_runs)
        if errors_dominate:  # a 5xx storm or a site taken down, not a new layout
            failures.append(
                f"no article archived: the site answered HTTP errors to {run.http_errors} of {run.pages} requests"
            )
        elif before is not None:
            when = (before.get("started") or "")[:10]
            failures.append(f"no articles this time, {_archived(before)} on {when}; has the layout changed?")
        elif run.pages:
            failures.append(f"no article found on {run.pages} pages; has the site's layout changed?")
        else:
            failures.append("no page could be fetched")
    if errors_dominate and run.archived:
        warnings.append(f"HTTP errors dominate: {run.http_errors} of {run.pages} responses")
    article_pages = run.archived + run.extraction_failures
    if article_pages and run.extraction_failures / article_pages > limits.missing_share:
        warnings.append(f"no body found on {run.extraction_failures} of {article_pages} article pages")
    for what, missing in (("titles", run.missing_titles), ("dates", run.missing_dates)):
        if run.archived and missing / run.archived > limits.missing_share:
            warnings.append(f"{what} missing on {missing} of {run.archived} articles")
    if failures:
        return Verdict("failed", failures + warnings)
    if warnings:
        return Verdict("warning", warnings)
    return Verdict(status)


def summary_line(row: dict) -> str:
    """One line for a notification or a log: site, status, why, and the run's figures."""
    why = row.get("warnings") or row.get("message") or ""
    figures = (
        f"{row.get('pages', 0)} pages, {row.get('new', 0)} new, {row.get('updated', 0)} updated, "
        f"{row.get('unchanged', 0)} unchanged, {row.get('gone') or 0} gone, {row.get('errors', 0)} errors"
    )
    return f"hospital-news: {row['site']} {row['status']}{f' - {why}' if why else ''} ({figures}; run {row['id']})"
