"""The ``hospital-news`` command line: one small click function per command.

Every failure a user can cause (unknown site, bad profile, locked or unwritable database, unreachable site)
ends with one ``Error: ...`` line and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

import click

from archive.export import DEFAULT_COLUMNS, FORMATS, Selection, article_rows, check_date, write_rows
from archive.store import Archive, ArchiveError, default_warc_dir
from scraper.profiles import Profile, ProfileError, load_profile, load_profiles

# Our own mirrors are on loopback: no need to be polite to ourselves.
MIRROR_SETTINGS = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
    "ROBOTSTXT_OBEY": "False",
}


# Exit status of a crawl whose every site was archived but at least one looks unhealthy (health warning).
EXIT_WARNING = 3
TRIGGERS = ("manual", "scheduler", "scrapyd")


class Group(click.Group):
    """Turns the project's expected errors into one ``Error:`` line and exit status 1."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (ArchiveError, ProfileError) as exc:
            raise click.ClickException(str(exc)) from None


def db_option(exists: bool = False):
    return click.option(
        "--db",
        "db",
        required=True,
        type=click.Path(dir_okay=False, path_type=Path, exists=exists),
        help="The SQLite archive file.",
    )


sites_dir_option = click.option(
    "--sites-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder of site profiles (*.toml). Default: the bundled scraper/sites.",
)


warc_dir_option = click.option(
    "--warc-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder of the raw WARC captures. Default: <db stem>-warc/ beside the database.",
)


@click.group(cls=Group)
@click.version_option(package_name="hospital-news")
def cli() -> None:
    """Archive the Party-organisation news of Vietnamese hospital websites into SQLite, served by Datasette."""


# -- crawl ---------------------------------------------------------------------------------------------


def _parse_pairs(values: tuple[str, ...], option: str) -> dict[str, str]:
    pairs = {}
    for value in values:
        name, sep, setting = value.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"expected NAME=VALUE, got {value!r}", param_hint=option)
        pairs[name.strip()] = setting
    return pairs


def _select_profiles(names: tuple[str, ...], sites_dir: Path | None) -> list[Profile]:
    if names:
        return [load_profile(name, sites_dir) for name in names]
    profiles = [p for p in load_profiles(sites_dir).values() if p.enabled]
    if not profiles:
        raise click.ClickException(f"no enabled site profiles in {sites_dir or 'scraper/sites'}")
    return profiles


def check_writable(db: Path) -> None:
    """Fail fast, before any fetching, when the archive cannot be written (locked, read-only, missing folder)."""
    with Archive(db, timeout_ms=2000) as archive:
        try:
            archive.db.execute("BEGIN IMMEDIATE")
            archive.db.execute("ROLLBACK")
        except Exception as exc:  # sqlite3.OperationalError: locked or read-only
            from archive.store import describe_sqlite_error

            raise ArchiveError(describe_sqlite_error(db, exc)) from None


