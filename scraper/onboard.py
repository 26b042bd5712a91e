"""Onboard a hospital site from its home URL alone: ``hospital-news sites add URL``.

Reads the home page and a few more, then writes a profile the spider can crawl without editing:

- the **article URL pattern**: on-site links are grouped by shape (segments, query keys); the group whose
  links carry title-like text (several words) is the articles, and its varying parts become ``\\d+``/``[^/]+``;
- the **Party category** by its wording ("Đảng - Đoàn thể", "Hoạt động công tác Đảng", "Công tác Đảng"...) and
  other news categories ("Tin tức", "Tin hoạt động"...), each kept only if its page lists articles;
- the **listing entries**: of the listing's article links grouped by where they sit in the page, the group
  other pages do not repeat at the same place (sidebars such as "Bài viết mới" do); their common container
  gives the ``item`` selector, and a date-only element inside an entry the ``date``;
- the **pagination**: ``page/N/``, ``trang-N.html``, ``?page=N``/``&page=N`` (any case, also ``trang=``,
  ``p=``) links;
- the site **template** learned from a few article pages (see ``scraper.extract.sitelearn``), beside the profile.

Plain HTTP with a timeout (urllib), one request at a time with a pause, robots.txt respected: no Scrapy, so
it runs anywhere and fails with one clear message.
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
import urllib.robotparser
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urljoin, urlsplit

import lxml.html

from scraper.extract.clean import parse, strip_scripts
from scraper.extract.dates import find_full_date
from scraper.extract.encoding import decode_html
from scraper.extract.sitelearn import SiteTemplate, learn_template, sidecar_path
from scraper.extract.text import clean_text
from scraper.profiles import DEFAULT_SITES_DIR, ProfileError, load_profile_file

USER_AGENT = "hospital-news/0.1 (+site onboarding; archive of hospital Party news)"
TIMEOUT = 15
MAX_CATEGORY_FETCHES = 8
LEARN_PAGES = 8
# "Đảng" as a word (not "đăng" = post/log in), in a short menu label.
PARTY_WORDS = re.compile(r"(?<!\w)(đảng|chi bộ)(?!\w)", re.IGNORECASE)
PARTY_PREFERRED = re.compile(r"hoạt động|công tác|đoàn thể|tin|xây dựng", re.IGNORECASE)
NEWS_WORDS = re.compile(r"(?<!\w)(tin|sự kiện|hoạt động|đoàn thể|công đoàn|thông báo)(?!\w)", re.IGNORECASE)
PAGE_QUERY = re.compile(r"(?:^|[?&])(page|trang|p|pg|paged|pageindex|pagenumber)=(\d+)", re.IGNORECASE)
PAGE_PATH = re.compile(r"/(page|trang)/(\d+)/?$", re.IGNORECASE)
PAGE_SUFFIX = re.compile(r"[/_-](page|trang)[-_]?(\d+)(?:\.\w+)?/?$", re.IGNORECASE)
TITLE_WORDS = 5  # anchor text of an article link: a headline, several words long


@dataclass
class Page:
    url: str
    root: lxml.html.HtmlElement
    links: list[tuple[str, str, lxml.html.HtmlElement]]  # (absolute URL, text, <a>) of on-site links


@dataclass
class Category:
    name: str
    url: str
    party: bool
    page: Page
    items: list[str] = field(default_factory=list)


@dataclass
class Onboarding:
    """What detection found: everything the profile will say, and the pages it saw."""

    name: str
    hospital: str
    base_url: str
    article_url: str
    categories: list[Category]
    item: str | None
    date: str | None
    pages: str | None
    template: SiteTemplate
    fetched: int


class Fetcher:
    """Plain HTTP GETs with a timeout, a pause between requests, and the site's robots.txt respected."""

    def __init__(self, delay: float = 0.5) -> None:
        self.delay = delay
        self._last = 0.0
        self._robots: dict[str, urllib.robotparser.RobotFileParser | None] = {}

    def allowed(self, url: str) -> bool:
        root = "{0.scheme}://{0.netloc}".format(urlsplit(url))
        if root not in self._robots:
            parser = urllib.robotparser.RobotFileParser(root + "/robots.txt")
            try:
                raw, charset = self._get(root + "/robots.txt")
                parser.parse(raw.decode(charset or "utf-8", "replace").splitlines())
            except ProfileError:
                parser = None  # no robots.txt (or unreachable): nothing forbidden
            self._robots[root] = parser
        parser = self._robots[root]
        return parser is None or parser.can_fetch(USER_AGENT, url)

    def get(self, url: str) -> tuple[bytes, str | None]:
        """Bytes and header charset of a page; raises ProfileError with the reason when it cannot be had."""
        if not self.allowed(url):
            raise ProfileError(f"robots.txt of {urlsplit(url).netloc} forbids fetching {url}")
        return self._get(url)

    def _get(self, url: str) -> tuple[bytes, str | None]:
        pause = self._last + self.delay - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                return response.read(), response.headers.get_content_charset()
        except urllib.error.HTTPError as exc:
            raise ProfileError(f"cannot fetch {url}: HTTP {exc.code}") from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ProfileError(f"cannot fetch {url}: {reason}") from None
        finally:
            self._last = time.monotonic()


