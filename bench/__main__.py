"""``python -m bench`` (``make bench``): every benchmark, each a ratio against a baseline in the same run.

    python -m bench                          # all of them, one after another (the big ones take a while)
    python -m bench extraction [--sites S] [--repeat N]   # ours vs trafilatura, same pages
    python -m bench crawl [ARTICLES] [--breakdown]  # full pipeline vs no-op Scrapy, same mirror
    python -m bench ingest [ARTICLES]        # archive writes vs sqlite-utils insert_all, same rows
    python -m bench many_sites [SITES] [ARTICLES] [DELAY]  # 50 loopback sites at once vs one
    python -m bench query [ARTICLES]         # Datasette search p50/p95, facets, streamed CSV memory
    python -m bench memory [ARTICLES]        # peak RSS of a long crawl, disk queues vs memory queues

Each module is also runnable alone (``python -m bench.crawl 1000``); sizes can be set by argument.
"""

from __future__ import annotations

import os
import platform
import runpy
import sys

BENCHMARKS = ["extraction", "crawl", "ingest", "many_sites", "query", "memory"]


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def main(argv: list[str]) -> int:
    chosen = argv[:1] if argv and argv[0] in BENCHMARKS else BENCHMARKS
    rest = argv[1:] if argv and argv[0] in BENCHMARKS else []
    print(f"Machine: {machine()}\n", flush=True)
    for name in chosen:
        sys.argv = [f"bench.{name}", *rest]
        try:
            runpy.run_module(f"bench.{name}", run_name="__main__")
        except SystemExit as exit_:
            if exit_.code:
                return int(exit_.code)
        print(flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