def check_writable_folder(folder: Path, purpose: str) -> None:
    """Fail fast, before any fetching, when ``folder`` cannot be written (``purpose`` says what it is for)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / ".write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise ArchiveError(f"{folder}: cannot {purpose} there ({exc.strerror})") from None


def run_and_report(
    profiles: list[Profile],
    db: Path,
    overrides: dict[str, str],
    base_urls: dict[str, str],
    verbose: bool,
    warc_dir: Path | None = None,
    jobdir: Path | None = None,
) -> None:
    """Crawl, print one summary line per site; exit 1 if any site failed, 3 if any has health warnings."""
    from archive.locks import site_lock
    from scraper.runner import build_settings, run_crawls

    check_writable(db)
    warc_dir = warc_dir or Path(overrides.get("HOSPITAL_NEWS_WARC_DIR") or default_warc_dir(db))
    capture = overrides.get("HOSPITAL_NEWS_WARC_ENABLED", "True").lower() not in ("false", "0", "no", "off")
    if capture:
        check_writable_folder(warc_dir, "write WARC files")
    if jobdir is not None:
        check_writable_folder(jobdir, "keep crawl jobs")
    with ExitStack() as locks:
        for profile in profiles:
            locks.enter_context(site_lock(db, profile.name))
        log_file = None if verbose else db.with_name(db.stem + "-crawl.log")
        click.echo(f"Crawling {', '.join(p.name for p in profiles)} into {db}", err=True)
        if log_file:
            click.echo(f"Scrapy log: {log_file}", err=True)
        click.echo(f"Raw pages (WARC): {warc_dir if capture else 'not captured'}", err=True)
        settings = build_settings(db, overrides, log_file=log_file, warc_dir=warc_dir)
        results = run_crawls(profiles, settings, base_urls, jobdir)
    for result in results:
        click.echo(
            f"{result.site}: {result.status} - {result.pages} pages, {result.new} new, {result.updated} updated, "
            f"{result.unchanged} unchanged, {result.gone} gone, {result.errors} errors"
            + (
                f" ({result.http_errors} HTTP, {result.extraction_failures} without body)"
                if result.errors or result.extraction_failures
                else ""
            )
        )
    failed = [r for r in results if r.status in ("failed", "interrupted")]
    if failed:
        raise click.ClickException(failure_line(failed[0]))
    warned = [r for r in results if r.status == "warning"]
    for result in warned:
        click.echo(f"Warning: {result.site}: {result.warnings}", err=True)
    if warned:
        sys.exit(EXIT_WARNING)


def failure_line(result) -> str:
    """One line that says what went wrong with a site's crawl and what it likely means."""
    reason = (result.message or "").split("; ")[0]
    if result.status == "interrupted":
        return f"{result.site}: crawl interrupted; what was fetched is archived, run it again to continue"
    if result.unrecorded:
        return f"{result.site}: {result.unrecorded}"
    if result.pages == 0:
        return f"{result.site}: could not reach the site ({reason or 'no page fetched'})"
    if result.warnings and reason and "HTTP errors" in result.warnings:
        return f"{result.site}: {result.warnings} (first: {reason})"
    if result.warnings:
        return f"{result.site}: {result.warnings}"
    if reason:
        return f"{result.site}: crawl failed: {reason}"
    return f"{result.site}: no article found on {result.pages} pages; has the site's layout changed? (see its profile)"


@cli.command()
@click.argument("sites", nargs=-1)
@db_option()
@sites_dir_option
@click.option(
    "-s",
    "--set",
    "overrides",
    multiple=True,
    metavar="NAME=VALUE",
    help="Override a Scrapy setting, as `scrapy crawl -s` does. Repeatable.",
)
@click.option(
    "--base-url",
    "base_urls",
    multiple=True,
    metavar="SITE=URL",
    help="Fetch SITE from another address (a mirror or copy); articles keep the real URLs.",
)
@warc_dir_option
@click.option("-v", "--verbose", is_flag=True, help="Show Scrapy's log on stderr instead of writing it beside DB.")
@click.option(
    "--trigger", type=click.Choice(TRIGGERS), default="manual", show_default=True, help="Recorded in crawl_runs."
)
@click.option("--notify-command", metavar="CMD", help="Shell command told of a warning/failed run (summary on stdin).")
@click.option("--notify-url", metavar="URL", help="Webhook POSTed a JSON summary of a warning/failed run.")
@click.option(
    "--jobdir",
    type=click.Path(path_type=Path),
    help="Keep each site's pending requests in DIR/SITE (Scrapy JOBDIR): a crawl stopped by Ctrl-C (once) "
    "continues where it stopped when run again with the same --jobdir.",
    metavar="DIR",
)
def crawl(
    sites, db, sites_dir, overrides, base_urls, warc_dir, verbose, trigger, notify_command, notify_url, jobdir
) -> None:
    """Crawl SITES (default: every enabled site) into the archive.

    Every response is also kept raw in WARC files (see --warc-dir).
    Exit status: 0 all sites fine, 1 a site failed, 3 a site archived articles but has health warnings
    (missing titles/dates/bodies, mostly HTTP errors).

    \b
    Example:
        hospital-news crawl baclieu omon --db archive.db -s DOWNLOAD_DELAY=2
        hospital-news crawl omon --db archive.db --warc-dir /srv/warc
        hospital-news crawl omon --db archive.db --notify-command 'mail -s "hospital-news" me@example.vn'
        hospital-news crawl omon --db archive.db --jobdir crawl-jobs   # Ctrl-C, then the same again resumes
    """
    profiles = _select_profiles(sites, sites_dir)
    overrides = _parse_pairs(overrides, "-s")
    overrides["HOSPITAL_NEWS_TRIGGER"] = trigger
    if notify_command:
        overrides["HOSPITAL_NEWS_NOTIFY_COMMAND"] = notify_command
    if notify_url:
        overrides["HOSPITAL_NEWS_NOTIFY_URL"] = notify_url
    base = _parse_pairs(base_urls, "--base-url")
    run_and_report(profiles, db, overrides, base, verbose, warc_dir=warc_dir, jobdir=jobdir)


