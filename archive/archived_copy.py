"""An article's archived copy: its page as the crawler received it, read back from the WARC record and made
safe to serve from the archive's own web origin.

A crawled page is someone else's HTML (and a hospital's domain may change hands after the mergers). Served
as is beside Datasette, its scripts would run with Datasette's origin. So, in layers:

- the response carries ``Content-Security-Policy: sandbox`` without ``allow-scripts`` or ``allow-same-origin``
  (:data:`CSP`): the browser runs no script, submits no form and gives the page an opaque origin;
- the markup is made inert as well, for clients that ignore CSP: scripts, frames, plugins, ``<base>``,
  ``<meta http-equiv>``, ``on*`` handlers and ``javascript:`` URLs are removed;
- a ``<base href>`` of the original URL makes the page's relative links lead to the hospital site, never
  into Datasette;
- a banner on top says that this is an archived capture, when it was fetched and from where.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import lxml.html
from lxml import etree
from markupsafe import escape

from archive.reextract import Capture
from scraper.extract.clean import parse
from scraper.extract.encoding import decode_html

# No allow-scripts, no allow-same-origin: no script runs and the page cannot reach the archive's origin.
# Images, styles and fonts may come from the original site (they cannot run code); nothing else is fetched.
CSP = (
    "sandbox; default-src 'none'; img-src http: https: data:; style-src 'unsafe-inline' http: https:; "
    "font-src http: https: data:; form-action 'none'; base-uri http: https:"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
}
# Elements that run code, embed other documents or change where the page's links and requests go.
_ACTIVE_TAGS = ("script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "portal")
_URL_ATTRIBUTES = ("href", "src", "action", "formaction", "background", "poster", "data", "xlink:href", "srcset")
_SCRIPT_URL = re.compile(r"^(?:javascript|vbscript|data:text/html)", re.IGNORECASE)
_INVISIBLE = re.compile(r"[\x00-\x20]+")
BANNER_ID = "hospital-news-archived-banner"
BANNER_STYLE = (
    "all:initial;display:block;box-sizing:border-box;width:100%;padding:8px 12px;margin:0 0 8px 0;"
    "background:#fff3cd;color:#222;border-bottom:2px solid #c69500;font:14px/1.5 sans-serif;"
)


@dataclass(frozen=True)
class ArticleRef:
    """What the banner says about the article the capture belongs to."""

    url: str  # the original page, on the hospital's site
    title: str | None
    archive_href: str  # absolute URL of the article's row in Datasette
    gone_since: str | None


def make_inert(root: lxml.html.HtmlElement) -> None:
    """Remove what could run code or redirect the page; the text, images and layout stay."""
    etree.strip_elements(root, *_ACTIVE_TAGS, with_tail=False)
    for meta in root.xpath("//meta[@http-equiv]"):
        meta.drop_tree()
    for element in root.iter(etree.Element):
        for name in list(element.attrib):
            if _is_active_attribute(name.lower(), element.attrib[name]):
                del element.attrib[name]


def _is_active_attribute(name: str, value: str) -> bool:
    """An event handler, an inline document, or a URL that would run script when followed."""
    if name.startswith("on") or name == "srcdoc":
        return True
    return name in _URL_ATTRIBUTES and bool(_SCRIPT_URL.match(_INVISIBLE.sub("", value)))


def banner_html(capture: Capture, article: ArticleRef) -> str:
    """The notice on top of the copy, Vietnamese then English; every value escaped."""
    fetched = (capture.fetched or "?")[:19].replace("T", " ") + (" UTC" if capture.fetched else "")
    gone = (
        f" Trang gốc không còn từ / gone from the site since {escape(article.gone_since)}."
        if article.gone_since
        else ""
    )
    return (
        f'<div id="{BANNER_ID}" style="{BANNER_STYLE}" lang="vi">'
        f"<strong>Bản lưu trữ / Archived copy</strong> — thu thập lúc / captured at <time>{escape(fetched)}</time>. "
        "Không phải trang trực tiếp; mã chạy (script) bị chặn. / Not the live page; scripts are disabled."
        f"{gone}<br>"
        f'Trang gốc / original page: <a href="{escape(article.url)}">{escape(article.url)}</a>'
        f' · Bài trong kho / in the archive: <a href="{escape(article.archive_href)}">'
        f"{escape(article.title or article.url)}</a></div>"
    )


def archived_page(capture: Capture, article: ArticleRef) -> str:
    """The captured page, inert, with a ``<base>`` of the original URL and the banner first in its body."""
    root = parse(decode_html(capture.body, capture.charset))
    make_inert(root)
    head = root.find("head")
    if head is None:
        head = etree.Element("head")
        root.insert(0, head)
    for charset in head.xpath("meta[@charset]"):
        charset.drop_tree()
    head.insert(0, lxml.html.fragment_fromstring('<meta charset="utf-8">'))
    head.insert(1, lxml.html.fragment_fromstring(f'<base href="{escape(article.url)}">'))
    body = root.find("body")
    if body is None:
        body = etree.SubElement(root, "body")
    banner = lxml.html.fragment_fromstring(banner_html(capture, article))
    body.insert(0, banner)
    banner.tail, body.text = body.text, None
    return "<!DOCTYPE html>\n" + lxml.html.tostring(root, encoding="unicode")


def missing_page(message: str, article_href: str | None = None) -> str:
    """A short page for a copy that cannot be shown, saying why (and where the article itself is)."""
    link = ""
    if article_href:
        link = f'<p><a href="{escape(article_href)}">Bài trong kho / the article in the archive</a></p>'

    return (
        '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Không có bản lưu / No archived copy'
        f"</title></head><body><h1>Không có bản lưu / No archived copy</h1><p>{escape(message)}</p>{link}</body></html>"
    )
