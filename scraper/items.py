"""The Article record: the one shape the spider, the pipeline and the archive agree on."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any


@dataclass
class Article:
    """One archived article page, with every text field already NFC-normalised by the extractor."""

    url: str  # canonical URL on the real site (mirrors are mapped back to it)
    site: str  # profile name
    category: str
    party: bool  # True when found under a Party-news category
    title: str | None
    body: str
    published: str | None  # ISO 8601 date or datetime
    author: str | None
    images: list[dict[str, Any]] = field(default_factory=list)
    fetched_url: str = ""  # where the page was actually fetched from (a mirror, a redirect target)
    fetched_at: str = ""
    http_status: int = 200
    date_partial: bool = False
    aliases: list[str] = field(default_factory=list)  # other URLs that led to this page (before redirects ...)
    warc_file: str | None = None  # raw capture of the page: file in the WARC folder ...
    warc_offset: int | None = None  # ... and offset of its response record
    etag: str | None = None  # validators for the next crawl's conditional request
    last_modified: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The fields as a dict, sharing their values (``asdict`` deep-copied every image, for every article;
        nothing changes an item once the spider has made it)."""
        return {name: getattr(self, name) for name in _ARTICLE_FIELDS}


_ARTICLE_FIELDS = tuple(f.name for f in fields(Article))


@dataclass
class Gone:
    """An archived article's URL that the site now answers 404 or 410: flag it, never delete it."""

    url: str  # canonical URL on the real site
    status: int
    seen_at: str


@dataclass
class Unchanged:
    """An archived article the site answered 304 Not Modified for: seen again, nothing to re-extract."""

    url: str
    seen_at: str