# -- reextract -----------------------------------------------------------------------------------------


@cli.command()
@db_option(exists=True)
@warc_dir_option
@sites_dir_option
def reextract(db, warc_dir, sites_dir) -> None:
    """Rebuild every article from its raw WARC capture with the current extractors (no network).

    Changed text is saved as a new version; the previous one stays in article_versions.

    \b
    Example:
        hospital-news reextract --db archive.db
        hospital-news reextract --db archive.db --warc-dir /srv/warc
    """
    from archive.reextract import reextract_archive

    with Archive(db, create=False) as archive:
        report = reextract_archive(archive, warc_dir or default_warc_dir(db), sites_dir, _every(2.0, _reextracted))
    for line in report.missing[:10]:
        click.echo(f"not re-extracted: {line}", err=True)
    click.echo(
        f"{report.updated + report.unchanged + report.new} articles re-extracted: {report.updated} updated, "
        f"{report.unchanged} unchanged, {len(report.missing)} without a readable capture"
    )


def _reextracted(done: int, total: int) -> None:
    click.echo(f"re-extracting: {done:,} of {total:,} articles", err=True)


def _every(seconds: float, report: Callable[[int, int], None]) -> Callable[[int, int], None]:
    """``report``, but at most once every ``seconds`` and always for the last call (done == total)."""
    last = [time.monotonic()]

    def maybe(done: int, total: int) -> None:
        if done >= total or time.monotonic() - last[0] >= seconds:
            last[0] = time.monotonic()
            report(done, total)

    return maybe


# -- facts ---------------------------------------------------------------------------------------------


@cli.command()
@db_option(exists=True)
def facts(db) -> None:
    """Read every article's Party facts again with the current rules (no network, no WARC needed).

    Rewrites the tables people, documents_cited and member_counts and each article's event_type and
    year from the archived text: run it after the fact rules (scraper/facts.py) improve.

    \b
    Example:
        hospital-news facts --db archive.db
    """
    with Archive(db, create=False) as archive:
        before = archive.fact_counts()
        read = archive.recompute_facts()
        after = archive.fact_counts()
    figures = ", ".join(f"{table} {before[table]} -> {after[table]}" for table in after)
    click.echo(f"{read} articles read again: {figures}")


# -- serve ---------------------------------------------------------------------------------------------