def anchor_text(anchor) -> str:
    """A link's words: its text, else its title, else the alt of its image (old menus are image buttons)."""
    text = clean_text(anchor.text_content()) or clean_text(anchor.get("title"))
    if not text:
        text = next((clean_text(img.get("alt")) for img in anchor.iter("img") if clean_text(img.get("alt"))), "")
    return text


def read_page(url: str, fetcher: Fetcher) -> Page:
    raw, charset = fetcher.get(url)
    root = parse(decode_html(raw, charset))
    strip_scripts(root)
    host = urlsplit(url).netloc
    links = []
    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        target = urljoin(url, href).split("#")[0]
        if urlsplit(target).netloc == host:
            links.append((target, anchor_text(anchor), anchor))
    return Page(url, root, links)


def local(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


# -- article URL pattern ---------------------------------------------------------------------------------


def _shape(url: str) -> tuple:
    parts = urlsplit(url)
    # Digit-only segments apart: /2024/07/12/slug/ and /chuyen-muc/x/page/2/ have the same length.
    segments = tuple("" if not s else "9" if s.isdigit() else "a" for s in parts.path.split("/"))
    keys = tuple(k for k, _ in parse_qsl(parts.query, keep_blank_values=True))
    return segments, keys


def _generalise_segment(values: set[str]) -> str:
    if all(v.isdigit() for v in values):
        return r"\d+"
    if len(values) == 1:
        return re.escape(next(iter(values)))
    if all(re.fullmatch(r"\d+\.\w+", v) for v in values):  # /bai/123.html
        return r"\d+\." + re.escape(next(iter(values)).rsplit(".", 1)[1])
    if all(re.fullmatch(r".+-\d+\.\w+", v) for v in values):
        return r"[^/]+-\d+\." + re.escape(next(iter(values)).rsplit(".", 1)[1])
    extensions = {v.rsplit(".", 1)[1] for v in values if "." in v}
    if len(extensions) == 1 and all("." in v for v in values):
        return r"[^/]+\." + re.escape(extensions.pop())
    return r"[^/]+"


def pattern_for(urls: list[str]) -> str:
    """A regex matching a group of same-shaped URLs: constant parts literal, varying ones generalised."""
    paths = [urlsplit(u).path.split("/") for u in urls]
    segments = [_generalise_segment({p[i] for p in paths}) for i in range(len(paths[0]))]
    regex = "^" + "/".join(segments)
    queries = [parse_qsl(urlsplit(u).query, keep_blank_values=True) for u in urls]
    if queries[0]:
        pairs = []
        for i, (key, _) in enumerate(queries[0]):
            values = {q[i][1] for q in queries}
            value = r"\d+" if all(v.isdigit() for v in values) else _generalise_segment(values).replace("/", "&")
            pairs.append(f"{re.escape(key)}={value}")
        regex += r"\?" + "&".join(pairs)
    else:
        regex += "$"
    return "(?i)" + regex


def detect_article_pattern(pages: list[Page]) -> str:
    """The regex of the URL group whose links read like headlines (most distinct such links wins)."""
    groups: dict[tuple, dict[str, int]] = {}
    for page in pages:
        for url, text, _ in page.links:
            words = len(text.split())
            bucket = groups.setdefault(_shape(url), {})
            bucket[url] = max(bucket.get(url, 0), words)
    scored = []
    for shape, urls in groups.items():
        headlines = [u for u, words in urls.items() if words >= TITLE_WORDS]
        if len(headlines) >= 3 and len(headlines) >= 0.6 * len(urls):
            scored.append((len(headlines), shape, headlines))
    if not scored:
        raise ProfileError("no article links found: no group of links with headline-like text on the pages read")
    # From the headline links only: a menu link of the same shape (/hoat-dong-dang.html beside
    # /slug-123.html) must not widen the pattern.
    _, _, urls = max(scored, key=lambda s: s[0])
    return pattern_for(urls)


def article_links(page: Page, pattern: str) -> list[tuple[str, str, lxml.html.HtmlElement]]:
    return [(u, t, a) for u, t, a in page.links if re.search(pattern, local(u))]


# -- categories ------------------------------------------------------------------------------------------


def category_candidates(home: Page, pattern: str) -> list[tuple[str, str, bool]]:
    """(label, url, party) of menu-like links whose wording names a news category, Party ones first."""
    seen: dict[str, tuple[str, str, bool]] = {}
    for url, text, _ in home.links:
        if re.search(pattern, local(url)) or url.rstrip("/") == home.url.rstrip("/") or not 1 <= len(text.split()) <= 8:
            continue
        party = bool(PARTY_WORDS.search(text))
        if (party or NEWS_WORDS.search(text)) and url not in seen:
            seen[url] = (text, url, party)
    ranked = sorted(seen.values(), key=lambda c: (not c[2], not PARTY_PREFERRED.search(c[0])))
    return ranked[:MAX_CATEGORY_FETCHES]


def _read_listings(candidates: list[tuple[str, str, bool]], pattern: str, fetcher: Fetcher) -> list[Category]:
    """The candidates whose page lists articles."""
    categories = []
    for label, url, party in candidates:
        try:
            page = read_page(url, fetcher)
        except ProfileError:
            continue
        headlines = {u for u, text, _ in page.links if len(text.split()) >= TITLE_WORDS}
        if len({u for u, _, _ in article_links(page, pattern)}) >= 2 or len(headlines) >= 3:
            categories.append(Category(label, url, party, page))
    return categories


def read_categories(home: Page, pattern: str, fetcher: Fetcher) -> list[Category]:
    categories = _read_listings(category_candidates(home, pattern), pattern, fetcher)
    if not any(c.party for c in categories):
        # One level down: a news page's own menu can show what the home page folds away ("Tin tức" > ...).
        known = {home.url, *(c.url for c in categories)}
        deeper = [
            candidate
            for c in categories
            for candidate in category_candidates(c.page, pattern)
            if candidate[2] and candidate[1] not in known
        ]
        categories += _read_listings(list(dict.fromkeys(deeper))[:MAX_CATEGORY_FETCHES], pattern, fetcher)
    # Listing entries: article links no other listing shows (sidebars and "Bài viết mới" repeat everywhere).
    for category in categories:
        others = {u for c in categories if c is not category for u, _, _ in article_links(c.page, pattern)}
        own = [u for u, _, _ in article_links(category.page, pattern)]
        category.items = [u for u in dict.fromkeys(own) if u not in others] or list(dict.fromkeys(own))
    party = [c for c in categories if c.party]
    if not party:
        raise ProfileError(
            f"no Party news category found on {home.url} (looked for menu links such as 'Hoạt động công tác Đảng', "
            "'Đảng - Đoàn thể' that list articles); write the profile by hand"
        )
    # "Hoạt động công tác Đảng" over "Văn bản Đảng" (documents), then the fuller listing.
    best = max(party, key=lambda c: (bool(PARTY_PREFERRED.search(c.name)), len(c.items)))
    return [c for c in categories if c is best or not c.party]


# -- listing selectors -----------------------------------------------------------------------------------


def _simple_selector(element) -> str:
    if element.get("id") and re.fullmatch(r"[A-Za-z][\w-]*", element.get("id")):
        return f"{element.tag}#{element.get('id')}"
    classes = [c for c in (element.get("class") or "").split() if re.fullmatch(r"-?[A-Za-z_][\w-]*", c)]
    return element.tag + (f".{classes[0]}" if classes else "")


def _path_selector(element) -> str:
    """A CSS path to ``element``: up to the nearest ancestor with an id or class (four steps at most)."""
    steps = [_simple_selector(element)]
    node = element
    while "." not in steps[0] and "#" not in steps[0] and len(steps) < 4:
        node = node.getparent()
        if node is None or node.tag in ("html", "body"):
            break
        steps.insert(0, _simple_selector(node))
    return " > ".join(steps)


def _common_ancestor(elements: list) -> lxml.html.HtmlElement | None:
    chains = [[e, *e.iterancestors()] for e in elements]
    shared = set(chains[0]).intersection(*map(set, chains[1:]))
    return next((node for node in chains[0] if node in shared), None)


def _signature(anchor) -> tuple:
    return tuple((node.tag, node.get("class", "")) for node in anchor.iterancestors() if node.tag != "html")


def _entry_anchors(category: Category, pattern: str, elsewhere: set[tuple]) -> list:
    """The <a> of the listing's entries: the same-structured group of links with the most links found at the
    same place on no other page (sidebars such as "Bài viết mới" repeat everywhere), then the biggest.
    """
    groups: dict[tuple, list] = {}
    for url, _, anchor in article_links(category.page, pattern):
        groups.setdefault(_signature(anchor), []).append((url, anchor))
    if not groups:
        return []
    best = max(groups.items(), key=lambda kv: (sum((kv[0], u) not in elsewhere for u, _ in kv[1]), len(kv[1])))[1]
    return [anchor for _, anchor in best]


def detect_item_selectors(category: Category, pattern: str, elsewhere: set[tuple]) -> tuple[str | None, str | None]:
    """``item`` and ``date`` selectors of a listing's entries, or (None, None) when no clean container shows.

    ``elsewhere``: (structure, URL) of the article links on the other pages read.
    """
    anchors = _entry_anchors(category, pattern, elsewhere)
    if len(anchors) < 2:
        return None, None
    container = _common_ancestor(anchors)
    if container is None or container.tag in ("html", "body"):
        return None, None
    children = []
    for anchor in anchors:
        child = anchor
        while child.getparent() is not container:
            child = child.getparent()
        children.append(child)
    classes = Counter(c for child in children for c in (child.get("class") or "").split()[:1])
    tag = Counter(child.tag for child in children).most_common(1)[0][0]
    shared = [c for c, n in classes.items() if n == len(children) and re.fullmatch(r"-?[A-Za-z_][\w-]*", c)]
    item = f"{_path_selector(container)} > {tag}{'.' + shared[0] if shared else ''}"
    found = category.page.root.cssselect(item)
    if sum(1 for element in found for a in anchors if a in set(element.iter("a"))) < len(anchors):
        return None, None
    return item, _date_selector(children)


def _date_selector(items: list) -> str | None:
    """The element inside listing entries that holds only a date ("12/07/2024", "(12/07/2024)")."""
    for element in items[0].iter():
        if element is items[0] or not isinstance(element.tag, str) or element.find(".//a") is not None:
            continue
        text = clean_text(element.text_content())
        if element.tag == "a" or len(text) > 40 or not find_full_date(text):
            continue
        selector = _simple_selector(element)
        hits = sum(
            1 for item in items if any(find_full_date(clean_text(e.text_content())) for e in item.cssselect(selector))
        )
        if hits >= 0.8 * len(items):
            return selector
    return None


def detect_pagination(category: Category, pattern: str) -> str | None:
    """A CSS selector of the listing's pager links (``page/N/`` or a ``page=N``-like query)."""
    for url, _, _ in category.page.links:
        if re.search(pattern, local(url)):
            continue
        parts = urlsplit(url)
        if PAGE_PATH.search(parts.path):
            return f"a[href*='/{PAGE_PATH.search(parts.path)[1]}/']"
        suffix = PAGE_SUFFIX.search(parts.path)
        if suffix:  # /hoat-dong-dang/trang-2.html, /tin-tuc-p2
            return f"a[href*='{suffix[0][: suffix.start(2) - suffix.start(0)]}']"
        match = PAGE_QUERY.search("?" + parts.query)
        if match:  # the key as a whole parameter: "?p=" and "&p=", never "step="
            return f"a[href*='?{match[1]}='], a[href*='&{match[1]}=']"
    return None


# -- the whole onboarding ---------------------------------------------------------------------------------


def default_name(url: str) -> str:
    host = urlsplit(url).hostname or "site"
    label = host.removeprefix("www.").split(".")[0]
    if re.fullmatch(r"[a-z][a-z0-9-]*", label):
        return label
    return "site-" + re.sub(r"[^a-z0-9]+", "-", f"{host}-{urlsplit(url).port or ''}".lower()).strip("-")


def hospital_name(home: Page) -> str:
    meta = home.root.xpath("//meta[@property='og:site_name']/@content")
    if meta and clean_text(meta[0]):
        return clean_text(meta[0])
    title = clean_text(home.root.findtext(".//title"))
    parts = [p for p in re.split(r"\s+[-|–—:»]\s+", title) if p] or [urlsplit(home.url).netloc]
    named = [p for p in parts if re.search(r"bệnh viện|trung tâm y tế", p, re.IGNORECASE)]
    return (named or parts)[0]


def discover(url: str, name: str | None = None, delay: float = 0.5) -> Onboarding:
    """Read the site and decide everything its profile needs."""
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
        raise ProfileError(f"not an http(s) URL: {url!r}")
    fetcher = Fetcher(delay)
    home = read_page(url, fetcher)
    pattern = detect_article_pattern([home])
    categories = read_categories(home, pattern, fetcher)
    # With the listings read, the pattern can be learned again from more headlines; the Party listing decides
    # when the home page links its articles differently.
    pattern = detect_article_pattern([home, *(c.page for c in categories)])
    party = next(c for c in categories if c.party)
    if not article_links(party.page, pattern):
        pattern = detect_article_pattern([party.page])
    others = [home, *(c.page for c in categories if c is not party)]
    elsewhere = {(_signature(a), u) for page in others for u, _, a in page.links}
    item, date = detect_item_selectors(party, pattern, elsewhere)
    if item:  # every entry of the listing, now that its container is known
        entries = {id(a) for element in party.page.root.cssselect(item) for a in element.iter("a")}
        party.items = list(dict.fromkeys(u for u, _, a in article_links(party.page, pattern) if id(a) in entries))
    samples = list(dict.fromkeys([*party.items, *(u for c in categories for u in c.items)]))[:LEARN_PAGES]
    template = learn_template((fetcher.get(u)[0], u) for u in samples)
    base = f"{urlsplit(url).scheme}://{urlsplit(url).netloc}"
    return Onboarding(
        name=name or default_name(url),
        hospital=hospital_name(home),
        base_url=base,
        article_url=pattern,
        categories=categories,
        item=item,
        date=date,
        pages=detect_pagination(party, pattern),
        template=template,
        fetched=1 + len(categories) + len(samples),
    )


def _toml(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def profile_text(found: Onboarding) -> str:
    lines = [
        f"# Written by `hospital-news sites add {found.base_url}`: detected, not checked by a person.",
        "# Correct anything detection got wrong by hand; [article] selectors may be added to pin fields.",
        "",
        "[site]",
        f"name = {_toml(found.name)}",
        f"hospital = {_toml(found.hospital)}",
        'province = ""',
        f"base_url = {_toml(found.base_url)}",
        "enabled = true",
    ]
    for category in found.categories:
        lines += [
            "",
            "[[categories]]",
            f"name = {_toml(category.name)}",
            f"url = {_toml(local(category.url))}",
            f"party = {'true' if category.party else 'false'}",
        ]
    lines += ["", "[listing]", f"article_url = {_toml(found.article_url)}"]
    for key in ("item", "date", "pages"):
        value = getattr(found, key)
        if value:
            lines.append(f"{key} = {_toml(value)}")
    if found.item:
        lines.append('link = "a[href]"')
    return "\n".join(lines) + "\n"


def add_site(
    url: str, name: str | None, sites_dir: Path | None, force: bool = False, delay: float = 0.5
) -> tuple[Onboarding, Path]:
    """Discover a site and write ``sites_dir/NAME.toml`` (and its learned template); returns both."""
    directory = Path(sites_dir) if sites_dir else DEFAULT_SITES_DIR
    if name is not None and not re.fullmatch(r"[A-Za-z0-9_-]+", name):
        raise ProfileError(f"site name {name!r}: use letters, digits, '-' and '_' only")
    found = discover(url, name, delay)
    path = directory / f"{found.name}.toml"
    if path.exists() and not force:
        raise ProfileError(f"{path} already exists (choose another --name, or --force to replace it)")
    directory.mkdir(parents=True, exist_ok=True)
    path.write_text(profile_text(found), encoding="utf-8")
    load_profile_file(path)  # what we wrote must load, or the user hears it now
    if found.template:
        sidecar_path(path).write_text(found.template.to_text(), encoding="utf-8")
    else:
        sidecar_path(path).unlink(missing_ok=True)  # a replaced profile keeps no stale template
    return found, path


def report(found: Onboarding, path: Path) -> list[str]:
    """What was found, as lines for the terminal."""
    lines = [f"{found.name}: {found.hospital} ({found.base_url}), {found.fetched} pages read"]
    for category in found.categories:
        kind = "Party" if category.party else "news"
        entries = f"{len(category.items)} entries on its first page"
        lines.append(f"  {kind} category: {category.name} -> {local(category.url)} ({entries})")
    lines.append(f"  article URLs: {found.article_url}")
    lines.append(f"  listing entries: {found.item or 'whole page'}; dates: {found.date or '-'}")
    lines.append(f"  pagination: {found.pages or 'none found'}")
    lines.append(
        f"  template learned: {len(found.template.lines)} lines, {len(found.template.not_titles)} site-name titles"
    )
    lines.append(f"Profile written to {path}")
    return lines
