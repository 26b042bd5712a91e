"""Query at scale: a generated archive of N articles served by a real ``hospital-news serve`` (Datasette).

Measures, through Datasette's JSON API, the search's p50/p95 (target p95 < 100 ms): the canned query ``search``
(the best hits, ranked; what researchers search with) and, for comparison, the table's search box, which
counts and facets every match; then a facet page, then
the peak RSS of a streamed CSV export of every row, both ``hospital-news export`` and Datasette's
``.csv?_stream=on`` (target < 200 MB each).

The archive is made by :func:`generate_archive`: the schema (migrations, FTS table and its folded columns)
is the archive's own, the rows are written with plain ``executemany`` in large transactions, not one
``save_articles`` call per batch, so that a million rows take minutes, not hours. Texts are real mirror
paragraphs, two per article in varying pairs, so words are as frequent as in the real archive and an FTS
query has realistic selectivity; each title also carries a unique number, for one-hit searches.

    python -m bench.query [N]         # N articles (default 1,000,000; env BENCH_QUERY_ARTICLES also works)
    BENCH_QUERY_DB=/tmp/q.db python -m bench.query N    # keep the generated archive there, reuse it next time

A search Datasette stops at its SQL time limit (an HTTP 400) counts as infinitely slow.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from archive.search import TOP_HITS, index_form
from archive.store import Archive
from scraper.facts import event_type
from scraper.mirror import load_articles
from scraper.profiles import load_profile

ROOT = Path(__file__).resolve().parent.parent
SITES = ["baclieu", "omon"]
CHUNK = 20_000
# Searches as researchers type them: common phrases with and without marks, a rarer one, a one-hit number.
SEARCHES = ["đảng ủy", "dang uy", "chi bộ", "kết nạp đảng viên", "nghị quyết", "hien mau", "số 777777"]
REPEATS = 10
TABLE_REPEATS = 3  # the table search takes seconds a time on a million articles


def _sources() -> list[dict]:
    return [{**a, "site": site} for site in SITES for a in load_articles(site)]


def generate_archive(path: Path, count: int, seed: int = 7) -> None:
    """Write ``count`` articles to a new archive at ``path`` through the archive's own schema."""
    with Archive(path) as archive:
        for site in SITES:
            archive.register_site(load_profile(site))
    sources = _sources()
    paragraphs = [p for a in sources for p in a["paragraphs"] if p.strip()]
    folded = [index_form(p) for p in paragraphs]  # what the archive indexes (Archive._index)
    kinds = [event_type(a["title"], "\n\n".join(a["paragraphs"]), a["category"] == "party") for a in sources]
    rng = random.Random(seed)
    db = Archive(path).db
    db.execute("PRAGMA synchronous = OFF")
    for start in range(0, count, CHUNK):
        articles, fts = [], []
        for number in range(start, min(count, start + CHUNK)):
            index = number % len(sources)
            source = sources[index]
            first, second = rng.randrange(len(paragraphs)), rng.randrange(len(paragraphs))
            body, body_folded = f"{paragraphs[first]}\n\n{paragraphs[second]}", f"{folded[first]}\n\n{folded[second]}"
            title = f"{source['title']} (số {number})"
            year = 2010 + number % 15
            published = f"{year}-{1 + number % 12:02d}-{1 + number % 28:02d}"
            party = int(source["category"] == "party")
            category = "Hoạt động công tác Đảng" if party else "Tin hoạt động"
            articles.append((number + 1, f"{source['url']}&n={number}", source["site"], category, party, title,
                             published, source["author"], body, "[]", len(body.split()), str(number),
                             kinds[index], year))  # fmt: skip
            fts.append((number + 1, index_form(title), body_folded))
        with db.conn:
            db.conn.executemany(
                "INSERT INTO articles (id, url, site, category, party, title, published, author, body, images,"
                " word_count, content_hash, event_type, year) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                articles,
            )
            db.conn.executemany("INSERT INTO articles_fts (rowid, title_folded, body_folded) VALUES (?,?,?)", fts)
    db.execute("PRAGMA optimize")
    db.conn.close()


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=120) as response:
        return response.read()