@cli.command()
@db_option(exists=True)
@click.option("--port", default=8001, show_default=True, help="Port to listen on.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--warc-dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=None,
    help="Folder of the raw WARC captures, for the articles' archived copies. Default: <db stem>-warc/.",
)
def serve(db, port, host, warc_dir) -> None:
    """Serve the archive with Datasette (browse, search, SQL, CSV, archived copies).

    Each article links to its original page and to its archived copy (/-/archived/ID), the page as
    crawled, read from its WARC record and served with scripts disabled.

    \b
    Example:
        hospital-news serve --db archive.db --port 8001
        # then open http://127.0.0.1:8001/archive/articles
        hospital-news serve --db archive.db --warc-dir /srv/hospital-news/warc
    """
    from archive.serve import serve as run_datasette

    Archive(db, create=False).close()  # upgrade the schema and fail early on a non-archive file
    sys.exit(run_datasette(db, host, port, warc_dir))


# -- export --------------------------------------------------------------------------------------------


@cli.command()
@db_option(exists=True)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="csv", show_default=True)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default: stdout)."
)
@click.option("--site", help="Only this site's articles.")
@click.option(
    "--since",
    metavar="DATE",
    callback=lambda _c, _p, v: date_option(v),
    help="Only articles published on or after DATE (YYYY, YYYY-MM or YYYY-MM-DD).",
)
@click.option(
    "--until",
    metavar="DATE",
    callback=lambda _c, _p, v: date_option(v),
    help="Only articles published on or before DATE (YYYY, YYYY-MM or YYYY-MM-DD).",
)
@click.option(
    "--query", "-q", help='Only articles matching a search, with or without diacritics ("dang uy"); best first.'
)
@click.option("--category", help="Only this category (diacritics optional: 'hoat dong cong tac dang').")
@click.option("--columns", help=f"Comma-separated columns (default: {','.join(DEFAULT_COLUMNS)}).")
@click.option("--excel", is_flag=True, help="Start with a UTF-8 byte-order mark so Excel reads Vietnamese right.")
def export(db, fmt, output, site, since, until, query, category, columns, excel) -> None:
    """Export articles as CSV, JSON or NDJSON, newest first (best match first with --query), streamed.

    \b
    Example:
        hospital-news export --db archive.db --format csv -o articles.csv
        hospital-news export --db archive.db --query "dang uy" --since 2023 --until 2024-06 --excel -o dang-uy.csv
    """
    chosen = [c.strip() for c in columns.split(",")] if columns else DEFAULT_COLUMNS
    selection = Selection(site, since, until, query, category)
    with Archive(db, create=False) as archive:
        check_site(archive, site)
        try:
            rows = article_rows(archive, chosen, selection=selection)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--columns") from None
        encoding = "utf-8-sig" if excel else "utf-8"
        if output:
            with output.open("w", encoding=encoding, newline="") as out:
                count = write_rows(rows, chosen, fmt, out)
        else:
            out = click.get_text_stream("stdout", encoding=encoding)
            count = write_rows(rows, chosen, fmt, out)
            out.flush()
    click.echo(f"{count} articles exported{f' to {output}' if output else ''}", err=True)


# -- ingest --------------------------------------------------------------------------------------------


@cli.command()
@click.argument("feeds", nargs=-1, required=True, type=click.Path(path_type=Path))
@db_option()
@sites_dir_option
def ingest(feeds, db, sites_dir) -> None:
    """Merge feed exports of crawl jobs (JSON lines of articles, e.g. from Scrapyd nodes) into the archive.

    FEEDS are files or folders (every *.jsonl / *.jl under them). Each file is merged once, whole: a file
    merged before is skipped, an article already archived is updated, never doubled.

    \b
    Example:
        hospital-news ingest /shared/hospital-news/items --db archive.db
    """
    from archive.ingest import ingest as merge_feeds

    check_writable(db)
    with Archive(db) as archive:
        report = merge_feeds(archive, feeds, sites_dir)
    counts = report.counts
    click.echo(
        f"{report.files} feed files merged, {len(report.skipped)} already merged: {counts['new']} new, "
        f"{counts['updated']} updated, {counts['unchanged']} unchanged articles"
    )


