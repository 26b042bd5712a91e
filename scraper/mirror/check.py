"""Self-check of the offline mirrors: ``python -m scraper.mirror.check [SITE ...] [--offline]``.

1. Validates every content file ``data/<site>.json`` against SPEC.md: required keys and
   types, all strings NFC, the ``published`` rule, ``title_lines`` joining to ``title``,
   unique ids, enough Party articles, images placed after existing paragraphs, facts
   that match the text.
2. Serves the sites (``serve_mirrors``) and crawls them as a scraper would: the home
   page, every listing page of both categories (following the pager links), every
   article page and every image. Each article page must answer 200 and contain its
   title, paragraphs, captions and author line (compared after ``html.unescape`` + NFC),
   and every article must be reachable from its category listing.

Prints a short summary per site and the problems found; exits 1 when there are any.
"""

from __future__ import annotations

import argparse
import html
import json
import math
import re
import sys
import unicodedata
import urllib.error
import urllib.request
from collections import Counter
from datetime import date, datetime, timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

from . import load_articles, serve_mirrors
from .sites import DATA_DIR, SITES, article_path, category_path, listing_page_path

MIN_PARTY = 27
MAX_LISTED_DELAY = timedelta(days=10)  # "listed" is "within a few days after the event"
MAX_AUTHOR_LEN = 80  # the author line is rendered as one short right-aligned bold line

ARTICLE_KEYS = {
    "id", "slug", "category", "title", "title_lines", "posted", "published", "listed",
    "paragraphs", "images", "author", "quirks", "facts",
}  # fmt: skip
IMAGE_KEYS = {"after", "file", "caption"}
QUIRK_KEYS = {"nfd", "nbsp_indent"}
FACT_KEYS = {"event_type", "people", "documents", "member_counts"}
COUNT_KEYS = {"total", "chinh_thuc", "du_bi", "nu", "dan_toc", "delegates"}
EVENT_TYPES = {
    "hội nghị sơ kết", "hội nghị tổng kết", "đại hội", "kết nạp đảng viên", "học tập nghị quyết",
    "trao huy hiệu", "sinh hoạt chuyên đề", "kiểm tra giám sát", "other",
}  # fmt: skip
# Lines of the page template that extractors drop: a body paragraph must not look like one.
TEMPLATE_PREFIXES = ("Trang chủ", "Tin cùng loại", "Địa chỉ:", "Điện thoại:", "Email:", "Lượt xem", "Chia sẻ")

SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
DAY_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
POSTED_RE = re.compile(r"\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2})?")
IMAGE_FILE_RE = re.compile(r"[A-Za-z0-9_-]+(?:/[A-Za-z0-9_.-]+)*\.(?:jpe?g|png)")
# Party document numbers: 21-KL/TW, 05-CT/TW, 144-QĐ/TW, 12-KH/ĐU ...
DOC_RE = re.compile(r"(?<![\w/-])\d{1,3}-[A-Za-zĐđ]{2,4}/[A-ZĐ]{2,5}(?![\w/])")
# Lead-sentence dates: "ngày 03 tháng 02 năm 2024" / "12/7/2024", "15-8-2023" / "22/5" (no year).
LEAD_DATE_RES = (
    re.compile(r"[Nn]gày\s+(\d{1,2})\s+tháng\s+(\d{1,2})(?:\s+năm\s+(\d{4}))?"),
    re.compile(r"(?<![\d/.,-])(\d{1,2})([/-])(\d{1,2})(?:\2(\d{4}))?(?!\d|[/-]\d)"),
)

Article = dict[str, Any]


