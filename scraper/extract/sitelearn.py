"""Site-level template learning: what repeats across the pages of one site is template, not article.

Per-page heuristics (``boilerplate.py``) know the usual wording and class names; a site always has a few
blocks they miss (a hotline box or an editorial note inside the content cell, a widget title in another
wording, the site name in the title slot). Those blocks are identical on every article page, while article
text never repeats, so extracting a handful of a site's article pages and counting identical lines finds
them. ``hospital-news sites add`` learns this from the pages it fetches and stores it beside the profile
(``NAME.template.txt``, one line each, editable by hand); ``extract_article(..., template=...)`` drops it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .body import looks_like_byline
from .text import clean_text

_MIN_PAGES = 3  # fewer sample pages than this teach nothing reliable
_MIN_SHARE = 0.5  # a line on at least half of the sample pages is template
_LINE = "line: "
_TITLE = "not-title: "


@dataclass(frozen=True)
class SiteTemplate:
    """Lines of a site's template that survive per-page extraction, and "titles" that are only the site name."""

    lines: frozenset[str] = field(default_factory=frozenset)
    not_titles: frozenset[str] = field(default_factory=frozenset)

    def __bool__(self) -> bool:
        return bool(self.lines or self.not_titles)

    def to_text(self) -> str:
        head = (
            "# Template learned by `hospital-news sites add`: lines repeated on most article pages of this site.\n"
            "# Extraction drops them from bodies ('line: ') and never takes them as a title ('not-title: ').\n"
            "# Edit freely: delete a line that is real article text, add one the learning missed.\n"
        )
        rows = [f"{_TITLE}{t}" for t in sorted(self.not_titles)] + [f"{_LINE}{t}" for t in sorted(self.lines)]
        return head + "".join(row + "\n" for row in rows)

    @classmethod
    def from_text(cls, text: str) -> SiteTemplate:
        lines, titles = set(), set()
        for raw in text.splitlines():
            if raw.startswith(_LINE):
                lines.add(clean_text(raw[len(_LINE) :]))
            elif raw.startswith(_TITLE):
                titles.add(clean_text(raw[len(_TITLE) :]))
        return cls(frozenset(lines - {""}), frozenset(titles - {""}))


def sidecar_path(profile_path: Path) -> Path:
    """Where the learned template of the profile ``sites/NAME.toml`` lives: ``sites/NAME.template.txt``.

    ``parent / name``, not ``with_suffix``: bundled profiles read from Scrapyd's zipped egg are
    ``zipfile.Path`` objects, which have no ``with_suffix``.
    """
    return profile_path.parent / (profile_path.name.removesuffix(".toml") + ".template.txt")


@lru_cache(maxsize=64)
def _read_sidecar(path: Path, mtime: float) -> SiteTemplate:
    return SiteTemplate.from_text(path.read_text(encoding="utf-8"))


def template_for_profile(profile_path: Path | None) -> SiteTemplate:
    """The learned template stored beside a profile file (empty when there is none)."""
    if profile_path is None:
        return SiteTemplate()
    path = sidecar_path(profile_path)
    if not isinstance(path, Path):  # inside a zipped egg: no mtime to cache on, and no sidecar is shipped
        return SiteTemplate()
    try:
        return _read_sidecar(path, path.stat().st_mtime)
    except (OSError, UnicodeDecodeError):
        return SiteTemplate()


def learn_template(pages: Iterable[tuple[bytes | str, str]]) -> SiteTemplate:
    """Learn a site's template from some of its article pages, given as (html, url) pairs."""
    from . import extract_article  # the per-page extractor is what the learning corrects

    line_pages: Counter[str] = Counter()
    titles: Counter[str] = Counter()
    authors: set[str] = set()
    count = 0
    for html, url in pages:
        fields = extract_article(html, url)
        count += 1
        line_pages.update(set(fields["paragraphs"]) | {i["caption"] for i in fields["images"] if i["caption"]})
        if fields["title"]:
            titles[fields["title"]] += 1
        if fields["author"]:
            authors.add(fields["author"])
            line_pages[fields["author"]] += 1
    if count < _MIN_PAGES:
        return SiteTemplate()
    needed = max(2, math.ceil(_MIN_SHARE * count))
    # A repeated line is the site's, unless it reads like an author/unit ("Văn phòng Đảng ủy" closes many).
    lines = {line for line, n in line_pages.items() if n >= needed and not looks_like_byline(line)}
    not_titles = {title for title, n in titles.items() if n >= needed}
    return SiteTemplate(frozenset(lines), frozenset(not_titles))
