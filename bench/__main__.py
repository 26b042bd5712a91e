"""``python -m bench`` (``make bench``): every benchmark, each a ratio against a baseline run in the same run.

python -m bench                        # all of them, one after another
python -m bench extraction [--sites S] [--repeat N]   # ours vs trafilatura, same pages
python -m bench crawl [ARTICLES]       # full pipeline vs no-op Scrapy, same mirror
python -m bench ingest [ARTICLES]      # archive writes vs sqlite-utils insert_all, same rows
"""

from __future__ import annotations

import importlib
import platform
import sys

BENCHMARKS = ["extraction", "crawl", "ingest"]


def machine() -> str:
    import os

    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def main(argv: list[str]) -> int:
    names = [argv[0]] if argv and argv[0] in BENCHMARKS else BENCHMARKS
    rest = argv[1:] if argv and argv[0] in BENCHMARKS else argv
    print(f"Machine: {machine()}\n")
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        status = module.main(rest if len(names) == 1 else [])
        if status:
            return status
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
