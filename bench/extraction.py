"""``python -m bench extraction``: extraction quality and speed, ours against trafilatura, same pages, same run.

The gold set is every article page of the offline mirrors (``bench/gold.py``). Columns: title, date
(day) and author exact, body bag-of-words F1 and exact body, template strings left in bodies (total), NFC
bodies, pages per second. "ours" is the single-page path (no profile, no context); "ours+site" adds the template
learned from 8 article pages per site, as ``hospital-news sites add`` learns it; "ours crawl" also gets the date
the listing shows beside the article, as the spider passes it. trafilatura gets the page bytes and exact URL.
Speed is reported as a ratio to trafilatura in the same run, not as an absolute figure: the extractors take
turns pass by pass, and each one's median pass counts. ``--profile`` shows where our extraction's time goes.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from scraper.mirror import SITES

from .extractors import Extractor, learn_templates, ours_generic, ours_learned, trafilatura_extractor
from .gold import GoldPage, fetch_gold
from .score import score

COLUMNS = ("title", "date", "author", "body_f1", "body_exact", "boilerplate", "nfc")
LEARN_SAMPLE = 8


def timed_passes(extractors: dict[str, Extractor], pages: list[GoldPage], repeat: int) -> dict[str, float]:
    """Pages per second of each extractor: ``repeat`` rounds, each extractor once per round in turn (the
    machine is shared, so all of them see the same load), the median pass of each kept."""
    seconds: dict[str, list[float]] = {name: [] for name in extractors}
    for _ in range(repeat):
        for name, extract in extractors.items():
            start = time.perf_counter()
            for page in pages:
                extract(page)
            seconds[name].append(time.perf_counter() - start)
    return {name: len(pages) / statistics.median(values) for name, values in seconds.items()}


def summarise(scores: list[dict]) -> dict[str, float]:
    total = {key: sum(s[key] for s in scores) for key in COLUMNS}
    row = {key: total[key] / len(scores) for key in COLUMNS}
    row["boilerplate"] = total["boilerplate"]
    return row


def table(rows: list[tuple[str, str, dict]]) -> str:
    head = (
        f"| {'extractor':<12} | {'site':<9} | pages | title | date | author | body F1 | body exact | "
        "boilerplate left | NFC |"
    )
    lines = [head, "|" + "|".join("---" for _ in range(10)) + "|"]
    for name, site, row in rows:
        lines.append(
            f"| {name:<12} | {site:<9} | {row['pages']:>5} | {row['title']:.3f} | {row['date']:.3f} | "
            f"{row['author']:.3f} | {row['body_f1']:.4f} | {row['body_exact']:.3f} | {int(row['boilerplate']):>16} | "
            f"{row['nfc']:.2f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench extraction", description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed rounds (the median pass is kept)")
    parser.add_argument("--profile", action="store_true", help="where extraction's time goes, and BeautifulSoup's")
    parser.add_argument("--sites", nargs="+", choices=list(SITES), help="only these mirrors (default: all)")
    args = parser.parse_args(argv)
    pages, servers = fetch_gold(args.sites)
    for server in servers.values():
        server.stop()
    if args.profile:
        from .extraction_profile import report

        print(report(pages))
        return 0
    templates = learn_templates(pages, LEARN_SAMPLE)
    extractors = {
        "ours": ours_generic,
        "ours+site": ours_learned(templates),
        "ours crawl": ours_learned(templates, with_listing=True),
    }
    traf = trafilatura_extractor()
    if traf is None:
        print("trafilatura is not installed (pip install '.[bench]'): comparing ours only", file=sys.stderr)
    else:
        extractors["trafilatura"] = traf
    sites = sorted({p.site for p in pages}, key=[p.site for p in pages].index)
    rows = []
    speed = timed_passes(extractors, pages, args.repeat)
    for name, extract in extractors.items():
        scores = [score(page, extract(page)) for page in pages]
        for site in [*sites, "all"]:
            chosen = [s for s, p in zip(scores, pages, strict=True) if site in ("all", p.site)]
            rows.append((name, site, {**summarise(chosen), "pages": len(chosen)}))
    rows.sort(key=lambda r: ([*sites, "all"].index(r[1]), list(extractors).index(r[0])))
    print(f"Extraction benchmark: {len(pages)} article pages from {len(sites)} mirrors ({', '.join(sites)})\n")
    print(table(rows))
    print()
    base = speed.get("trafilatura")
    for name, value in speed.items():
        ratio = f" ({value / base:.1f}x trafilatura)" if base and name != "trafilatura" else ""
        print(f"speed {name}: {value:.0f} pages/s{ratio}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
