"""The ``hospital-news`` command line: one small click function per command.

Every failure a user can cause (unknown site, bad profile, locked or unwritable database, unreachable site)
ends with one ``Error: ...`` line and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from archive.export import DEFAULT_COLUMNS, FORMATS, article_rows, write_rows
from archive.store import Archive, ArchiveError
from scraper.profiles import Profile, ProfileError, load_profile, load_profiles

# Our own mirrors are on loopback: no need to be polite to ourselves.
MIRROR_SETTINGS = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
    "ROBOTSTXT_OBEY": "False",
}


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


def run_and_report(
    profiles: list[Profile], db: Path, overrides: dict[str, str], base_urls: dict[str, str], verbose: bool
) -> None:
    """Crawl, print one summary line per site, and exit non-zero if any site failed."""
    from scraper.runner import build_settings, run_crawls

    check_writable(db)
    log_file = None if verbose else db.with_name(db.stem + "-crawl.log")
    click.echo(f"Crawling {', '.join(p.name for p in profiles)} into {db}", err=True)
    if log_file:
        click.echo(f"Scrapy log: {log_file}", err=True)
    settings = build_settings(db, overrides, log_file=log_file)
    results = run_crawls(profiles, settings, base_urls)
    failed = []
    for result in results:
        click.echo(
            f"{result.site}: {result.status} - {result.pages} pages, {result.new} new, {result.updated} updated, "
            f"{result.unchanged} unchanged, {result.errors} errors"
        )
        if result.status in ("failed", "interrupted"):
            failed.append(result)
    if failed:
        raise click.ClickException(failure_line(failed[0]))


def failure_line(result) -> str:
    """One line that says what went wrong with a site's crawl and what it likely means."""
    reason = (result.message or "").split("; ")[0]
    if result.status == "interrupted":
        return f"{result.site}: crawl interrupted; what was fetched is archived, run it again to continue"
    if result.pages == 0:
        return f"{result.site}: could not reach the site ({reason or 'no page fetched'})"
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
@click.option("-v", "--verbose", is_flag=True, help="Show Scrapy's log on stderr instead of writing it beside DB.")
def crawl(sites, db, sites_dir, overrides, base_urls, verbose) -> None:
    """Crawl SITES (default: every enabled site) into the archive.

    \b
    Example:
        hospital-news crawl baclieu omon --db archive.db -s DOWNLOAD_DELAY=2
    """
    profiles = _select_profiles(sites, sites_dir)
    run_and_report(profiles, db, _parse_pairs(overrides, "-s"), _parse_pairs(base_urls, "--base-url"), verbose)


# -- serve ---------------------------------------------------------------------------------------------


@cli.command()
@db_option(exists=True)
@click.option("--port", default=8001, show_default=True, help="Port to listen on.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
def serve(db, port, host) -> None:
    """Serve the archive with Datasette (browse, search, SQL, CSV).

    \b
    Example:
        hospital-news serve --db archive.db --port 8001
        # then open http://127.0.0.1:8001/archive/articles
    """
    from archive.serve import serve as run_datasette

    Archive(db, create=False).close()  # upgrade the schema and fail early on a non-archive file
    sys.exit(run_datasette(db, host, port))


# -- export --------------------------------------------------------------------------------------------


@cli.command()
@db_option(exists=True)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="csv", show_default=True)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default: stdout)."
)
@click.option("--site", help="Only this site's articles.")
@click.option("--columns", help=f"Comma-separated columns (default: {','.join(DEFAULT_COLUMNS)}).")
@click.option("--excel", is_flag=True, help="Start with a UTF-8 byte-order mark so Excel reads Vietnamese right.")
def export(db, fmt, output, site, columns, excel) -> None:
    """Export articles as CSV, JSON or NDJSON, newest first, streamed.

    \b
    Example:
        hospital-news export --db archive.db --format csv -o articles.csv
    """
    chosen = [c.strip() for c in columns.split(",")] if columns else DEFAULT_COLUMNS
    with Archive(db, create=False) as archive:
        try:
            rows = article_rows(archive, chosen, site)
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
