"""HTML → a cleaned lxml tree: scripts, styles and template containers removed.

lxml, not BeautifulSoup, holds the tree: extraction runs once per page on the crawl's hot path and lxml parses
several times faster (``python -m bench extraction --profile`` shows the figures); BeautifulSoup's only job
here is charset sniffing of the rare page that is neither UTF-8 nor declares its charset.

The parser gives every element lxml.html's ``HtmlElement`` class (``text_content``, ``cssselect``...) through
lxml's C-level default lookup, not ``lxml.html``'s own parser, whose Python lookup callback runs each time an
element is touched from Python (about 8% of extraction time). The special classes it gives form controls
(``FormElement``, ``InputElement``...) are not used here: forms never hold article text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import lxml.html
from lxml import etree
from lxml.cssselect import CSSSelector

from .boilerplate import is_template_container

# Not <form>: ASP.NET sites wrap the whole page in one.
_DROP_TAGS = ["script", "style", "noscript", "iframe", "svg", "button", "select", "input", "textarea", "object"]
_TEMPLATE_TAGS = {"nav", "footer", "aside", "header"}
# In document order, as a walk over every element would meet them. Steps to the attributes and back, not
# ``//*[@class or @id]``: libxml2 runs a predicate on every element about twice as slowly (see ``css``).
_TEMPLATE_CANDIDATES = etree.XPath("//@class/.. | //@id/.. | //nav | //footer | //aside | //header")


def _html_parser() -> etree.HTMLParser:
    """lxml.html's parser settings, with HtmlElement for every element by C-level lookup (see above)."""
    parser = etree.HTMLParser()
    parser.set_element_class_lookup(
        etree.ElementDefaultClassLookup(
            element=lxml.html.HtmlElement,
            comment=lxml.html.HtmlComment,
            pi=lxml.html.HtmlProcessingInstruction,
            entity=lxml.html.HtmlEntity,
        )
    )
    return parser


_PARSER = _html_parser()


def parse(html: str) -> lxml.html.HtmlElement:
    """Parse text into an lxml document, tolerating broken markup and an XML encoding declaration."""
    if not html.strip():
        html = "<html><body></body></html>"
    try:
        return lxml.html.document_fromstring(html, parser=_PARSER)
    except ValueError:  # "Unicode strings with encoding declaration are not supported"
        return lxml.html.document_fromstring(html.encode("utf-8"), parser=_PARSER)
    except etree.ParserError:
        return lxml.html.document_fromstring("<html><body></body></html>", parser=_PARSER)


# One compound selector: a tag, an id or a class, or a tag with one of them ("#lblTitle", "div.noidung").
_SIMPLE_SELECTOR = re.compile(r"(?P<tag>[A-Za-z][A-Za-z0-9]*)?(?:(?P<kind>[#.])(?P<name>-?[A-Za-z_][A-Za-z0-9_-]*))?")


@lru_cache(maxsize=256)
def css(selector: str) -> etree.XPath:
    """A compiled CSS selector: translating CSS to XPath costs more than running it, and profiles repeat.

    Most profile selectors are one id or class, with or without a tag. cssselect writes them as a predicate
    on every element (``*[@id = 'x']``), which libxml2 runs about 4× slower than a step to the attribute
    and back (``*/@id[. = 'x']/..``); four such selectors were a tenth of an article's extraction. The
    rewrite selects the same elements in the same (document) order; anything else goes to cssselect.
    """
    simple = _SIMPLE_SELECTOR.fullmatch(selector.strip(" \t\n\r\f"))  # CSS white space, not str.isspace()
    if simple is None or not (simple["tag"] or simple["name"]):
        return CSSSelector(selector, translator="html")
    step = f"descendant-or-self::{(simple['tag'] or '*').lower()}"
    if simple["kind"] == "#":
        return etree.XPath(f"{step}/@id[. = '{simple['name']}']/..")
    if simple["kind"] == ".":
        name = simple["name"]  # a cheap contains() first, as cssselect does
        return etree.XPath(
            f"{step}/@class[contains(., '{name}')][contains(concat(' ', normalize-space(.), ' '), ' {name} ')]/.."
        )
    return etree.XPath(step)


def select(root: lxml.html.HtmlElement, selector: str) -> list:
    """``root.cssselect(selector)`` with the selector compiled once per process."""
    return css(selector)(root)


def strip_scripts(tree: lxml.html.HtmlElement) -> None:
    """Remove elements that never hold article text, and comments."""
    etree.strip_elements(tree, *_DROP_TAGS, with_tail=False)
    for comment in tree.xpath("//comment()"):
        _remove(comment)


def remove_selectors(root: lxml.html.HtmlElement, selectors: Iterable[str]) -> None:
    """Remove everything a profile lists as template (e.g. ``.share-bar``)."""
    for selector in selectors:
        for element in select(root, selector):
            _remove(element)


def remove_template_containers(root: lxml.html.HtmlElement, keep: lxml.html.HtmlElement | None = None) -> None:
    """Remove nav/aside/footer and elements whose class or id names a template block.

    ``keep`` (the chosen content block) and its ancestors are never removed, so a body whose class
    happens to contain "print" or "share" survives.
    """
    protected = set(keep.iterancestors()) | {keep} if keep is not None else set()
    for element in _TEMPLATE_CANDIDATES(root):  # only what has a class, an id or a template tag
        if element in protected or element.getparent() is None:
            continue
        names = f"{element.get('class', '')} {element.get('id', '')}".strip()
        if element.tag in _TEMPLATE_TAGS or is_template_container(names):
            _remove(element)


_LIST_CONTAINERS = ("div", "ul", "ol", "section", "table", "aside", "nav")


def remove_link_lists(content: lxml.html.HtmlElement) -> None:
    """Remove blocks inside the content that are mostly links to other pages (related posts, "Các tin khác").

    Plugins and old templates put these lists inside the content block under class names no list knows
    (``jp-relatedposts``, ``td6``); an article paragraph is almost never mostly link text.
    """
    for element in list(content.iter(*_LIST_CONTAINERS)):
        if element is content or element.getparent() is None:
            continue
        links = [a for a in element.iter("a") if a.get("href") and (a.text_content() or "").strip()]
        if len(links) < 2 or element.find(".//img") is not None:
            continue
        text = " ".join(element.text_content().split())
        link_text = sum(len(" ".join(a.text_content().split())) for a in links)
        if text and link_text / len(text) >= 0.6:
            _remove(element)


def _remove(element) -> None:
    """Remove an element but keep its tail text attached to the document."""
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    if tail and tail.strip():
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)
