"""Field scores of one extraction against its gold page: exact title/date/author, body F1, boilerplate left."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from scraper.extract.boilerplate import FORBIDDEN_IN_BODY

from .gold import GoldPage, template_strings

# Template strings of the four mirrors' layouts that must never reach a body, on top of FORBIDDEN_IN_BODY.
MIRROR_TEMPLATE = [
    "Bài viết mới",
    "Bài viết liên quan",
    "Các tin khác",
    "Đường dây nóng",
    "Ý kiến đóng góp",
    "Đang online",
    "Đang truy cập",
    "Số người truy cập",
    "[Gửi email]",
    "Chuyên mục:",
    "Liên kết website",
]
_WORD = re.compile(r"\w+")


def norm(text: str | None) -> str:
    return " ".join(unicodedata.normalize("NFC", text or "").split())


def tokens(text: str) -> Counter:
    return Counter(_WORD.findall(norm(text).lower()))


def f1(got: str, want: str) -> float:
    """Bag-of-words F1 of two texts (1.0 when both are empty)."""
    g, w = tokens(got), tokens(want)
    if not g and not w:
        return 1.0
    overlap = sum((g & w).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(g.values()), overlap / sum(w.values())
    return 2 * precision * recall / (precision + recall)


def boilerplate_left(body: str, site: str) -> int:
    """How many known template strings a body still holds."""
    return sum(body.count(s) for s in [*FORBIDDEN_IN_BODY, *MIRROR_TEMPLATE, *template_strings(site)])


def score(page: GoldPage, got: dict) -> dict[str, float]:
    """Per-field scores of ``got`` (keys title, published, author, body) against the gold page."""
    body = got.get("body") or ""
    published = (got.get("published") or "")[:10]
    return {
        "title": float(norm(got.get("title")) == norm(page.title)),
        "date": float(published == (page.published or "")[:10]),
        "author": float(norm(got.get("author")) == norm(page.author)),
        "body_f1": f1(body, page.body),
        "body_exact": float(norm(body) == norm(page.body)),
        "boilerplate": float(boilerplate_left(body, page.site)),
        "nfc": float(unicodedata.is_normalized("NFC", body)),
    }
