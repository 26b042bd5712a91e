"""A content block → paragraphs, images with captions, and the closing author line.

Hospital CMSs put everything inside the content block as paragraphs: text, image paragraphs, a centred
italic caption under each image, and a right-aligned bold author/unit line last (see the seed pages).
This module reads that shape; it does not decide where the content block is (see ``locate.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

import lxml.html

from .boilerplate import is_template_line
from .text import clean_text

BLOCK_TAGS = {
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "blockquote",
    "pre",
    "table",
    "tbody",
    "thead",
    "tr",
    "td",
    "th",
    "section",
    "article",
    "figure",
    "figcaption",
    "center",
    "dl",
    "dt",
    "dd",
    "main",
    "header",
    "footer",
    "address",
}
_EMPHASIS = {"em", "i", "strong", "b"}
_AUTHOR_START = re.compile(
    r"^(tin|bài|ảnh|tin,? ảnh|tin và ảnh|bài,? ảnh|bbt|ban biên tập|tổ|phòng|khoa|văn phòng|ban|trung tâm|"
    r"chi bộ|đảng ủy|đảng uỷ|nhóm|bộ phận|theo|nguồn)\b",
    re.IGNORECASE,
)
_MAX_AUTHOR_CHARS = 120
_MAX_CAPTION_CHARS = 300


@dataclass
class Block:
    """One paragraph-level piece of the content, with the layout clues captions and authors are told by."""

    text: str
    images: list[str] = field(default_factory=list)
    centred: bool = False
    right: bool = False
    emphasised: bool = False
    caption_tag: bool = False


@dataclass
class Body:
    paragraphs: list[str]
    images: list[dict]
    author: str | None


def _alignment(element) -> str:
    style = (element.get("style") or "").replace(" ", "").lower()
    align = (element.get("align") or "").lower()
    cls = (element.get("class") or "").lower()
    if "text-align:center" in style or align == "center" or "center" in cls or element.tag == "center":
        return "center"
    if "text-align:right" in style or align == "right" or "right" in cls:
        return "right"
    return ""


def _is_leaf_block(element) -> bool:
    return not any(child.tag in BLOCK_TAGS for child in element.iterdescendants() if isinstance(child.tag, str))


def _leaf_lines(element) -> list[str]:
    """Text of a leaf block split at <br>, with each child's tail kept in order."""
    lines: list[str] = []
    buffer: list[str] = [element.text or ""]

    def visit(node) -> None:
        for child in node:
            if not isinstance(child.tag, str):
                buffer.append(child.tail or "")
                continue
            if child.tag == "br":
                lines.append("".join(buffer))
                buffer.clear()
            else:
                buffer.append(child.text or "")
                visit(child)
            buffer.append(child.tail or "")

    visit(element)
    lines.append("".join(buffer))
    return [text for text in (clean_text(line) for line in lines) if text]


def _outermost_emphasis(element):
    """<em>/<strong>-like elements of a block that are not nested inside another one."""
    for node in element.iter(*_EMPHASIS):
        if node is element:
            yield node
            return
        ancestor = node.getparent()
        while ancestor is not None and ancestor is not element and ancestor.tag not in _EMPHASIS:
            ancestor = ancestor.getparent()
        if ancestor is element:
            yield node


def _emphasised(element, text: str) -> bool:
    """True when (nearly) all of a block's text is italic or bold: how captions and authors are set."""
    chars = sum(len(clean_text(node.text_content()).replace(" ", "")) for node in _outermost_emphasis(element))
    return bool(text) and chars >= 0.9 * len(text.replace(" ", ""))


def _blocks(root, base_url: str) -> list[Block]:
    """Flatten the content element into paragraph blocks in document order."""
    blocks: list[Block] = []

    def add_leaf(element, align: str) -> None:
        images = [urljoin(base_url, src) for src in (img.get("src") for img in element.iter("img")) if src]
        lines = _leaf_lines(element)
        caption_tag = element.tag == "figcaption" or "caption" in (element.get("class") or "").lower()
        if images:
            blocks.append(Block("", images=images, centred=align == "center"))
        for line in lines:
            blocks.append(
                Block(
                    line,
                    centred=align == "center",
                    right=align == "right",
                    emphasised=_emphasised(element, line),
                    caption_tag=caption_tag,
                )
            )

    def walk(element, inherited: str) -> None:
        align = _alignment(element) or inherited
        if _is_leaf_block(element):
            add_leaf(element, align)
            return
        if element.text and clean_text(element.text):
            blocks.append(Block(clean_text(element.text)))
        for child in element:
            if isinstance(child.tag, str):
                if child.tag in BLOCK_TAGS:
                    walk(child, align)
                elif child.tag == "img" and child.get("src"):
                    blocks.append(Block("", images=[urljoin(base_url, child.get("src"))]))
                elif child.tag != "br" and clean_text(child.text_content()):
                    add_leaf(child, align)
            if child.tail and clean_text(child.tail):
                blocks.append(Block(clean_text(child.tail)))

    walk(root, "")
    return blocks


def looks_like_byline(text: str) -> bool:
    """True when a line starts like an author or unit credit ("Tin, ảnh: ...", "Văn phòng Đảng ủy")."""
    return bool(_AUTHOR_START.match(text)) and len(text) <= _MAX_AUTHOR_CHARS and "@" not in text


def _looks_like_caption(block: Block) -> bool:
    # Right-aligned is how the closing author line is set, never a caption.
    return (
        bool(block.text)
        and not block.right
        and len(block.text) <= _MAX_CAPTION_CHARS
        and (block.caption_tag or block.emphasised or block.centred)
    )


def _looks_like_author(block: Block) -> bool:
    text = block.text
    if not text or len(text) > _MAX_AUTHOR_CHARS or text.endswith((":", "?")):
        return False
    styled = block.right or (block.emphasised and len(text.split()) <= 14)
    return styled or bool(_AUTHOR_START.match(text)) and len(text.split()) <= 12


def read_body(
    root: lxml.html.HtmlElement,
    base_url: str,
    title: str | None = None,
    template_lines: frozenset[str] = frozenset(),
) -> Body:
    """Split a content element into body paragraphs, captioned images and the author line.

    ``template_lines`` are lines learned as the site's template; they go before the author is looked for,
    since a site's closing note often follows the author line.
    """
    blocks = [
        b for b in _blocks(root, base_url) if b.images or not (is_template_line(b.text) or b.text in template_lines)
    ]
    if title:
        blocks = [b for b in blocks if b.text != title]
    images: list[dict] = []
    text_blocks: list[Block] = []
    pending: list[dict] = []
    for block in blocks:
        if block.images:
            pending = [{"src": src, "caption": None, "after_paragraph": len(text_blocks) - 1} for src in block.images]
            images.extend(pending)
            continue
        if pending and _looks_like_caption(block):
            pending[-1]["caption"] = block.text
            pending = []
            continue
        pending = []
        text_blocks.append(block)
    author = None
    if len(text_blocks) > 1 and _looks_like_author(text_blocks[-1]):
        author = text_blocks.pop().text
    return Body([b.text for b in text_blocks], images, author)


def element_text(element) -> str:
    """Visible text of an element with <br> read as a space (titles split over two lines)."""
    return " ".join(_leaf_lines(element))
