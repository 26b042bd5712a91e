"""Canonical URLs: one article, one address, however a link spelled it.

Hospital sites are reached through many spellings of the same page: share buttons add ``utm_*`` and
``fbclid``, templates link ``http://`` and ``https://``, ``/bai-viet/`` and ``/bai-viet``, and most CMSs
offer a print view (``?print=1``, ``/print``). :func:`canonical_url` maps them all to one form, the key an
article is stored under; the other spellings are kept as aliases (table ``article_aliases``).

Only changes that cannot alter which page a server returns are made: remaining query parameters keep their
order and spelling (ASP.NET and PHP sites can care), and the path's case is kept.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_plus, urlsplit, urlunsplit

# Query parameters that only say who sent the visitor (analytics, ad and social click ids).
TRACKING_PARAMS = {
    "fbclid",
    "gclid",
    "dclid",
    "gbraid",
    "wbraid",
    "msclkid",
    "yclid",
    "zarsrc",  # Zalo, the messenger most Vietnamese hospital news is shared through
    "_hsenc",
    "_hsmi",
    "mc_cid",
    "mc_eid",
    "igshid",
    "ref_src",
}
TRACKING_PREFIXES = ("utm_",)
# Query parameters (name → values, empty set = any value) that ask for the printable view of the same page.
PRINT_PARAMS: dict[str, set[str]] = {
    "print": set(),
    "printable": set(),
    "in": {"1", "true"},  # Vietnamese CMSs: "in" = print
    "view": {"print"},
    "layout": {"print"},
    "format": {"print"},
    "output": {"print"},
    "tmpl": {"component"},  # Joomla's bare page, used for printing
    "mode": {"print"},
}
# A trailing path segment asking for the print view: /tin/abc-12/print, /tin/abc-12/in-bai.
PRINT_SEGMENT = re.compile(r"/(?:print|printable|in-bai|ban-in)/?$", re.IGNORECASE)
DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_url(url: str, scheme: str | None = None) -> str:
    """The canonical spelling of ``url``: scheme as given (e.g. the site's), lower-case host, no default
    port, no fragment, no tracking or print parameters, no print segment, no trailing slash.

    >>> canonical_url("HTTP://BVDK.vn:80/tin/hoi-nghi-12/?utm_source=zalo&id=3#top", scheme="https")
    'https://bvdk.vn/tin/hoi-nghi-12?id=3'
    """
    parts = urlsplit(url.strip())
    new_scheme = (scheme or parts.scheme).lower()
    host = (parts.hostname or "").lower()
    if parts.port and parts.port != DEFAULT_PORTS.get(parts.scheme.lower()):
        host = f"{host}:{parts.port}"
    path = PRINT_SEGMENT.sub("", parts.path) or "/"
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    query = "&".join(pair for pair in parts.query.split("&") if pair and _keeps(*_decode_pair(pair)))
    return urlunsplit((new_scheme, host, path, query, ""))


def _decode_pair(pair: str) -> tuple[str, str]:
    """Name and value of one raw ``name=value`` query pair; the raw spelling is what is kept."""
    name, _, value = pair.partition("=")
    return unquote_plus(name), unquote_plus(value)


def _keeps(name: str, value: str) -> bool:
    key = name.lower()
    if key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES):
        return False
    if key in PRINT_PARAMS:
        values = PRINT_PARAMS[key]
        return bool(values) and value.lower() not in values
    return True
