"""Crawl throughput: the full pipeline (fetch, extract, WARC, archive) against Scrapy fetching the same pages
with a no-op callback (no pipeline, no WARC capture), in the same run, over one large mirror on loopback.
Both run with the project's Scrapy settings, the garbage collector's tuning (scraper/gc_tuning.py) included.

Each crawl runs in its own process (Twisted's reactor starts once per process); pages per second come from
Scrapy's own stats (start_time → finish_time), so process start-up is not counted. The machine is shared, so
the two crawls alternate (no-op, full, no-op, full ...) and the median of each is reported.

    python -m bench crawl 5000                # 2 rounds, medians and ratio
    python -m bench crawl 5000 --rounds 3
    python -m bench crawl 5000 --profile      # one full crawl under cProfile: where the time goes, by area
    python -m bench crawl 3000 --breakdown    # the full crawl without WARC, without archive writes, without both
"""

from __future__ import annotations

import argparse
import json
import pstats
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from scraper.mirror import MirrorServer, load_articles
from scraper.mirror.sites import article_path

from .profiling import area_table, compare_table, time_by_area

SITE = "omon"
SETTINGS = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS": 32,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 32,
    "ROBOTSTXT_OBEY": False,
    "LOG_LEVEL": "WARNING",
}


def scaled_articles(count: int) -> list[dict]:
    """``count`` distinct articles (new ids) cycling through the mirror's real ones."""
    sources = load_articles(SITE)
    articles = []
    for number in range(count):
        article = {**sources[number % len(sources)], "id": 1000 + number}
        article["path"] = article_path(SITE, article)
        articles.append(article)
    return articles


# What each part of the full pipeline costs the crawl: the same crawl with that part switched off.
BREAKDOWN = {
    "no-op Scrapy": ("noop", {}),
    "full pipeline": ("full", {}),
    "full, no WARC capture": ("full", {"HOSPITAL_NEWS_WARC_ENABLED": False}),
    "full, no archive writes": ("full", {"HOSPITAL_NEWS_ARCHIVE_WRITE": False}),
    "full, neither (extraction and items only)": ("full", {"HOSPITAL_NEWS_WARC_ENABLED": False,
                                                          "HOSPITAL_NEWS_ARCHIVE_WRITE": False}),
    # Both crawls above run with the collector tuned (scraper/gc_tuning.py); these two show what that gives.
    "no-op Scrapy, Python's default GC": ("noop", {"HOSPITAL_NEWS_GC_GEN0_THRESHOLD": 0}),
    "full, Python's default GC in the crawl's process": ("full", {"HOSPITAL_NEWS_GC_GEN0_THRESHOLD": 0}),
}  # fmt: skip


def crawl_once(mode: str, base_url: str, db: Path, settings: dict | None = None) -> dict:
    """Run one crawl (see ``bench/crawl_worker.py`` for the modes) in a subprocess; return its figures."""
    overrides = json.dumps({**SETTINGS, **(settings or {})})
    command = [sys.executable, "-m", "bench.crawl_worker", mode, base_url, str(db), overrides]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def alternate(count: int, rounds: int, variants: dict[str, tuple[str, dict]]) -> dict[str, list[dict]]:
    """The figures of each variant (name: crawl mode and settings), crawled in turn ``rounds`` times over one
    mirror of ``count`` articles: the variants of a round see the machine in the same state."""
    results: dict[str, list[dict]] = {name: [] for name in variants}
    with MirrorServer(SITE, articles=scaled_articles(count)) as server, tempfile.TemporaryDirectory() as folder:
        for number in range(rounds):
            for index, (name, (mode, settings)) in enumerate(variants.items()):
                results[name].append(crawl_once(mode, server.url, Path(folder) / f"{index}-{number}.db", settings))
    return results


def pages_per_second(results: list[dict]) -> list[float]:
    return [result["pages"] / result["seconds"] for result in results]


def run(count: int = 5000, rounds: int = 2) -> dict:
    """Alternate no-op and full crawls ``rounds`` times each; medians of pages per second."""
    results = alternate(count, rounds, {"noop": ("noop", {}), "full": ("full", {})})
    rates = {mode: pages_per_second(values) for mode, values in results.items()}
    items = results["full"][-1]["items"]
    noop_rate, full_rate = statistics.median(rates["noop"]), statistics.median(rates["full"])
    # Each round's full crawl against the no-op just before it: the machine's speed drifts less within a pair.
    paired = [full / noop for noop, full in zip(rates["noop"], rates["full"], strict=True)]
    return {"articles": count, "noop_pages_per_s": noop_rate, "full_pages_per_s": full_rate, "items": items,
            "ratio": full_rate / noop_rate, "round_ratios": paired, "runs": rates}  # fmt: skip


