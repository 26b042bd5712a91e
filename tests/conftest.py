"""Shared fixtures: real mirror servers on loopback, a real crawl into a real SQLite file, a real Datasette.

The crawl runs the ``hospital-news`` command in a subprocess (Twisted's reactor starts once per process),
exactly as a user would run it.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from scraper.mirror import load_articles, serve_mirrors

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "archive"]
MIRROR_SETTINGS = [
    "-s",
    "DOWNLOAD_DELAY=0",
    "-s",
    "AUTOTHROTTLE_ENABLED=False",
    "-s",
    "CONCURRENT_REQUESTS_PER_DOMAIN=8",
]
SITES = ("baclieu", "omon")
# `warcio check` as a user runs it: the venv's script, or the module when the script is not installed.
WARCIO_SCRIPT = Path(sys.executable).with_name("warcio")
WARCIO = [str(WARCIO_SCRIPT)] if WARCIO_SCRIPT.exists() else [sys.executable, "-m", "warcio.cli"]


def run_cli(*args: str, timeout: float = 300, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run ``hospital-news ARGS`` as a user would; text in and out as UTF-8."""
    return subprocess.run(
        [*CLI, *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        cwd=ROOT,
        env={**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})},
    )


def rows(db: Path, sql: str, params: tuple | list = ()) -> list[dict]:
    """Read an archive back the way another tool would: a plain sqlite3 connection, rows as dicts."""
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


def archived_count(db: Path) -> int:
    """Articles committed so far by a running crawl; 0 before its archive exists or while it is being made."""
    if not db.exists():
        return 0  # connecting would create the file under the crawl
    try:
        return rows(db, "SELECT count(*) AS n FROM articles")[0]["n"]
    except sqlite3.Error:
        return 0


def wait_for_articles(process: subprocess.Popen, db: Path, articles: int, timeout: float = 120.0) -> None:
    """Wait until the crawl ``process`` has committed ``articles`` articles, has ended, or ``timeout`` passed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None and archived_count(db) < articles:
        time.sleep(0.05)


# A crawl slow enough to be stopped mid-way: one page every 0.1 s.
SLOW_CRAWL = ["-s", "DOWNLOAD_DELAY=0.1", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1"]


def start_slow_crawl(mirrors: dict, db: Path, batch_size: int, stderr=subprocess.DEVNULL) -> subprocess.Popen:
    """``hospital-news crawl omon`` of the omon mirror, slowly, in the background, committing every
    ``batch_size`` articles: for the tests that kill a crawl or its helpers while it runs."""
    return subprocess.Popen(
        [*CLI, "crawl", "omon", "--db", str(db), "--base-url", f"omon={mirrors['omon'].url}", *SLOW_CRAWL,
         "-s", f"HOSPITAL_NEWS_BATCH_SIZE={batch_size}"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=stderr, text=True, encoding="utf-8",
    )  # fmt: skip


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_http(url: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout}s")


def crawl_mirrors(db: Path, servers: dict, *extra: str) -> subprocess.CompletedProcess:
    base_urls = [arg for name, server in servers.items() for arg in ("--base-url", f"{name}={server.url}")]
    return run_cli("crawl", *servers, "--db", str(db), *base_urls, *MIRROR_SETTINGS, *extra)


@pytest.fixture(scope="session")
def mirrors():
    servers = serve_mirrors(list(SITES))
    yield servers
    for server in servers.values():
        server.stop()


@pytest.fixture(scope="session")
def gold() -> dict[str, list[dict]]:
    """The mirrors' source articles: what extraction must give back."""
    return {site: load_articles(site) for site in SITES}


@pytest.fixture(scope="session")
def crawled_db(mirrors, tmp_path_factory) -> Path:
    """An archive made by one real crawl of both mirrors (shared, treat as read-only)."""
    db = tmp_path_factory.mktemp("crawl") / "archive.db"
    result = crawl_mirrors(db, mirrors)
    assert result.returncode == 0, result.stderr
    return db


@contextmanager
def serving(db: Path, *extra: str):
    """A real ``hospital-news serve`` process over ``db`` (extra CLI options appended); yields its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [*CLI, "serve", "--db", str(db), "--port", str(port), *extra],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(url + "/-/versions.json")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def datasette_url(crawled_db):
    """A real ``hospital-news serve`` process over the crawled archive."""
    with serving(crawled_db) as url:
        yield url


@pytest.fixture
def webhook():
    """A real HTTP server on loopback that records the JSON bodies POSTed to it; yields (url, received)."""
    received: list[dict] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's naming
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/hook", received
    server.shutdown()
