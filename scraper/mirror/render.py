"""Shared rendering logic for the mirror sites.

``BaseRenderer`` holds the articles of one site and everything that does not depend
on the markup: ordering, pagination, "Tin cùng loại" / "Tin xem nhiều" selection,
view counters, date formatting and the text quirks (NFD). The two subclasses in
``render_baclieu`` and ``render_omon`` only produce markup.
"""

from __future__ import annotations

import html
import math
import unicodedata
from datetime import date, datetime
from functools import cached_property
from typing import Any
from urllib.parse import parse_qsl

from .sites import SITES, category_path, listing_page_path, load_articles

# A pager numbers every page up to PAGER_ALL pages (the small mirrors: exactly as the sites render them);
# beyond that it shows PAGER_SPAN numbers either side of the current page plus first/previous/next/last
# links, as real CMSes do, so a listing page of a huge mirror carries a few links, not thousands.
PAGER_ALL = 11
PAGER_SPAN = 5

WEEKDAYS = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"]

Article = dict[str, Any]


def esc(text: str) -> str:
    """HTML-escape text for element content and attribute values."""
    return html.escape(text, quote=True)


def parse_when(value: str) -> tuple[date, str | None]:
    """Split "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM" into (date, "HH:MM" or None)."""
    if "T" in value:
        dt = datetime.fromisoformat(value)
        return dt.date(), dt.strftime("%H:%M")
    return date.fromisoformat(value), None


def dmy(value: str) -> str:
    """ "2024-07-12" / "2024-07-12T16:45" -> "12/07/2024"."""
    return parse_when(value)[0].strftime("%d/%m/%Y")


def vn_weekday(day: date) -> str:
    return WEEKDAYS[day.weekday()]


def parse_query(query: str, *, ci: bool = False) -> dict[str, str]:
    """First value of each query parameter; keys lower-cased when ``ci``."""
    params: dict[str, str] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        if ci:
            key = key.lower()
        params.setdefault(key, value)
    return params


def parse_page(value: str | None) -> int | None:
    """A page number from the query (None -> 1); None when it is not a positive int."""
    if value is None:
        return 1
    if not value.isascii() or not value.isdigit() or int(value) < 1:
        return None
    return int(value)


class BaseRenderer:
    """Site-independent part of a mirror: subclasses implement ``route``."""

    site = ""
    not_found_status = 404
    charset = "utf-8"  # what ``encode`` produces; the legacy mirror overrides both

    def encode(self, html: str) -> bytes:
        """The bytes of a rendered page as this site serves them."""
        return html.encode(self.charset)

    def __init__(self, articles: list[Article] | None = None) -> None:
        self.cfg = SITES[self.site]
        self.articles = load_articles(self.site) if articles is None else articles
        self.by_id = {a["id"]: a for a in self.articles}
        self.by_category: dict[str, list[Article]] = {}
        for cat in self.cfg["categories"]:
            items = [a for a in self.articles if a["category"] == cat]
            items.sort(key=lambda a: (a["listed"], a["id"]), reverse=True)
            self.by_category[cat] = items
        # position of each article in its category list: "Tin cùng loại" without a scan of the list
        self.position = {a["id"]: i for items in self.by_category.values() for i, a in enumerate(items)}

    # --- routing -----------------------------------------------------------------
    def route(self, path: str, query: str) -> tuple[int, str]:
        """Return (status, html) for a GET of ``path`` (unquoted) with ``query``."""
        raise NotImplementedError

    # --- selection ---------------------------------------------------------------
    @property
    def per_page(self) -> int:
        return self.cfg["per_page"]

    def page_count(self, category: str) -> int:
        return max(1, math.ceil(len(self.by_category[category]) / self.per_page))

    def page_items(self, category: str, page: int) -> list[Article]:
        start = (page - 1) * self.per_page
        return self.by_category[category][start : start + self.per_page]

    def pager_pages(self, category: str, page: int) -> range:
        """The page numbers a pager shows: all of them on a short listing, else a window around ``page``."""
        count = self.page_count(category)
        if count <= PAGER_ALL:
            return range(1, count + 1)
        start = max(1, min(page - PAGER_SPAN, count - 2 * PAGER_SPAN))
        return range(start, start + 2 * PAGER_SPAN + 1)

    def pager_windowed(self, category: str) -> bool:
        """True when the pager shows a window of numbers (and first/last links), not every page."""
        return self.page_count(category) > PAGER_ALL

    @cached_property
    def _newest_first(self) -> list[Article]:
        return sorted(self.articles, key=lambda a: (a["listed"], a["id"]), reverse=True)

    @cached_property
    def _most_viewed_first(self) -> list[Article]:
        return sorted(self.articles, key=lambda a: (-self.views(a), a["id"]))

    def newest(self, category: str | None = None, n: int = 5) -> list[Article]:
        if category is not None:
            return self.by_category[category][:n]
        return self._newest_first[:n]

    def related(self, article: Article, n: int = 6) -> list[Article]:
        """``n`` other articles of the same category: the next older ones first,
        then (near the end of the list) the closest newer ones."""
        items = self.by_category[article["category"]]
        idx = self.position.get(article["id"], -1)
        if not 0 <= idx < len(items) or items[idx] is not article:  # a test took articles off the list
            idx = items.index(article)
        older = items[idx + 1 : idx + 1 + n]
        newer = list(reversed(items[max(0, idx - n) : idx]))
        return (older + newer)[:n]

    def views(self, article: Article) -> int:
        """A stable, plausible view counter."""
        return 87 + (article["id"] * 2654435761) % 2900

    def most_viewed(self, n: int = 5) -> list[Article]:
        return self._most_viewed_first[:n]

    # --- text --------------------------------------------------------------------
    @staticmethod
    def nfd(article: Article) -> bool:
        return bool((article.get("quirks") or {}).get("nfd"))

    def t(self, article: Article, text: str) -> str:
        """Escaped text belonging to ``article`` (NFD when the article has the quirk)."""
        if self.nfd(article):
            text = unicodedata.normalize("NFD", text)
        return esc(text)

    def title_html(self, article: Article) -> str:
        """Title with the original line breaks (``title_lines``) as <br>."""
        lines = article.get("title_lines")
        if lines:
            return "<br>".join(self.t(article, line) for line in lines)
        return self.t(article, article["title"])

    def body_blocks(self, article: Article) -> list[tuple[str, Any]]:
        """The body in display order: ("p", text) and ("img", image dict) blocks."""
        images = sorted(article.get("images") or [], key=lambda im: im["after"])
        blocks: list[tuple[str, Any]] = [("img", im) for im in images if im["after"] < 0]
        last = len(article["paragraphs"]) - 1
        for i, para in enumerate(article["paragraphs"]):
            blocks.append(("p", para))
            for im in images:
                if im["after"] == i or (i == last and im["after"] > last):
                    blocks.append(("img", im))
        return blocks

    # --- urls --------------------------------------------------------------------
    def category_url(self, category: str) -> str:
        return category_path(self.site, category)

    def listing_url(self, category: str, page: int) -> str:
        return listing_page_path(self.site, category, page)