def breakdown(count: int, rounds: int) -> str:
    """Each variant of ``BREAKDOWN`` in turn, ``rounds`` times; medians, as ratios to the no-op's."""
    rates = {name: pages_per_second(values) for name, values in alternate(count, rounds, BREAKDOWN).items()}
    ceiling = statistics.median(rates["no-op Scrapy"])
    lines = [f"{count} articles, {rounds} rounds, medians:", "", "| crawl | pages/s | ÷ no-op |", "|---|---:|---:|"]
    for name, values in rates.items():
        lines.append(f"| {name} | {statistics.median(values):.0f} | {statistics.median(values) / ceiling:.2f} |")
    return "\n".join(lines)


def profile(count: int, out: Path) -> str:
    """Where the time of a full crawl goes: wall-clock stage timers (one crawl), then cProfile by area of the
    code for a no-op and a full crawl side by side (``out``: the full crawl's stats, ``out.noop``: the no-op's)."""
    noop_out = out.with_name(out.name + ".noop")
    with MirrorServer(SITE, articles=scaled_articles(count)) as server, tempfile.TemporaryDirectory() as folder:
        timed = crawl_once("full-timed", server.url, Path(folder) / "timed.db")
        noop = crawl_once(f"noop-cprofile:{noop_out}", server.url, Path(folder) / "noop.db")
        full = crawl_once(f"full-cprofile:{out}", server.url, Path(folder) / "profiled.db")
    rate = timed["pages"] / timed["seconds"]
    stages: dict[str, float] = {}
    for thread, stage, seconds in timed["stages"]:
        stages[stage if thread == "reactor thread" else f"{stage} [{thread}, overlapped]"] = seconds
    on_reactor = sum(v for k, v in stages.items() if "overlapped" not in k and "of which" not in k)
    stages["Scrapy + Twisted: engine, HTTP, spider, item flow (the rest)"] = timed["seconds"] - on_reactor
    # Extraction, WARC records and archive writes run in helper processes: their CPU overlaps the reactor's.
    stages["[helper processes: extraction + WARC, archive writer — CPU, overlapped]"] = timed["children_cpu"]
    areas = {"no-op": time_by_area(pstats.Stats(str(noop_out))), "full": time_by_area(pstats.Stats(str(out)))}
    return "\n".join([
        f"Full crawl of {count} articles, {timed['pages']} pages in {timed['seconds']:.1f} s ({rate:.0f} pages/s, "
        f"{timed['cpu']:.1f} s CPU), wall-clock stage timers:", "",
        area_table(stages, timed["seconds"], "stage (reactor thread unless marked)"), "",
        f"Under cProfile (slower than real), own time by area of the code, C and stdlib calls charged to their "
        f"caller; per page fetched ({noop['pages']} no-op, {full['pages']} full). Stats: {noop_out}, {out}", "",
        compare_table(areas, {"no-op": noop["pages"], "full": full["pages"]}),
    ])  # fmt: skip


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench crawl", description=__doc__.split("\n\n")[0])
    parser.add_argument("articles", nargs="?", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=2, help="no-op/full pairs; the median of each is kept")
    instead = parser.add_mutually_exclusive_group()
    instead.add_argument("--profile", action="store_true", help="profile one full crawl instead (crawl.prof)")
    instead.add_argument("--breakdown", action="store_true", help="also crawl without WARC, archive writes, both")
    args = parser.parse_args(argv)
    if args.breakdown:
        print(breakdown(args.articles, args.rounds))
        return 0
    if args.profile:
        print(profile(args.articles, Path("crawl.prof").resolve()))
        return 0
    r = run(args.articles, args.rounds)
    runs = "; ".join(f"{mode} " + ", ".join(f"{v:.0f}" for v in values) for mode, values in r["runs"].items())
    print(
        f"crawl: {r['articles']} articles ({r['items']} archived); full pipeline {r['full_pages_per_s']:.0f} pages/s, "
        f"no-op Scrapy {r['noop_pages_per_s']:.0f} pages/s (medians of {runs}); ratio {r['ratio']:.2f} "
        f"(target ≥ 0.80); round by round {', '.join(f'{v:.2f}' for v in r['round_ratios'])}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
