"""Find the content block of a page that no profile describes.

Readability's idea, kept small: paragraphs vote for their parent (and half for the grandparent) with their
text length, links discounted; the element with the most votes holds the article.
"""

from __future__ import annotations

import lxml.html

from .text import clean_text

_PARAGRAPH_TAGS = ("p", "div", "td", "pre", "blockquote", "li")
_MIN_CHARS = 25


def _link_density(element) -> float:
    text_len = len(clean_text(element.text_content())) or 1
    link_len = sum(len(clean_text(a.text_content())) for a in element.iter("a"))
    return link_len / text_len


def locate_content(root: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """The element most likely to hold the article body (``<body>`` when nothing stands out)."""
    scores: dict = {}
    for element in root.iter(*_PARAGRAPH_TAGS):
        if element.tag != "p" and any(True for _ in element.iterdescendants(*_PARAGRAPH_TAGS, "table")):
            continue  # only leaf blocks vote; containers (also a layout cell holding tables) are voted for
        text = clean_text(element.text_content())
        if len(text) < _MIN_CHARS or _link_density(element) > 0.5:
            continue
        weight = min(len(text), 1000) + 50 * text.count(",") / 10
        parent = element.getparent()
        if parent is None:
            continue
        scores[parent] = scores.get(parent, 0.0) + weight
        grandparent = parent.getparent()
        if grandparent is not None:
            scores[grandparent] = scores.get(grandparent, 0.0) + weight / 2
    if not scores:
        body = root.find("body")
        return body if body is not None else root
    return max(scores, key=lambda element: scores[element])