# --- helpers -----------------------------------------------------------------------
def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def lead_date(lead: str, listed: date) -> tuple[date, bool] | None:
    """(date, year stated) of the first date in the lead sentence, the year completed per
    SPEC.md (year of ``listed``, or the previous year when that would fall after ``listed``)."""
    found: list[tuple[int, int, int, int | None]] = []
    for pattern in LEAD_DATE_RES:
        for m in pattern.finditer(lead):
            groups = [g for g in m.groups() if g not in ("/", "-")]
            day, month, year = int(groups[0]), int(groups[1]), groups[2]
            found.append((m.start(), day, month, int(year) if year else None))
    for _, day, month, year in sorted(found):
        try:
            if year is not None:
                return date(year, month, day), True
            guess = date(listed.year, month, day)
            if guess > listed:
                guess = date(listed.year - 1, month, day)
            return guess, False
        except ValueError:
            continue
    return None


def number_in(text: str, value: int) -> bool:
    """``value`` written in ``text`` as a whole number (leading zero allowed: "dự bị 09")."""
    return re.search(rf"(?<![\d.,])0?{value}(?![\d]|[.,]\d)", text) is not None


def walk_strings(value: Any, where: str = "$"):
    """Yield (path, string) for every string (keys included) in a JSON value."""
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from walk_strings(item, f"{where}[{i}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from walk_strings(key, where)
            yield from walk_strings(item, f"{where}.{key}")


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def dmy(value: str) -> str:
    return date.fromisoformat(value[:10]).strftime("%d/%m/%Y")


# --- 1. content files --------------------------------------------------------------
def validate_article(site: str, a: Article, problems: list[str]) -> None:
    def bad(msg: str) -> None:
        problems.append(f"{site} id={a.get('id')!r}: {msg}")

    keys = set(a)
    if keys != ARTICLE_KEYS:
        bad(f"keys: missing {sorted(ARTICLE_KEYS - keys)}, unexpected {sorted(keys - ARTICLE_KEYS)}")
        return
    if not is_int(a["id"]):
        bad("id is not an integer")
    if not isinstance(a["slug"], str) or not SLUG_RE.fullmatch(a["slug"]):
        bad(f"slug {a['slug']!r} is not an ASCII slug")
    if a["category"] not in SITES[site]["categories"]:
        bad(f"unknown category {a['category']!r}")
    title = a["title"]
    if not isinstance(title, str) or not title.strip() or title != title.strip():
        bad("title empty or padded")
        title = str(title)
    lines = a["title_lines"]
    if lines is not None and (
        not isinstance(lines, list)
        or len(lines) < 2
        or not all(isinstance(s, str) and s.strip() for s in lines)
        or " ".join(lines) != title
    ):
        bad('title_lines: must be null or >= 2 lines with " ".join(title_lines) == title')

    paragraphs = a["paragraphs"]
    if not isinstance(paragraphs, list) or not paragraphs or not all(isinstance(p, str) for p in paragraphs):
        bad("paragraphs must be a non-empty list of strings")
        return
    for i, p in enumerate(paragraphs):
        if not p.strip() or p != p.strip() or "\n" in p:
            bad(f"paragraph {i} empty, padded or multi-line")
        if p.startswith(TEMPLATE_PREFIXES):
            bad(f"paragraph {i} starts like a template line: {p[:30]!r}")

    # dates and the published rule
    listed = None
    if not isinstance(a["listed"], str) or not DAY_RE.fullmatch(a["listed"]):
        bad(f"listed {a['listed']!r} is not YYYY-MM-DD")
    else:
        try:
            listed = date.fromisoformat(a["listed"])
        except ValueError:
            bad(f"listed {a['listed']!r} is not a date")
    posted, published = a["posted"], a["published"]
    if posted is not None:
        if not isinstance(posted, str) or not POSTED_RE.fullmatch(posted):
            bad(f"posted {posted!r} is not YYYY-MM-DD[THH:MM]")
        else:
            try:
                posted_day = datetime.fromisoformat(posted).date()
            except ValueError:
                bad(f"posted {posted!r} is not a date")
            else:
                if published != posted:
                    bad(f"published {published!r} != posted {posted!r}")
                if listed is not None and not timedelta(0) <= listed - posted_day <= MAX_LISTED_DELAY:
                    bad(f"listed {listed} is not within a few days after posted {posted}")
                event = lead_date(paragraphs[0], listed) if listed else None
                if event and event[1] and event[0] > posted_day:
                    bad(f"posted {posted} is before the lead-sentence date {event[0]}")
    elif listed is not None:
        event = lead_date(paragraphs[0], listed)
        if event is None:
            bad("posted is null but the lead sentence states no date")
        else:
            if published != event[0].isoformat():
                bad(f"published {published!r} != lead-sentence date completed per SPEC ({event[0].isoformat()})")
            if not timedelta(0) <= listed - event[0] <= MAX_LISTED_DELAY:
                bad(f"listed {listed} is not within a few days after the event {event[0]}")

    # images
    images = a["images"]
    if not isinstance(images, list):
        bad("images must be a list")
        images = []
    for k, im in enumerate(images):
        if not isinstance(im, dict) or set(im) != IMAGE_KEYS:
            bad(f"image {k}: keys must be {sorted(IMAGE_KEYS)}")
            continue
        if not is_int(im["after"]) or not 0 <= im["after"] < len(paragraphs):
            bad(f"image {k}: after={im['after']!r} is not a paragraph index (0..{len(paragraphs) - 1})")
        if not isinstance(im["file"], str) or not IMAGE_FILE_RE.fullmatch(im["file"]) or ".." in im["file"]:
            bad(f"image {k}: file {im['file']!r} is not a relative .jpg/.png path")
        if im["caption"] is not None and (not isinstance(im["caption"], str) or not im["caption"].strip()):
            bad(f"image {k}: caption must be null or non-empty text")

    author = a["author"]
    if author is not None and (
        not isinstance(author, str) or not author.strip() or "\n" in author or len(author) > MAX_AUTHOR_LEN
    ):
        bad(f"author must be null or one short line (<= {MAX_AUTHOR_LEN} chars)")
    quirks = a["quirks"]
    if (
        not isinstance(quirks, dict)
        or set(quirks) != QUIRK_KEYS
        or not all(isinstance(v, bool) for v in quirks.values())
    ):
        bad(f"quirks must be {{{', '.join(sorted(QUIRK_KEYS))}}} booleans")

    # facts
    facts = a["facts"]
    if not isinstance(facts, dict) or set(facts) != FACT_KEYS:
        bad(f"facts keys must be {sorted(FACT_KEYS)}")
        return
    if facts["event_type"] not in EVENT_TYPES:
        bad(f"event_type {facts['event_type']!r} not one of SPEC's")
    body = " ".join([title, *paragraphs])
    text = " ".join([body, *(im.get("caption") or "" for im in images if isinstance(im, dict))])
    people = facts["people"]
    if not isinstance(people, list):
        bad("facts.people must be a list")
        people = []
    names = []
    for person in people:
        if not isinstance(person, dict) or set(person) != {"name", "role"}:
            bad("facts.people items must be {name, role}")
            continue
        names.append(person["name"])
        if not isinstance(person["name"], str) or person["name"] not in text:
            bad(f"person {person['name']!r} not in the text")
        if person["role"] is not None and not isinstance(person["role"], str):
            bad(f"role of {person['name']!r} must be text or null")
    if len(set(names)) != len(names):
        bad("a person is listed twice in facts.people")
    docs = facts["documents"]
    if not isinstance(docs, list) or not all(isinstance(d, str) for d in docs):
        bad("facts.documents must be a list of strings")
    else:
        missing = [d for d in docs if d not in body]
        unlisted = sorted(set(DOC_RE.findall(body)) - set(docs))
        if missing:
            bad(f"documents not in the text: {missing}")
        if unlisted:
            bad(f"document numbers in the text but not in facts.documents: {unlisted}")
        if len(set(docs)) != len(docs):
            bad("a document is listed twice")
    counts = facts["member_counts"]
    if not isinstance(counts, dict) or set(counts) != COUNT_KEYS:
        bad(f"member_counts keys must be {sorted(COUNT_KEYS)}")
    else:
        for key, value in counts.items():
            if value is None:
                continue
            if not is_int(value) or value < 0:
                bad(f"member_counts.{key} must be a non-negative integer or null")
            elif not number_in(body, value):
                bad(f"member_counts.{key}={value} not written in the text")


def validate_file(site: str, problems: list[str]) -> dict[str, Any] | None:
    """Validate ``data/<site>.json``; returns the parsed data (None when unreadable)."""
    path = DATA_DIR / f"{site}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        problems.append(f"{site}: cannot read {path.name}: {exc}")
        return None
    if not isinstance(data, dict) or set(data) != {"site", "articles"}:
        problems.append(f'{site}: top level must be {{"site", "articles"}}')
        return None
    if data["site"] != site:
        problems.append(f'{site}: "site" is {data["site"]!r}, expected {site!r} (the file name)')
    for where, s in walk_strings(data):
        if not unicodedata.is_normalized("NFC", s):
            problems.append(f"{site}: string not NFC at {where}: {s[:40]!r}")
    articles = data["articles"]
    if not isinstance(articles, list) or not all(isinstance(a, dict) for a in articles):
        problems.append(f"{site}: articles must be a list of objects")
        return None
    for a in articles:
        validate_article(site, a, problems)
    ids = Counter(a.get("id") for a in articles)
    dups = sorted(str(i) for i, n in ids.items() if n > 1)
    if dups:
        problems.append(f"{site}: duplicate ids {', '.join(dups)}")
    party = sum(1 for a in articles if a.get("category") == "party")
    if party < MIN_PARTY:
        problems.append(f"{site}: only {party} party articles (need >= {MIN_PARTY})")
    return data


# --- 2. serving --------------------------------------------------------------------
class _Anchors(HTMLParser):
    """Collects [href, text after the link up to the next link] for every <a href>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.anchors: list[list[str]] = []
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._inside = True
            self.anchors.append([dict(attrs).get("href") or "", ""])

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._inside = False

    def handle_data(self, data: str) -> None:
        if self.anchors and not self._inside and len(self.anchors[-1][1]) < 200:
            self.anchors[-1][1] += data


def anchors(page: str) -> list[tuple[str, str]]:
    """(href, text following the link) of every link of ``page``."""
    parser = _Anchors()
    parser.feed(page)
    return [(href, nfc(after)) for href, after in parser.anchors if href]


def links(page: str) -> list[str]:
    return [href for href, _ in anchors(page)]


def fetch(url: str) -> tuple[int, str, bytes]:
    """(status, content type, body); HTTP errors are returned, not raised."""
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, resp.headers.get("Content-Type", ""), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), exc.read()


def local(url: str) -> str:
    """Path + query of a URL, as used by ``sites.article_path`` and ``listing_page_path``."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def page_text(raw: str) -> str:
    """Page text for comparisons: <br> as a space, entities decoded, NFC."""
    return nfc(html.unescape(re.sub(r"<br\s*/?>", " ", raw, flags=re.I)))


def crawl_site(site: str, base: str, articles: list[Article], problems: list[str]) -> dict[str, Any]:
    stats: dict[str, Any] = {"listing_pages": {}, "articles_ok": 0, "images_ok": 0}

    def bad(msg: str) -> None:
        problems.append(f"{site} (served): {msg}")

    def get(path: str) -> str | None:
        status, ctype, body = fetch(base + path)
        if status != 200:
            bad(f"GET {path} -> {status}")
            return None
        if not ctype.startswith("text/html"):
            bad(f"GET {path}: content type {ctype!r}")
        return body.decode(SITES[site].get("charset", "utf-8"), errors="replace")

    by_path = {a["path"]: a for a in articles}
    home = get("/")
    if home is not None:
        targets = {local(urljoin(base + "/", h)) for h in links(home)}
        for cat in SITES[site]["categories"]:
            if category_path(site, cat) not in targets:
                bad(f"home page has no link to the {cat} listing {category_path(site, cat)}")

    # listings: follow the pager from page 1
    for cat in SITES[site]["categories"]:
        expected = [a for a in articles if a["category"] == cat]
        pages = max(1, math.ceil(len(expected) / SITES[site]["per_page"]))
        listing_paths = {listing_page_path(site, cat, n): n for n in range(1, pages + 50)}
        queue, seen, reached = [category_path(site, cat)], set(), set()
        while queue:
            path = queue.pop(0)
            if path in seen:
                continue
            seen.add(path)
            raw = get(path)
            if raw is None:
                continue
            for href, after in anchors(raw):
                target = local(urljoin(base + path, href))
                if target in listing_paths and target not in seen:
                    queue.append(target)
                art = by_path.get(target)
                # a listing entry is a link followed by its listing date; other article
                # links (the "Tin xem nhiều" box) carry no date and are not entries
                if art is None or dmy(art["listed"]) not in after[:40]:
                    continue
                if art["category"] != cat:
                    bad(f"{cat} listing {path} lists article {art['id']} of category {art['category']}")
                elif art["id"] in reached:
                    bad(f"{cat}: article {art['id']} listed twice")
                else:
                    reached.add(art["id"])
        stats["listing_pages"][cat] = len(seen)
        if len(seen) != pages:
            bad(f"{cat}: reached {len(seen)} listing pages through the pager, expected {pages}")
        unreached = sorted(a["id"] for a in expected if a["id"] not in reached)
        if unreached:
            bad(f"{cat}: articles not reachable from the listings: {unreached}")

    # article pages and images
    images_seen: set[str] = set()
    for a in articles:
        raw = get(a["path"])
        if raw is None:
            continue
        text = page_text(raw)
        ok = True
        wanted = [("title", a["title"]), *((f"paragraph {i}", p) for i, p in enumerate(a["paragraphs"]))]
        wanted += [("caption", im["caption"]) for im in a["images"] if im["caption"]]
        if a["author"]:
            wanted.append(("author", a["author"]))
        if a["posted"]:
            day = date.fromisoformat(a["posted"][:10])
            short = f"{day.day}/{day.month}/{day.year}"  # "(12/7/2019)" as legacy templates write it
            wanted.append(("posted date", dmy(a["posted"]) if dmy(a["posted"]) in text else short))
        for what, value in wanted:
            if value not in text:
                bad(f"article {a['id']} {a['path']}: {what} not in the page: {value[:50]!r}")
                ok = False
        raw_title = html.unescape(re.sub(r"<br\s*/?>", " ", raw, flags=re.I))
        form = "NFD" if a["quirks"]["nfd"] else "NFC"
        if SITES[site].get("charset", "utf-8") != "utf-8":  # windows-1258 always decodes to combining marks
            form, raw_title = "NFC", nfc(raw_title)
        if unicodedata.normalize(form, a["title"]) not in raw_title:
            bad(f"article {a['id']}: title not served in {form} form (quirks.nfd={a['quirks']['nfd']})")
            ok = False
        for im in a["images"]:
            src = "/uploads/" + im["file"]
            if src not in raw:
                bad(f"article {a['id']}: no <img> for {src}")
                ok = False
            if src in images_seen:
                continue
            images_seen.add(src)
            status, ctype, _ = fetch(base + src)
            if status != 200 or not ctype.startswith("image/"):
                bad(f"GET {src} -> {status} {ctype!r}")
            else:
                stats["images_ok"] += 1
        stats["articles_ok"] += ok

    # an unknown article must not be served
    cat = next(iter(SITES[site]["categories"]))
    ghost_id = max((a["id"] for a in articles), default=0) + 100000
    ghost = article_path(site, {"category": cat, "slug": "khong-ton-tai", "id": ghost_id})
    status, _, _ = fetch(base + ghost)
    if status != 404:
        bad(f"GET {ghost} (no such article) -> {status}, expected 404")
    return stats


def servable(site: str, data: dict[str, Any]) -> bool:
    """Whether the renderer can work on ``data`` (content problems are reported, not fatal)."""
    cats = SITES[site]["categories"]
    for a in data["articles"]:
        if set(a) != ARTICLE_KEYS or a["category"] not in cats or not is_int(a["id"]):
            return False
        if not isinstance(a["slug"], str) or not isinstance(a["title"], str) or not isinstance(a["quirks"], dict):
            return False
        if not isinstance(a["paragraphs"], list) or not all(isinstance(p, str) for p in a["paragraphs"]):
            return False
        if not isinstance(a["images"], list) or not all(
            isinstance(i, dict) and set(i) == IMAGE_KEYS for i in a["images"]
        ):
            return False
        for key in ("listed", "posted"):
            try:
                if a[key] is not None or key == "listed":
                    datetime.fromisoformat(a[key])
            except (TypeError, ValueError):
                return False
    return True


# --- main --------------------------------------------------------------------------
def summary(site: str, data: dict[str, Any]) -> str:
    arts = data["articles"]
    cats = Counter(a.get("category") for a in arts)
    return (
        f"{site}: {len(arts)} articles (party {cats.get('party', 0)}, news {cats.get('news', 0)}); "
        f"posted null {sum(a.get('posted') is None for a in arts)}, "
        f"title_lines {sum(bool(a.get('title_lines')) for a in arts)}, "
        f"with images {sum(bool(a.get('images')) for a in arts)} ({sum(len(a.get('images') or []) for a in arts)}), "
        f"nfd {sum(bool((a.get('quirks') or {}).get('nfd')) for a in arts)}, "
        f"nbsp_indent {sum(bool((a.get('quirks') or {}).get('nbsp_indent')) for a in arts)}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scraper.mirror.check", description=__doc__.split("\n\n")[0])
    parser.add_argument("sites", nargs="*", metavar="SITE", help=f"one of {', '.join(SITES)} (default: all)")
    parser.add_argument("--offline", action="store_true", help="only validate the content files, do not serve")
    args = parser.parse_args(argv)
    unknown = [s for s in args.sites if s not in SITES]
    if unknown:
        parser.error(f"unknown site(s): {', '.join(unknown)} (known: {', '.join(SITES)})")
    sites = args.sites or list(SITES)

    problems: list[str] = []
    if not args.sites:
        for path in sorted(DATA_DIR.glob("*.json")):
            if path.stem not in SITES:
                problems.append(f"{path.name}: data file of an unknown site (not in sites.SITES)")
    valid: dict[str, dict[str, Any]] = {}
    for site in sites:
        data = validate_file(site, problems)
        if data is not None:
            print(summary(site, data))
            if servable(site, data):
                valid[site] = data
    n_static = len(problems)
    print(f"content files: {len(problems)} problem(s)")

    if not args.offline and valid:
        servers = serve_mirrors(list(valid))
        try:
            for site, srv in servers.items():
                stats = crawl_site(site, srv.url, load_articles(site), problems)
                pages = ", ".join(f"{cat} {n}" for cat, n in stats["listing_pages"].items())
                print(
                    f"{site} served at {srv.url}: listing pages {pages}; "
                    f"article pages ok {stats['articles_ok']}/{len(valid[site]['articles'])}; "
                    f"images ok {stats['images_ok']}"
                )
        finally:
            for srv in servers.values():
                srv.stop()
        skipped = [s for s in sites if s not in valid]
        if skipped:
            print(f"not served (content file unusable): {', '.join(skipped)}")
        print(f"served sites: {len(problems) - n_static} problem(s)")

    for problem in problems:
        print("PROBLEM", problem)
    print("OK" if not problems else f"FAILED: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