def date_option(value: str | None) -> str | None:
    try:
        return check_date(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def check_site(archive: Archive, site: str | None) -> None:
    """An unknown --site is a typo to report, not an empty export."""
    if not site:
        return
    known = [row[0] for row in archive.db.execute("SELECT DISTINCT site FROM articles ORDER BY site")]
    if site not in known:
        raise click.BadParameter(
            f"no articles from site {site!r} (known: {', '.join(known) or 'none'})", param_hint="--site"
        )


# -- sites ---------------------------------------------------------------------------------------------


@cli.group()
def sites() -> None:
    """Site profiles: the hospitals this archive knows."""


@sites.command("list")
@sites_dir_option
def sites_list(sites_dir) -> None:
    """List site profiles.

    \b
    Example:
        hospital-news sites list
    """
    for profile in load_profiles(sites_dir).values():
        state = "enabled" if profile.enabled else "disabled"
        party = ", ".join(c.name for c in profile.party_categories) or "-"
        click.echo(f"{profile.name}\t{state}\t{profile.hospital} ({profile.province})\t{profile.base_url}\t{party}")


@sites.command("add")
@click.argument("url")
@click.option("--name", help="Site name for the profile (default: from the host name).")
@sites_dir_option
@click.option("--force", is_flag=True, help="Replace a profile of the same name.")
@click.option(
    "--delay", default=0.5, show_default=True, type=click.FloatRange(min=0), help="Seconds between two requests."
)
def sites_add(url, name, sites_dir, force, delay) -> None:
    """Detect a site's Party news from its home URL and write its profile.

    Finds the Party category by its wording, the other news categories, the article URL pattern, the
    listing pagination and the site's repeated template, then writes NAME.toml (editable by hand).

    \b
    Example:
        hospital-news sites add https://bvdkbaclieu.vn --name baclieu --sites-dir ./my-sites
        hospital-news crawl baclieu --sites-dir ./my-sites --db archive.db
    """
    from scraper.onboard import add_site, report

    found, path = add_site(url, name, sites_dir, force, delay)
    for line in report(found, path):
        click.echo(line)


@sites.command("show")
@click.argument("name")
@sites_dir_option
def sites_show(name, sites_dir) -> None:
    """Show one site's profile: where it is, what is crawled, when, and with which selectors.

    \b
    Example:
        hospital-news sites show omon
    """
    from scraper.profiles import default_schedule

    profile = load_profile(name, sites_dir)
    schedule = profile.schedule or f"{default_schedule(profile.name)} (default: nightly, spread by site name)"
    lines = [
        ("name", profile.name),
        ("hospital", profile.hospital),
        ("province", profile.province),
        ("base_url", profile.base_url),
        ("enabled", "yes" if profile.enabled else "no"),
        ("schedule", schedule),
        ("profile", str(profile.path)),
    ]
    for category in profile.categories:
        lines.append(("category", f"{category.name} {category.url}{' (party)' if category.party else ''}"))
    for key in ("article_url", "item", "link", "date", "next_page", "pages"):
        if value := getattr(profile.listing, key):
            lines.append((f"listing.{key}", value))
    for key in ("title", "date", "body", "author"):
        if value := getattr(profile.article, key):
            lines.append((f"article.{key}", value))
    if profile.article.remove:
        lines.append(("article.remove", ", ".join(profile.article.remove)))
    for key, value in lines:
        click.echo(f"{key + ':':<22}{value}")


@sites.command("validate")
@sites_dir_option
def sites_validate(sites_dir) -> None:
    """Check every profile file; list each problem with its file and line, exit 1 if there is any.

    \b
    Example:
        hospital-news sites validate --sites-dir ./my-sites
    """
    from scraper.registry import validate_profiles

    checked = validate_profiles(sites_dir)
    problems = [c for c in checked if c.problem]
    for item in checked:
        if item.problem:
            click.echo(f"FAIL {item.problem}")
        else:
            click.echo(f"ok   {item.path}: {item.profile.name} ({item.profile.hospital}), schedule {item.profile.cron}")
    if problems:
        raise click.ClickException(f"{len(problems)} of {len(checked)} profiles have problems (listed above)")
    if not checked:
        raise click.ClickException(f"no profiles (*.toml) in {sites_dir or 'scraper/sites'}")


@sites.command("disable")
@click.argument("name")
@sites_dir_option
def sites_disable(name, sites_dir) -> None:
    """Stop crawling a site (crawl without names and the scheduler skip it); its archive is kept.

    Rewrites the `enabled` line of the profile in place; comments are kept.

    \b
    Example:
        hospital-news sites disable baclieu
    """
    from scraper.registry import set_enabled

    profile = set_enabled(name, False, sites_dir)
    click.echo(f"{profile.name}: disabled ({profile.path})")


@sites.command("enable")
@click.argument("name")
@sites_dir_option
def sites_enable(name, sites_dir) -> None:
    """Crawl a site again (after `sites disable`).

    \b
    Example:
        hospital-news sites enable baclieu
    """
    from scraper.registry import set_enabled

    profile = set_enabled(name, True, sites_dir)
    click.echo(f"{profile.name}: enabled ({profile.path})")


# -- status, scheduler -----------------------------------------------------------------------------------


@cli.command()
@db_option(exists=True)
@sites_dir_option
def status(db, sites_dir) -> None:
    """One line per site: last run, last success, articles archived, last new article, warnings.

    \b
    Example:
        hospital-news status --db archive.db
    """
    from archive.status import status_lines

    profiles = load_profiles(sites_dir)
    with Archive(db, create=False) as archive:
        for line in status_lines(archive, profiles):
            click.echo(line)


def _crawl_args(overrides, base_urls, notify_command, notify_url) -> list[str]:
    """Options the scheduler passes on to each `hospital-news crawl` it starts."""
    _parse_pairs(overrides, "-s")
    _parse_pairs(base_urls, "--base-url")
    args = [a for value in overrides for a in ("-s", value)]
    args += [a for value in base_urls for a in ("--base-url", value)]
    if notify_command:
        args += ["--notify-command", notify_command]
    if notify_url:
        args += ["--notify-url", notify_url]
    return args


@cli.command()
@db_option()
@sites_dir_option
@click.option("--once", is_flag=True, help="Crawl the sites due now, wait for them, exit (for cron/systemd).")
@click.option("--max-concurrent", default=2, show_default=True, type=click.IntRange(1), help="Crawls at once.")
@click.option("--tick", default=30.0, show_default=True, type=click.FloatRange(0.1), help="Seconds between checks.")
@click.option(
    "--log", "log_file", type=click.Path(dir_okay=False, path_type=Path), help="Log file (default: DB-scheduler.log)."
)
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE", help="Scrapy setting for every crawl.")
@click.option("--base-url", "base_urls", multiple=True, metavar="SITE=URL", help="Fetch SITE from another address.")
@click.option("--notify-command", metavar="CMD", help="Shell command told of a warning/failed run (summary on stdin).")
@click.option("--notify-url", metavar="URL", help="Webhook POSTed a JSON summary of a warning/failed run.")
def scheduler(
    db, sites_dir, once, max_concurrent, tick, log_file, overrides, base_urls, notify_command, notify_url
) -> None:
    """Crawl each enabled site when its profile's schedule (cron) is due; runs until stopped.

    A site never crawled is due at once. Each crawl runs as its own `hospital-news crawl` process, at most
    --max-concurrent at a time, never two of one site; restarting never runs a slot twice. Exit status with
    --once: the worst of the crawls' (0 fine, 1 failed, 3 warning).

    \b
    Example:
        hospital-news scheduler --db archive.db --log scheduler.log --notify-url https://chat.example.vn/hook
        hospital-news scheduler --db archive.db --once
    """
    from archive.scheduler import Scheduler, SchedulerConfig, setup_logging

    check_writable(db)
    load_profiles(sites_dir)  # a broken profile is an error now, not in the middle of the night
    log_file = log_file or db.with_name(db.stem + "-scheduler.log")
    config = SchedulerConfig(
        db=db.resolve(),
        log_file=log_file,
        sites_dir=sites_dir.resolve() if sites_dir else None,
        max_concurrent=max_concurrent,
        tick_seconds=tick,
        crawl_args=_crawl_args(overrides, base_urls, notify_command, notify_url),
    )
    setup_logging(log_file)
    runner = Scheduler(config)
    runner.handle_signals()
    sys.exit(runner.run_once() if once else runner.run_forever())


@cli.group()
def schedule() -> None:
    """Hand scheduling to the system's cron or systemd instead of `hospital-news scheduler`."""


@schedule.command("install")
@db_option()
@sites_dir_option
@click.option("--cron", "kind", flag_value="cron", help="Print (or write) the crontab line.")
@click.option("--systemd", "kind", flag_value="systemd", help="Print (or write) the systemd service and timer.")
@click.option(
    "-o", "--output", type=click.Path(file_okay=False, path_type=Path), help="Write the file(s) into this folder."
)
def schedule_install(db, sites_dir, kind, output) -> None:
    """Print, or write into --output, what makes cron or systemd run the due crawls every 5 minutes.

    Both run `hospital-news scheduler --once`, which honours each profile's own schedule.

    \b
    Example:
        hospital-news schedule install --cron --db /srv/archive.db | crontab -
        hospital-news schedule install --systemd --db /srv/archive.db -o ~/.config/systemd/user
    """
    from archive.system_schedule import crontab_line, scheduler_command, systemd_units

    if kind is None:
        raise click.UsageError("choose --cron or --systemd")
    load_profiles(sites_dir)
    command = scheduler_command(db, sites_dir, [])
    workdir = Path.cwd()
    files = {"hospital-news.crontab": crontab_line(command, workdir) + "\n"}
    if kind == "systemd":
        files = systemd_units(command, workdir)
    if output is None:
        for name, text in files.items():
            if len(files) > 1:
                click.echo(f"# {name}")
            click.echo(text, nl=False)
        return
    output.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (output / name).write_text(text, encoding="utf-8")
        click.echo(f"wrote {output / name}", err=True)
    if kind == "systemd":
        click.echo(
            "then: systemctl --user daemon-reload && systemctl --user enable --now hospital-news.timer", err=True
        )
    else:
        click.echo(f"then: crontab {output / 'hospital-news.crontab'}  (replaces your crontab)", err=True)


# -- demo ----------------------------------------------------------------------------------------------


@cli.command()
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("archive.db"),
    show_default=True,
    help="The SQLite archive file.",
)
@click.option("--no-serve", is_flag=True, help="Crawl only; do not start Datasette.")
@click.option("--port", default=8001, show_default=True, help="Datasette port.")
def demo(db, no_serve, port) -> None:
    """Serve the bundled offline mirrors, crawl both hospitals into DB, then browse it in Datasette.

    \b
    Example:
        hospital-news demo --no-serve --db archive.db
    """
    from scraper.mirror import serve_mirrors

    profiles = [load_profile(name) for name in ("baclieu", "omon")]
    servers = serve_mirrors([p.name for p in profiles])
    try:
        for name, server in servers.items():
            click.echo(f"Mirror of {name} at {server.url}", err=True)
        run_and_report(profiles, db, MIRROR_SETTINGS, {n: s.url for n, s in servers.items()}, verbose=False)
    finally:
        for server in servers.values():
            server.stop()
    if not no_serve:
        from archive.serve import serve as run_datasette

        sys.exit(run_datasette(db, "127.0.0.1", port))
