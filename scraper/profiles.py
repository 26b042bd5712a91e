"""Site profiles: one TOML file per hospital site under ``scraper/sites/``, loaded and checked here.

A profile is data, not code: where the Party-news listings are, how they paginate, what an article URL
looks like and, optionally, CSS selectors that pin the title/date/body when the generic heuristics need help.
Every error names the file (and the line, when TOML can say) so that a non-programmer can fix it.
"""

from __future__ import annotations

import re
import tomllib
import zlib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from urllib.parse import urljoin, urlsplit

DEFAULT_SITES_DIR = Path(__file__).parent / "sites"


class ProfileError(ValueError):
    """A profile file is missing, unreadable or invalid; the message names the file."""


@dataclass(frozen=True)
class Category:
    name: str
    url: str
    party: bool = False


@dataclass(frozen=True)
class ListingRules:
    """How a category listing is read: items, their links and dates, and the way to the next page."""

    article_url: str  # regex an article URL must match (searched in the URL's path and query)
    item: str | None = None  # CSS of one listing entry; links and dates are looked for inside it
    link: str = "a[href]"
    date: str | None = None
    next_page: str | None = None  # CSS of a "next" link
    pages: str | None = None  # CSS of numbered pager links
    max_pages: int = 200


@dataclass(frozen=True)
class ArticleRules:
    """Optional selectors that override the generic extractor for one site."""

    title: str | None = None
    date: str | None = None
    body: str | None = None
    author: str | None = None
    remove: tuple[str, ...] = ()


@dataclass(frozen=True)
class Profile:
    name: str
    hospital: str
    province: str
    base_url: str
    categories: tuple[Category, ...]
    listing: ListingRules
    article: ArticleRules = field(default_factory=ArticleRules)
    enabled: bool = True
    path: Path | None = None
    schedule: str | None = None  # cron expression from the profile; None means the spread nightly default

    @property
    def cron(self) -> str:
        """When the scheduler crawls this site: the profile's schedule or :func:`default_schedule`."""
        return self.schedule or default_schedule(self.name)

    @property
    def party_categories(self) -> tuple[Category, ...]:
        return tuple(c for c in self.categories if c.party)

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).netloc

    def absolute(self, url: str, base: str | None = None) -> str:
        """A category or link URL made absolute against the site (or a mirror of it at ``base``)."""
        return urljoin((base or self.base_url).rstrip("/") + "/", url)

    def is_article_url(self, url: str) -> bool:
        parts = urlsplit(url)
        target = parts.path + ("?" + parts.query if parts.query else "")
        return re.search(self.listing.article_url, target) is not None


def default_schedule(name: str) -> str:
    """Nightly between 01:00 and 05:59, at a minute and hour fixed by a stable hash of the site name.

    Spreading the start times keeps many sites from all hitting the network (and the archive) at once, and the
    hash (not Python's salted ``hash``) gives a site the same time on every machine and every run.
    """
    digest = zlib.crc32(name.encode("utf-8"))
    return f"{digest % 60} {1 + (digest // 60) % 5} * * *"


def check_cron(expression: str) -> str | None:
    """Why a cron expression is invalid, or None when croniter accepts it."""
    from croniter import croniter

    if not isinstance(expression, str) or not croniter.is_valid(expression):
        return f"schedule is not a valid cron expression: {expression!r} (expected e.g. '30 2 * * *')"
    return None


def _require(table: dict, key: str, where: str, kind: type = str):
    if key not in table:
        raise ProfileError(f"{where}: missing key '{key}'")
    value = table[key]
    if not isinstance(value, kind):
        raise ProfileError(f"{where}: '{key}' must be a {kind.__name__}, not {type(value).__name__}")
    return value


def _key_line(text: str, key: str) -> int | None:
    for number, line in enumerate(text.splitlines(), 1):
        if re.match(rf"\s*{re.escape(key)}\s*=", line):
            return number
    return None


