"""``python -m bench extraction --profile``: where extraction's time goes, stage by stage, and what
BeautifulSoup would cost if it held the tree.

Stages are timed with wall-clock timers around the functions ``extract_article`` calls (the crawl's way: a
learned template and the listing date). BeautifulSoup's share is what ``UnicodeDammit`` (charset sniffing, its
only job here) costs; the comparison parses the same pages with BeautifulSoup (``html.parser`` and ``lxml``
tree builders) and with lxml, and walks each tree once (every <p>'s text) as the extractors do many times.
"""

from __future__ import annotations

import statistics
import time
from collections import defaultdict
from collections.abc import Callable

import lxml.html

import scraper.extract as extract_module
import scraper.extract.encoding as encoding_module
from scraper.extract.clean import parse

from .extractors import learn_templates, ours_learned
from .gold import GoldPage
from .profiling import timed

# Names ``extract_article`` calls through its module: each is one stage.
STAGES = {
    "decode_html": "decode bytes → text",
    "parse": "parse (lxml)",
    "repair_legacy_text": "legacy font check (TCVN3/VNI)",
    "strip_scripts": "strip scripts, comments",
    "find_title": "title",
    "find_stated_date": "stated date",
    "template_text": "template text (date context)",
    "select": "profile selectors",
    "remove_selectors": "remove profile's template",
    "remove_template_containers": "remove template containers",
    "locate_content": "locate content",
    "remove_link_lists": "remove link lists",
    "read_body": "body: blocks, captions, author",
    "find_lead_date": "lead date",
    "find_canonical": "canonical URL",
}
ROUNDS = 5


def _timed(function: Callable, label: str, totals: dict[str, float]) -> Callable:
    def record(seconds: float) -> None:
        totals[label] += seconds

    return timed(function, record)


def stage_times(pages: list[GoldPage]) -> tuple[dict[str, float], float]:
    """Seconds per stage over ``ROUNDS`` passes, and the whole of extract_article's time."""
    extract = ours_learned(learn_templates(pages, 8), with_listing=True)
    totals: dict[str, float] = defaultdict(float)
    totals["of which BeautifulSoup's UnicodeDammit"] = 0.0
    originals = {name: getattr(extract_module, name) for name in STAGES}
    dammit = encoding_module.UnicodeDammit
    try:
        for name, label in STAGES.items():
            setattr(extract_module, name, _timed(originals[name], label, totals))
        encoding_module.UnicodeDammit = _timed(dammit, "of which BeautifulSoup's UnicodeDammit", totals)
        start = time.perf_counter()
        for _ in range(ROUNDS):
            for page in pages:
                extract(page)
        whole = time.perf_counter() - start
    finally:
        for name, function in originals.items():
            setattr(extract_module, name, function)
        encoding_module.UnicodeDammit = dammit
    return dict(totals), whole


def parser_comparison(pages: list[GoldPage]) -> list[tuple[str, float, float]]:
    """(parser, ms/page to parse, ms/page to parse and read every <p>'s text once) for each tree builder."""
    from bs4 import BeautifulSoup

    def text(page: GoldPage) -> str:
        return page.html.decode("utf-8", "replace")

    builders = {
        "BeautifulSoup, html.parser": (
            lambda p: BeautifulSoup(text(p), "html.parser"),
            lambda tree: [p.get_text() for p in tree.find_all("p")],
        ),
        "BeautifulSoup, lxml": (
            lambda p: BeautifulSoup(text(p), "lxml"),
            lambda tree: [p.get_text() for p in tree.find_all("p")],
        ),
        "lxml.html (its own parser)": (
            lambda p: lxml.html.document_fromstring(text(p)),
            lambda tree: [p.text_content() for p in tree.iter("p")],
        ),
        "lxml, ours (C-level class lookup)": (
            lambda p: parse(text(p)),
            lambda tree: [p.text_content() for p in tree.iter("p")],
        ),
    }
    passes: dict[tuple[str, str], list[float]] = defaultdict(list)
    for _ in range(ROUNDS):  # builders take turns round by round: all of them see the same load
        for name, (build, walk) in builders.items():
            for kind, function in (("parse", build), ("walk", lambda p, b=build, w=walk: w(b(p)))):
                start = time.perf_counter()
                for page in pages:
                    function(page)
                passes[(name, kind)].append(time.perf_counter() - start)
    ms = {key: 1000 * statistics.median(values) / len(pages) for key, values in passes.items()}
    return [(name, ms[(name, "parse")], ms[(name, "walk")]) for name in builders]


def report(pages: list[GoldPage]) -> str:
    totals, whole = stage_times(pages)
    count = ROUNDS * len(pages)
    lines = [
        f"Where extraction's time goes: {len(pages)} gold pages × {ROUNDS}, learned template and listing date "
        f"(the crawl's way): {1000 * whole / count:.2f} ms/page",
        "",
        "| stage | ms/page | share |",
        "|---|---:|---:|",
    ]
    staged = sum(v for k, v in totals.items() if not k.startswith("of which"))
    for label, seconds in sorted(totals.items(), key=lambda kv: -kv[1]):
        lines.append(f"| {label} | {1000 * seconds / count:.3f} | {100 * seconds / whole:.1f}% |")
    lines.append(
        f"| glue in extract_article | {1000 * (whole - staged) / count:.3f} | {100 * (whole - staged) / whole:.0f}% |"
    )
    lines += ["", "Tree builders on the same pages (median of passes):", ""]
    lines += ["| tree | parse ms/page | parse + read every <p> ms/page |", "|---|---:|---:|"]
    for name, parse_ms, walk_ms in parser_comparison(pages):
        lines.append(f"| {name} | {parse_ms:.3f} | {walk_ms:.3f} |")
    return "\n".join(lines)