def _timed(url: str) -> float:
    """Seconds to answer ``url``; infinity when Datasette gives up (its SQL time limit answers 400)."""
    start = time.perf_counter()
    try:
        _get(url)
    except urllib.error.HTTPError as error:
        if error.code != 400:
            raise
        return math.inf
    return time.perf_counter() - start


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def _peak_rss_mb(pid: int) -> float:
    """Peak resident memory so far (VmHWM) of a running process."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for {pid}")


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(db: Path) -> tuple[subprocess.Popen, str, int]:
    """A real ``hospital-news serve`` on a free port; returns it, its URL and the Datasette child's pid."""
    port = _free_port()
    command = [sys.executable, "-m", "archive", "serve", "--db", str(db), "--port", str(port)]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            _get(url + "/-/versions.json")
            return process, url, _children(process.pid)[0]
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("Datasette did not start")


def _stop(process: subprocess.Popen, datasette_pid: int) -> None:
    """Stop ``hospital-news serve`` and the Datasette it started."""
    process.send_signal(signal.SIGINT)  # serve stops its Datasette on Ctrl-C
    try:
        process.wait(timeout=30)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(datasette_pid, signal.SIGTERM)


def _export_peak_rss_mb(db: Path, output: Path) -> float:
    """Peak RSS of ``hospital-news export`` writing every article as CSV (rusage of that one child)."""
    command = [sys.executable, "-m", "archive", "export", "--db", str(db), "--format", "csv", "-o", str(output)]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise RuntimeError("export failed")
    return usage.ru_maxrss / 1024


def _facets_missing(page: dict, asked: list[str]) -> list[str]:
    """Facets asked for or configured that the page lacks: Datasette drops a facet that passes
    facet_time_limit_ms (200 ms) from the JSON without a word (only the HTML page says so)."""
    configured = json.loads((ROOT / "datasette_metadata.json").read_text(encoding="utf-8"))
    tables = next(iter(configured["databases"].values()))["tables"]
    wanted = dict.fromkeys([*tables["articles"].get("facets", []), *asked])
    got = {result["name"] for result in page.get("facet_results", {}).values()}
    return [name for name in wanted if name not in got]


