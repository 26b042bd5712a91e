"""Bytes → text for pages in UTF-8, windows-1258 and mislabelled charsets.

Order that tells the cases apart (see docs/vietnamese.md): strict UTF-8 first (real cp1258 bytes fail it),
then the charset the page or server declared, then BeautifulSoup's UnicodeDammit sniffing. The result is NFC,
because cp1258 decodes to letters with combining tone marks.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from bs4 import UnicodeDammit

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)


def declared_charset(html: bytes) -> str | None:
    """The charset a page's own <meta> declares, if it is one Python knows."""
    match = _META_CHARSET.search(html[:4096])
    if not match:
        return None
    name = match.group(1).decode("ascii", "ignore")
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_html(html: bytes | str, header_charset: str | None = None) -> str:
    """Decode a page to NFC text, whatever its bytes claim to be."""
    if isinstance(html, str):
        return unicodedata.normalize("NFC", html)
    try:
        text = html.decode("utf-8")
    except UnicodeDecodeError:
        text = None
        for charset in (header_charset, declared_charset(html)):
            if not charset:
                continue
            try:
                text = html.decode(charset)
                break
            except (UnicodeDecodeError, LookupError):
                continue
        if text is None:
            dammit = UnicodeDammit(html, ["windows-1258", "utf-8"], is_html=True)
            text = dammit.unicode_markup or html.decode("utf-8", "replace")
    return unicodedata.normalize("NFC", text.lstrip("\ufeff"))
