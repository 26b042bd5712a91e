"""One many-sites benchmark crawl in this process: ``python -m bench.sites_worker SPEC_JSON``.

SPEC_JSON is ``{"db": PATH, "settings": {...}, "mirrors": {"NAME": "http://127.0.0.N:PORT", ...}}`` and
optionally ``"max_pages": N`` (listing depth). Each
mirror is crawled as its own site: a copy of the omon profile under NAME, with a real-site base URL of its own
so articles of different sites never share a URL. All sites run in one Scrapy process, as
``hospital-news crawl`` runs them. Prints ``{"seconds", "pages", "new", "sites"}`` as one JSON line.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import time

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


def main(spec_json: str) -> None:
    spec = json.loads(spec_json)
    settings = build_settings(spec["db"], {k: str(v) for k, v in spec["settings"].items()}, progress=False)
    profiles = [site_profile(name, spec.get("max_pages")) for name in spec["mirrors"]]
    start = time.perf_counter()
    results = run_crawls(profiles, settings, spec["mirrors"])
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "pages": sum(r.pages for r in results),
                      "new": sum(r.new for r in results), "sites": len(results),
                      "failed": [r.site for r in results if r.status not in ("ok", "partial")]}))  # fmt: skip


if __name__ == "__main__":
    main(sys.argv[1])