def measure(db: Path, folder: Path) -> dict:
    process, url, datasette_pid = _serve(db)
    try:
        table = f"{url}/{db.stem}/articles"
        _timed(f"{table}.json?_size=1")  # warm the page cache once, as a running server has
        ranked_url = f"{url}/{db.stem}/search.json?"
        _timed(ranked_url + "q=warm")
        ranked, times, lean = [], [], []
        for _ in range(REPEATS):
            for query in SEARCHES:
                # the search: Datasette's canned query "search", its best hits ranked (archive/search.py)
                ranked.append(_timed(ranked_url + urllib.parse.urlencode({"q": query, "_shape": "objects"})))
        for _ in range(TABLE_REPEATS):
            for query in SEARCHES:
                search = f"{table}.json?" + urllib.parse.urlencode({"_search": query, "_shape": "objects"})
                times.append(_timed(search))  # the table's box: exact count and facets over every match
                lean.append(_timed(search + "&_nofacet=1&_nocount=1"))  # an API client that wants only rows
        facet_url = f"{table}.json?_facet=site&_facet=year&_facet=event_type&_size=0"
        facet = [_timed(facet_url) for _ in range(3)]
        facets_timed_out = _facets_missing(json.loads(_get(facet_url)), ["site", "year", "event_type"])
        before = _peak_rss_mb(datasette_pid)
        stream_start = time.perf_counter()
        with urllib.request.urlopen(f"{table}.csv?_stream=on&_size=max", timeout=3600) as response:
            streamed = sum(len(chunk) for chunk in iter(lambda: response.read(1 << 20), b""))
        stream_seconds = time.perf_counter() - stream_start
        datasette_rss = _peak_rss_mb(datasette_pid)
    finally:
        _stop(process, datasette_pid)
    export_start = time.perf_counter()
    export_rss = _export_peak_rss_mb(db, folder / "all.csv")
    return {
        "search_p50_ms": 1000 * statistics.median(ranked),
        "search_p95_ms": 1000 * _percentile(ranked, 0.95),
        "search_p50_ms_by_query": {
            q: 1000 * statistics.median(ranked[i :: len(SEARCHES)]) for i, q in enumerate(SEARCHES)
        },
        "searches": len(ranked),
        "searches_timed_out": sum(math.isinf(t) for t in ranked),
        "table_search_p50_ms": 1000 * statistics.median(times),
        "table_search_p95_ms": 1000 * _percentile(times, 0.95),
        "table_search_rows_only_p50_ms": 1000 * statistics.median(lean),
        "table_search_rows_only_p95_ms": 1000 * _percentile(lean, 0.95),
        "table_searches_timed_out": sum(math.isinf(t) for t in times + lean),
        "table_search_p50_ms_by_query": {
            q: 1000 * statistics.median(times[i :: len(SEARCHES)]) for i, q in enumerate(SEARCHES)
        },
        "facet_page_ms": 1000 * statistics.median(facet),
        "facets_timed_out": facets_timed_out,
        "datasette_rss_before_mb": before,
        "datasette_stream_peak_rss_mb": datasette_rss,
        "stream_mb": streamed / 1e6,
        "stream_seconds": stream_seconds,
        "export_peak_rss_mb": export_rss,
        "export_seconds": time.perf_counter() - export_start,
        "export_mb": (folder / "all.csv").stat().st_size / 1e6,
    }


def run(count: int | None = None, keep: Path | None = None) -> dict:
    """Generate (or, with ``keep`` already there, reuse) the archive, then measure it."""
    count = count or int(os.environ.get("BENCH_QUERY_ARTICLES", "1000000"))
    with tempfile.TemporaryDirectory() as folder:
        db = keep or Path(folder) / "archive.db"
        start = time.perf_counter()
        if not db.exists():
            generate_archive(db, count)
        generated = time.perf_counter() - start
        size = db.stat().st_size / 1e6
        return {"articles": count, "generate_seconds": generated, "db_mb": size, **measure(db, Path(folder))}


if __name__ == "__main__":
    keep = os.environ.get("BENCH_QUERY_DB")  # keep the generated archive there (and reuse it next time)
    r = run(int(sys.argv[1]) if len(sys.argv) > 1 else None, Path(keep) if keep else None)
    print(json.dumps(r, indent=1), file=sys.stderr)
    print(
        f"query: {r['articles']:,} articles ({r['db_mb']:.0f} MB); Datasette search (canned query 'search', best "
        f"{TOP_HITS} ranked) p50 {r['search_p50_ms']:.0f} ms, p95 {r['search_p95_ms']:.0f} ms (target < 100), "
        f"{r['searches_timed_out']}/{r['searches']} timed out; table search box with exact count and facets "
        f"p50 {r['table_search_p50_ms']:.0f} ms, p95 {r['table_search_p95_ms']:.0f} ms, rows only p50 "
        f"{r['table_search_rows_only_p50_ms']:.0f} ms, p95 {r['table_search_rows_only_p95_ms']:.0f} ms; facet page "
        f"{r['facet_page_ms']:.0f} ms (timed out: {', '.join(r['facets_timed_out']) or 'none'}); "
        f"streamed CSV peak RSS: export {r['export_peak_rss_mb']:.0f} MB, "
        f"Datasette {r['datasette_stream_peak_rss_mb']:.0f} MB (target < 200)"
    )