def parse_profile(text: str, path: Path) -> Profile:
    """Build a Profile from TOML text; raise ProfileError naming ``path`` (and the line) on any problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        where = f"{path}:{match[1]}" if match else str(path)
        reason = str(exc)[: match.start()].strip() if match else str(exc)
        raise ProfileError(f"{where}: invalid TOML: {reason}") from None
    site = data.get("site")
    if not isinstance(site, dict):
        raise ProfileError(f"{path}: missing [site] table")
    where = f"{path} [site]"
    base_url = _require(site, "base_url", where)
    if urlsplit(base_url).scheme not in ("http", "https") or not urlsplit(base_url).netloc:
        raise ProfileError(f"{path}:{_key_line(text, 'base_url')}: base_url must be an http(s) URL, not {base_url!r}")
    raw_categories = data.get("categories")
    if not isinstance(raw_categories, list) or not raw_categories:
        raise ProfileError(f"{path}: needs at least one [[categories]] entry with name and url")
    categories = tuple(
        Category(
            name=_require(c, "name", f"{path} [[categories]] #{i}"),
            url=_require(c, "url", f"{path} [[categories]] #{i}"),
            party=bool(c.get("party", False)),
        )
        for i, c in enumerate(raw_categories, 1)
    )
    listing_table = data.get("listing", {})
    article_url = _require(listing_table, "article_url", f"{path} [listing]")
    try:
        re.compile(article_url)
    except re.error as exc:
        line = _key_line(text, "article_url")
        raise ProfileError(f"{path}:{line}: article_url is not a valid regex: {exc}") from None
    listing = ListingRules(
        article_url=article_url,
        item=listing_table.get("item"),
        link=listing_table.get("link", "a[href]"),
        date=listing_table.get("date"),
        next_page=listing_table.get("next_page"),
        pages=listing_table.get("pages"),
        max_pages=int(listing_table.get("max_pages", 200)),
    )
    article_table = data.get("article", {})
    article = ArticleRules(
        title=article_table.get("title"),
        date=article_table.get("date"),
        body=article_table.get("body"),
        author=article_table.get("author"),
        remove=tuple(article_table.get("remove", ())),
    )
    _check_selectors(text, path, listing, article)
    schedule = site.get("schedule")
    if schedule is not None and (problem := check_cron(schedule)):
        raise ProfileError(f"{path}:{_key_line(text, 'schedule')}: {problem}")
    return Profile(
        name=site.get("name", path.stem),
        hospital=_require(site, "hospital", where),
        province=site.get("province", ""),
        base_url=base_url,
        categories=categories,
        listing=listing,
        article=article,
        enabled=bool(site.get("enabled", True)),
        path=path,
        schedule=schedule,
    )


def _check_selectors(text: str, path: Path, listing: ListingRules, article: ArticleRules) -> None:
    """Compile every CSS selector now, so a typo fails at load time with its line, not mid-crawl."""
    from cssselect import GenericTranslator, SelectorError

    named = {
        "item": listing.item,
        "link": listing.link,
        "date": listing.date,
        "next_page": listing.next_page,
        "pages": listing.pages,
        "title": article.title,
        "body": article.body,
        "author": article.author,
    }
    named.update({f"remove[{i}]": s for i, s in enumerate(article.remove)})
    for key, selector in named.items():
        if not selector:
            continue
        try:
            GenericTranslator().css_to_xpath(selector)
        except SelectorError as exc:
            line = _key_line(text, key.split("[")[0])
            raise ProfileError(f"{path}:{line}: {key} is not a valid CSS selector ({selector!r}): {exc}") from None


def load_profile_file(path: Path) -> Profile:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ProfileError(f"{path}: cannot read profile: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ProfileError(f"{path}: profile is not UTF-8 text") from None
    return parse_profile(text, path)


def profile_files(sites_dir: Path | str | None = None) -> list[Path]:
    """The ``*.toml`` files of ``sites_dir``, or of the bundled ``scraper/sites``.

    The bundled folder is found through importlib.resources, so it is also read when the package runs from
    a zipped egg (Scrapyd); there it is a ``zipfile.Path``, which has no ``glob``.
    """
    directory = Path(sites_dir) if sites_dir else resources.files("scraper") / "sites"
    if not directory.is_dir():
        raise ProfileError(f"{directory}: sites directory not found")
    found = (p for p in directory.iterdir() if p.name.endswith(".toml") and not p.name.startswith("."))
    return sorted(found, key=lambda p: p.name)


def load_profiles(sites_dir: Path | str | None = None) -> dict[str, Profile]:
    """Every profile in ``sites_dir`` (default: the bundled ``scraper/sites``), by name."""
    profiles: dict[str, Profile] = {}
    for path in profile_files(sites_dir):
        profile = load_profile_file(path)
        if profile.name in profiles:
            raise ProfileError(f"{path}: site name {profile.name!r} already used by {profiles[profile.name].path}")
        profiles[profile.name] = profile
    return profiles


def load_profile(name: str, sites_dir: Path | str | None = None) -> Profile:
    """One profile by site name; the error lists the names that exist."""
    profiles = load_profiles(sites_dir)
    if name not in profiles:
        known = ", ".join(sorted(profiles)) or "none"
        raise ProfileError(f"unknown site {name!r} (known: {known})")
    return profiles[name]
