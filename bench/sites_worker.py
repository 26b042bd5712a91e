"""One many-sites benchmark crawl in this process: ``python -m bench.sites_worker SPEC_JSON``.

SPEC_JSON is ``{"db": PATH, "settings": {...}, "mirrors": {"NAME": "http://127.0.0.N:PORT", ...}}`` and
optionally ``"max_pages": N`` (listing depth) and ``"trace": PATH`` (tracemalloc: what grew between the first
heap snapshot and the latest, written to PATH every ``"trace_every"`` seconds, default 30). Each
mirror is crawled as its own site: a copy of the omon profile under NAME, with a real-site base URL of its own
so articles of different sites never share a URL. All sites run in one Scrapy process, as
``hospital-news crawl`` runs them. Prints ``{"seconds", "pages", "new", "sites"}`` as one JSON line.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import threading
import time
import tracemalloc
from pathlib import Path

from scraper.profiles import Profile, load_profile
from scraper.runner import build_settings, run_crawls


def site_profile(name: str, max_pages: int | None = None) -> Profile:
    """The omon profile as a distinct site ``name`` (its own hospital name and real-site address); with
    ``max_pages`` its listings are walked that deep (a large mirror has thousands of listing pages)."""
    omon = load_profile("omon")
    listing = dataclasses.replace(omon.listing, max_pages=max_pages) if max_pages else omon.listing
    return dataclasses.replace(
        omon, name=name, hospital=f"{omon.hospital} ({name})", base_url=f"https://{name}.example.vn", listing=listing
    )


def trace_growth(path: Path, every: float, stop: threading.Event) -> None:
    """Snapshot the heap every ``every`` s and write the 15 allocation sites that grew most since the first
    snapshot: what grows with the crawl (the file is rewritten each time, so it holds the latest figures)."""
    tracemalloc.start(1)
    first = None
    ignore = [
        tracemalloc.Filter(False, tracemalloc.__file__),
        tracemalloc.Filter(False, "<frozen importlib.*"),  # modules imported lazily: not the crawl
    ]
    while not stop.wait(every):
        snapshot = tracemalloc.take_snapshot().filter_traces(ignore)
        if first is None:
            first = snapshot
            continue
        total = sum(stat.size for stat in snapshot.statistics("filename")) / 2**20
        grown = snapshot.compare_to(first, "lineno")[:15]
        path.write_text(f"traced {total:.1f} MiB\n" + "\n".join(str(stat) for stat in grown) + "\n")


def main(spec_json: str) -> None:
    spec = json.loads(spec_json)
    stop = threading.Event()
    if spec.get("trace"):
        args = (Path(spec["trace"]), float(spec.get("trace_every", 30)), stop)
        threading.Thread(target=trace_growth, args=args, daemon=True).start()
    settings = build_settings(spec["db"], {k: str(v) for k, v in spec["settings"].items()}, progress=False)
    profiles = [site_profile(name, spec.get("max_pages")) for name in spec["mirrors"]]
    start = time.perf_counter()
    results = run_crawls(profiles, settings, spec["mirrors"])
    seconds = time.perf_counter() - start
    stop.set()
    print(json.dumps({"seconds": seconds, "pages": sum(r.pages for r in results),
                      "new": sum(r.new for r in results), "sites": len(results),
                      "failed": [r.site for r in results if r.status not in ("ok", "partial")]}))  # fmt: skip


if __name__ == "__main__":
    main(sys.argv[1])
