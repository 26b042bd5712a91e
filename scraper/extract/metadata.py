"""Title, publication date and canonical URL: each a small function over the parsed page."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from .body import element_text
from .boilerplate import is_template_container, is_template_line
from .clean import select
from .dates import FoundDate, find_all_dates, find_date, find_full_date, parse_iso
from .text import clean_text

_TITLE_SEPARATORS = re.compile(r"\s+[-|–—:»]\s+")
_DATE_META = [
    "article:published_time",
    "og:published_time",
    "datePublished",
    "pubdate",
    "publishdate",
    "date",
    "dc.date",
    "dc.date.issued",
    "dcterms.created",
]
_MAX_CONTEXT_SPREAD_DAYS = 400
_DATE_CLASS = re.compile(r"date|time|ngay|posted|publish|meta", re.IGNORECASE)


def first_text(root: lxml.html.HtmlElement, selector: str | None) -> str | None:
    """Text of the first element a CSS selector matches, <br> read as a space."""
    if not selector:
        return None
    for element in select(root, selector):
        text = element_text(element)
        if text:
            return text
    return None


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")  # XPath translate()'s


def _meta(root, *names: str) -> str | None:
    """The first non-empty ``content`` of a <meta> whose property or name (any case) or itemprop is one of
    ``names``, trying the names in order. One walk over the <meta> elements, not an XPath query per name."""
    wanted = [name.translate(_ASCII_LOWER) for name in names]
    found: dict[str, str] = {}
    for element in root.iter("meta"):
        keys = {
            (element.get("property") or "").translate(_ASCII_LOWER),
            (element.get("name") or "").translate(_ASCII_LOWER),
        }
        itemprop = element.get("itemprop")
        if itemprop is not None:
            keys.add(itemprop)  # itemprop is matched as written, as the XPath did
        for name in wanted:
            if name in keys and name not in found:
                content = clean_text(element.get("content"))
                if content:
                    found[name] = content
        if wanted[0] in found:
            break
    return next((found[name] for name in wanted if name in found), None)


def _in_template(element) -> bool:
    for node in [element, *element.iterancestors()]:
        if node.tag == "header" and next(node.iterancestors("article"), None) is not None:
            continue  # an <article>'s own <header> holds its title and date, not the site's
        if node.tag in ("header", "nav", "footer", "aside"):
            return True
        if is_template_container(f"{node.get('class', '')} {node.get('id', '')}"):
            return True
    return False


_TITLE_CLASS = re.compile(r"title|tieude|tieu-de|tieu_de|headline|heading", re.IGNORECASE)


def _title_candidates(root):
    """<h1> first, then elements whose class/id says "title" (old CMSs use <span class="tieude">), then <h2>."""
    yield from root.iter("h1")
    for element in root.iter("span", "div", "p", "td", "strong", "b", "h2", "h3"):
        if _TITLE_CLASS.search(f"{element.get('class', '')} {element.get('id', '')}"):
            yield element
    yield from root.iter("h2")


def find_title(
    root: lxml.html.HtmlElement,
    selector: str | None = None,
    avoid: frozenset[str] = frozenset(),
    content: lxml.html.HtmlElement | None = None,
    use_page_title: bool = True,
) -> str | None:
    """The article's own title, not the site name that old CMSs put in <title>.

    ``avoid``: texts learned to be the site's name rather than a title (see ``sitelearn``). ``content``: the
    located content block, whose nearest bold line before it is a title on table layouts. Without
    ``use_page_title`` the weak sources (<title>, a lone og:title) give None, for a second call with ``content``.
    """
    title = first_text(root, selector)
    if title:
        return title
    page_title = clean_text(root.findtext(".//title"))
    site_name = _meta(root, "og:site_name")
    og_title = _meta(root, "og:title", "twitter:title")
    if og_title and og_title not in avoid and (og_title not in (site_name, page_title) or not page_title):
        return og_title
    for candidate in _title_candidates(root):
        text = element_text(candidate)
        # is_template_line: "Bài viết liên quan" under a class named "headline" is no title.
        usable = len(text) >= 10 and text != site_name and text not in avoid and not is_template_line(text)
        if usable and not _in_template(candidate):
            return text
    if content is not None:
        before = title_before_content(root, content, avoid | {site_name or "", page_title})
        if before:
            return before
    if not use_page_title:
        return None
    if page_title:
        parts = _TITLE_SEPARATORS.split(page_title)
        return max(parts, key=len)
    return og_title


_TITLE_TAGS = ("b", "strong", "font", "td", "div", "span", "p", "h3", "h4")


def title_before_content(root, content, avoid: set[str] | frozenset[str]) -> str | None:
    """The last bold, link-free short text before the content block: legacy layouts set the title so.

    Used only when no <h1>, og:title or title-named element exists (table layouts whose <title> is the portal
    name); the learned site name (``avoid``) is skipped.
    """
    stop = {content, *content.iterancestors()}
    found = None
    for element in root.iter(*_TITLE_TAGS):
        if element is content or content in set(element.iterancestors()):
            break
        if element in stop or element.find(".//a") is not None or _in_template(element):
            continue
        bold = element.tag in ("b", "strong", "h3", "h4") or "bold" in (element.get("style") or "").lower()
        if not bold:
            continue
        text = element_text(element)
        if 15 <= len(text) <= 300 and text not in avoid and not _DATE_ONLY_LINE.match(text):
            found = text
    return found


def _date_from_meta(root) -> FoundDate | None:
    raw = _meta(root, *_DATE_META)
    if raw is None:
        for element in root.iter("time"):
            raw = element.get("datetime")
            if raw:
                break
    if not raw:
        return None
    day = parse_iso(raw)
    if day is None:
        return find_full_date(raw)
    match = re.match(r"\d{4}-\d{2}-\d{2}[T ](\d{2}):(\d{2})", raw)
    return FoundDate(day, int(match[1]), int(match[2])) if match else FoundDate(day)


def _date_near_title(root) -> FoundDate | None:
    """A full date in a small date-ish element outside the template (e.g. "Cập nhật: 15/07/2024 09:41")."""
    for element in root.iter("span", "div", "p", "time", "small", "em", "i", "td"):
        names = f"{element.get('class', '')} {element.get('id', '')}"
        if not _DATE_CLASS.search(names) or _in_template(element) or _in_link_list(element):
            continue
        text = clean_text(element.text_content())
        if len(text) <= 80:
            found = find_full_date(text)
            if found:
                return found
    return None


_DATE_ONLY_LINE = re.compile(
    r"^[(\[]?\s*(?:(?:ngày đăng|đăng ngày|cập nhật(?: lúc)?|ngày cập nhật|thời gian đăng)\s*:?\s*)?"
    r"(?:(?:thứ\s+\w+|chủ nhật)\s*,?\s*)?[\d/:.\s\-–h]+(?:am|pm|sa|ch)?\s*[)\]]?$",
    re.IGNORECASE,
)


def _in_link_list(element) -> bool:
    """True for the date of an entry in a list of other articles (its parent or grandparent is a list of links)."""
    parent = element.getparent()
    grandparent = parent.getparent() if parent is not None else None
    return any(node is not None and _is_link_list(node) for node in (parent, grandparent))


# Elements a Python walk reads under one element before lxml's itertext() takes over: a walk that has met this
# many with the text still undecided is in a large, nearly empty subtree, where C iterates faster.
_WALK_BUDGET = 64


class _LargeSubtree(Exception):
    """More than ``_WALK_BUDGET`` elements read under one element, its text still undecided."""


def _short_text(element, limit: int) -> str | None:
    """The element's cleaned text when it is at most ``limit`` characters long, else None.

    Reads only as far as it must: the date line scan asks this of every <div>, <td> and <p> of a page, and
    most hold far more text. Its pieces are read in Python, not with lxml's itertext(), which costs ~1.5 µs
    just to start, more than reading a small element; a long one is settled by a prefix (``_read_text``), and
    a large subtree whose text stays undecided goes back to itertext(). Measured on the Ô Môn pages that state
    no date: the scan took 225 µs a page, 188 µs this way. A prefix that cleans too long decides: cleaning the
    rest only adds characters (NFC composing a mark across two text nodes aside, which a date line never has).
    """
    pieces: list[str] = []
    try:
        if not _read_text(element, pieces, [0, limit, _WALK_BUDGET], limit):
            return None
    except _LargeSubtree:
        pieces = _pieces_by_itertext(element, limit)
        if pieces is None:
            return None
    text = clean_text("".join(pieces))
    return text if text and len(text) <= limit else None


def _pieces_by_itertext(element, limit: int) -> list[str] | None:
    """``_read_text`` for a large subtree: the same pieces, from lxml's itertext() (one loop, no call per
    piece: 20,000 white-space pieces under each of 200 nested <div>s is where this matters)."""
    pieces: list[str] = []
    read, next_check = 0, limit
    for piece in element.itertext():
        pieces.append(piece)
        read += len(piece)
        if read > next_check:
            if _cleans_longer_than("".join(pieces), limit):
                return None
            next_check = 2 * read
    return pieces


def _read_text(element, pieces: list[str], progress: list[int], limit: int) -> bool:
    """Append the pieces ``element.itertext()`` gives to ``pieces``: its text, each child's pieces then that
    child's tail (an entity's text too, not a comment's or a processing instruction's); False as soon as what
    is read cleans to more than ``limit`` characters.

    ``progress`` is [characters read, when to clean and look again, elements left to read]: cleaning only
    once the characters read pass twice those read at the last look keeps the white space of indented markup
    from costing a look per piece. ``_LargeSubtree`` when no element is left to read.
    """
    progress[2] -= 1
    if progress[2] < 0:
        raise _LargeSubtree
    text = element.text
    if text and not _add_piece(text, pieces, progress, limit):
        return False
    for child in element:
        tag = child.tag
        if isinstance(tag, str):
            if not _read_text(child, pieces, progress, limit):
                return False
        elif tag is etree.Entity and not _add_piece(child.text, pieces, progress, limit):
            return False  # a comment's or a processing instruction's text is not read
        tail = child.tail
        if tail and not _add_piece(tail, pieces, progress, limit):
            return False
    return True


def _add_piece(piece: str, pieces: list[str], progress: list[int], limit: int) -> bool:
    pieces.append(piece)
    progress[0] += len(piece)
    if progress[0] > progress[1]:
        if _cleans_longer_than("".join(pieces), limit):
            return False
        progress[1] = 2 * progress[0]
    return True


def _cleans_longer_than(text: str, limit: int) -> bool:
    """``len(clean_text(text)) > limit``, from a prefix when that decides.

    Cut just before a space, the cleaned prefix is the start of the cleaned text (a space collapses into one,
    and NFC composes nothing across it), so a prefix that cleans too long decides: a 1,000-character paragraph
    is settled by its first ~2 × ``limit`` characters (3 µs), not cleaned in full (20 µs).
    """
    cut = text.find(" ", 2 * limit)
    if cut > 0 and len(clean_text(text[:cut])) > limit:
        return True
    return len(clean_text(text)) > limit


def _date_line(root) -> FoundDate | None:
    """A short line that is only a date ("(12/7/2019)", "Cập nhật: 15/07/2024 09:41") outside the template.

    The first one in the page wins: legacy layouts write it just under the title, before the body.
    """
    for element in root.iter("span", "div", "p", "td", "font", "small", "em", "i"):
        text = _short_text(element, 60)
        if not text or not _DATE_ONLY_LINE.match(text) or _in_template(element):
            continue
        if _in_link_list(element):
            continue
        found = find_full_date(text)
        if found:
            return found
    return None


def find_stated_date(root: lxml.html.HtmlElement, selector: str | None) -> FoundDate | None:
    """The date the page states for itself: the profile's element, meta tags, <time>, a date-ish element.

    Run before template removal: some themes put the date inside a <header>.
    """
    text = first_text(root, selector)
    found = find_full_date(text) if text else None
    return found or _date_from_meta(root) or _date_near_title(root) or _date_line(root)


def find_lead_date(lead: list[str], context_text: str, listed: str | None) -> FoundDate | None:
    """The event date in the first sentences ("Chiều 22/5, ..."), its year completed from context if needed.

    The listing date follows the event, so it decides the year; without it, the dates of neighbouring
    articles in the page's template ("Tin cùng loại") are the next best context.
    """
    reference, nearest = parse_iso(listed), False
    if reference is None:
        dates = sorted(find_all_dates(context_text))
        # Neighbours spread over years tell nothing about ours: leave the year unknown rather than guess.
        if dates and (dates[-1] - dates[0]).days <= _MAX_CONTEXT_SPREAD_DAYS:
            reference, nearest = dates[len(dates) // 2], True
    for paragraph in lead[:2]:
        found = find_date(paragraph[:200], reference, nearest=nearest)
        if found:
            return found
    return None


def template_text(root: lxml.html.HtmlElement) -> str:
    """Text of the template blocks (related lists, sidebars): read for date context before they are removed.

    Blocks named as template by class/id, and lists of links whatever their name ("Các tin khác" in a bare <td>).
    """
    parts = []
    for element in root.iter("div", "ul", "table", "aside", "section", "td"):
        if is_template_container(f"{element.get('class', '')} {element.get('id', '')}") or _is_link_list(element):
            parts.append(element.text_content())
    return " ".join(parts)


def _is_link_list(element) -> bool:
    links = [a for a in element.iter("a") if a.get("href")]
    if len(links) < 3:
        return False
    text = " ".join(element.text_content().split())
    return bool(text) and sum(len(" ".join(a.text_content().split())) for a in links) >= 0.5 * len(text)


def find_canonical(root: lxml.html.HtmlElement, url: str, allowed_hosts: set[str]) -> str:
    """The page's rel=canonical when it stays on the site, else the fetched URL."""
    for link in root.xpath("//link[@rel='canonical'][@href]"):
        candidate = urljoin(url, link.get("href").strip())
        if urlsplit(candidate).netloc in allowed_hosts | {urlsplit(url).netloc}:
            return candidate
    return url
