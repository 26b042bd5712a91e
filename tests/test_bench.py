"""`make bench` runs: one mirror, one timed pass, ours and trafilatura side by side in the same table."""

import re
import subprocess
import sys

from .conftest import ROOT


def run_bench(*args: str) -> subprocess.CompletedProcess:
    """``python -m bench ARGS`` as ``make bench`` runs it."""
    command = [sys.executable, "-m", "bench", *args]
    return subprocess.run(command, capture_output=True, text=True, encoding="utf-8", cwd=ROOT, timeout=300)


def test_bench_prints_fields_and_speed_ratio_for_every_extractor():
    result = run_bench("extraction", "--sites", "nuiben", "--repeat", "1")
    assert result.returncode == 0, result.stderr
    rows = {
        m[0]: m[1:]
        for m in re.findall(r"^\| (\S+(?: crawl)?)\s+\| all\s+\|\s+39 \| ([\d.]+) \| ([\d.]+) \|", result.stdout, re.M)
    }
    assert set(rows) == {"ours", "ours+site", "ours crawl", "trafilatura"}, result.stdout
    assert rows["ours crawl"] == ("1.000", "1.000")  # title and date of every page of the windows-1258 portal
    assert re.search(r"speed ours: \d+ pages/s \([\d.]+x trafilatura\)", result.stdout)


def test_crawl_breakdown_runs_every_variant_over_the_same_pages():
    """``python -m bench crawl --breakdown``: each part of the pipeline switched off in turn, against the no-op."""
    result = run_bench("crawl", "40", "--rounds", "1", "--breakdown")
    assert result.returncode == 0, result.stderr
    rows = dict(re.findall(r"^\| ([^|]+?) \| \d+ \| ([\d.]+) \|$", result.stdout, re.M))
    assert list(rows) == [
        "no-op Scrapy",
        "full pipeline",
        "full, no WARC capture",
        "full, no archive writes",
        "full, neither (extraction and items only)",
        "no-op Scrapy, Python's default GC",
        "full, Python's default GC in the crawl's process",
    ], result.stdout
    assert rows["no-op Scrapy"] == "1.00"
