"""Where the time goes: a cProfile dump summed by area of the code, for ``bench crawl --profile`` and
``bench extraction --profile``.

Each function's own time (``tottime``) is given to the area of the file it lives in. C functions (lxml, zlib,
sqlite3...) and the standard library (urllib.parse, re...) have their time given to the areas of their callers,
split by the calls each caller made: lxml's parser counts under extraction, zlib under WARC capture.
"""

from __future__ import annotations

import functools
import pstats
import sysconfig
import time
from collections import defaultdict
from collections.abc import Callable

# (path fragment, area), first match wins. Paths are matched with "/" separators.
AREAS: list[tuple[str, str]] = [
    ("scraper/extract/clean.py", "extraction: parse + clean (lxml)"),
    ("scraper/extract/encoding.py", "extraction: decode (+ UnicodeDammit)"),
    ("bs4/", "extraction: decode (+ UnicodeDammit)"),
    ("scraper/extract/legacy.py", "extraction: legacy fonts check"),
    ("scraper/extract/locate.py", "extraction: locate content"),
    ("scraper/extract/body.py", "extraction: body (blocks, captions)"),
    ("scraper/extract/metadata.py", "extraction: title, dates, canonical"),
    ("scraper/extract/dates.py", "extraction: title, dates, canonical"),
    ("scraper/extract/", "extraction: text, boilerplate, other"),
    ("lxml/", "extraction: text, boilerplate, other"),
    ("cssselect/", "extraction: text, boilerplate, other"),
    ("scraper/warc.py", "WARC capture (records, or handing them to the helper)"),
    ("warcio/", "WARC capture (records, or handing them to the helper)"),
    ("scraper/helper_channel.py", "helper process: handing pages over, reading answers"),
    ("twisted/internet/process.py", "helper process: handing pages over, reading answers"),
    ("scraper/facts.py", "archive: facts"),
    ("archive/", "archive: SQLite writes (FTS, upserts)"),
    ("sqlite_utils/", "archive: SQLite writes (FTS, upserts)"),
    ("sqlite3/", "archive: SQLite writes (FTS, upserts)"),
    ("scraper/pipelines.py", "archive: SQLite writes (FTS, upserts)"),
    ("scraper/spiders/", "spider: listings, requests, items"),
    ("parsel/", "spider: listings, requests, items"),
    ("scrapy/core/downloader/handlers/", "HTTP client (Twisted web, Scrapy handler)"),
    ("twisted/web/", "HTTP client (Twisted web, Scrapy handler)"),
    ("h2/", "HTTP client (Twisted web, Scrapy handler)"),
    ("twisted/internet/", "event loop (Twisted, asyncio)"),
    ("/asyncio/", "event loop (Twisted, asyncio)"),
    ("/selectors.py", "event loop (Twisted, asyncio)"),
    ("scrapy/", "Scrapy engine, scheduler, middlewares"),
    ("w3lib/", "Scrapy engine, scheduler, middlewares"),
    ("twisted/", "Scrapy engine, scheduler, middlewares"),
    ("queuelib/", "Scrapy engine, scheduler, middlewares"),
    ("scraper/", "Scrapy engine, scheduler, middlewares"),
]
IDLE = "idle: waiting for the network (epoll)"
OTHER = "other (start-up, logging, stdlib)"


_STDLIB = sysconfig.get_paths()["stdlib"].replace("\\", "/")


def area_of(filename: str, name: str) -> str | None:
    """The area of a Python function, or None for a C or standard-library function (its callers decide)."""
    if filename == "~":
        return IDLE if name == "<method 'poll' of 'select.epoll' objects>" else None
    path = filename.replace("\\", "/")
    for fragment, area in AREAS:
        if fragment in path:
            return area
    if path.startswith(_STDLIB) and "site-packages" not in path:
        return None  # urllib.parse, re, json ...: charged to whoever called them
    return OTHER


def time_by_area(stats: pstats.Stats) -> dict[str, float]:
    """Own time of every function summed by area; C functions' time shared out to their callers' areas."""
    raw = stats.stats  # type: ignore[attr-defined]
    totals: dict[str, float] = defaultdict(float)
    cache: dict[tuple, str] = {}

    def resolve(func: tuple, depth: int = 0) -> str:
        """The area of a function; for a C function, that of its heaviest caller (bounded search)."""
        if func in cache:
            return cache[func]
        area = area_of(func[0], func[2])
        if area is None:
            callers = raw.get(func, (0, 0, 0, 0, {}))[4]
            area = OTHER
            if callers and depth < 8:
                heaviest = max(callers, key=lambda c: callers[c][3] if isinstance(callers[c], tuple) else 0)
                area = resolve(heaviest, depth + 1)
        cache[func] = area
        return area

    for func, (_cc, _nc, tottime, _ct, callers) in raw.items():
        own = area_of(func[0], func[2])
        if own is not None or not callers:
            totals[own or OTHER] += tottime
            continue
        # A C function: split its own time between its callers in proportion to their share of it.
        shares = {c: (v[2] if isinstance(v, tuple) else 0.0) for c, v in callers.items()}
        whole = sum(shares.values())
        for caller, share in shares.items():
            part = tottime * (share / whole if whole else 1 / len(shares))
            totals[resolve(caller)] += part
    return dict(totals)


def cumulative(stats: pstats.Stats, file_fragment: str, name: str) -> float:
    """Cumulative time of one function (summed over every function of that name in matching files)."""
    raw = stats.stats  # type: ignore[attr-defined]
    return sum(v[3] for f, v in raw.items() if f[2] == name and file_fragment in f[0].replace("\\", "/"))


def area_table(totals: dict[str, float], wall: float | None = None, title: str = "area") -> str:
    """A Markdown table of seconds and share of the whole, biggest first."""
    whole = wall or sum(totals.values())
    lines = [f"| {title:<45} | seconds | share |", "|---|---:|---:|"]
    for area, seconds in sorted(totals.items(), key=lambda kv: -kv[1]):
        if seconds >= 0.005 * whole:
            lines.append(f"| {area:<45} | {seconds:7.2f} | {100 * seconds / whole:4.0f}% |")
    lines.append(f"| {'total':<45} | {whole:7.2f} |  100% |")
    return "\n".join(lines)


def compare_table(columns: dict[str, dict[str, float]], per: dict[str, int], unit: str = "ms/page") -> str:
    """Areas side by side, each column divided by its count in ``per`` (e.g. pages): what each run spends."""
    names = list(columns)
    areas = sorted({a for c in columns.values() for a in c}, key=lambda a: -max(c.get(a, 0) for c in columns.values()))
    lines = [f"| {'area (' + unit + ')':<45} | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    for area in areas:
        values = [1000 * columns[n].get(area, 0.0) / per[n] for n in names]
        if max(values) >= 0.02:
            lines.append(f"| {area:<45} | " + " | ".join(f"{v:.2f}" for v in values) + " |")
    totals = [1000 * sum(columns[n].values()) / per[n] for n in names]
    lines.append(f"| {'total':<45} | " + " | ".join(f"{v:.2f}" for v in totals) + " |")
    return "\n".join(lines)


def timed(function: Callable, record: Callable[[float], None]) -> Callable:
    """``function``, wrapped: each call's wall-clock seconds go to ``record`` (for the stage timers)."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            record(time.perf_counter() - start)

    return wrapper
