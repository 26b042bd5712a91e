"""Politeness by default: robots.txt obeyed, a User-Agent that says who we are and how to reach us, and at
most CONCURRENT_REQUESTS_PER_DOMAIN requests at once per site, counted at a real server on loopback."""

from __future__ import annotations

import re
import sqlite3

from scraper.mirror.faults import REAL_URL, FaultSite, write_profile
from scraper.runner import build_settings

from .conftest import run_cli


def test_defaults_are_polite(tmp_path):
    settings = build_settings(tmp_path / "archive.db")
    assert settings.getbool("ROBOTSTXT_OBEY") and settings.getbool("AUTOTHROTTLE_ENABLED")
    assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") <= 2 and settings.getfloat("DOWNLOAD_DELAY") > 0
    assert settings.getfloat("RETRY_BACKOFF_BASE") > 0


def test_robots_user_agent_and_concurrency_seen_by_the_server(tmp_path):
    sites = tmp_path / "sites"
    write_profile(sites)
    db = tmp_path / "archive.db"
    # Every answer takes 0.2 s, so requests the crawler sends together are seen together by the server.
    with FaultSite(articles=8, per_page=8, latency=0.2) as site:
        site.robots = "User-agent: *\nDisallow: /tin/3\n"
        # No delay and no AutoThrottle here: the only brake left is CONCURRENT_REQUESTS_PER_DOMAIN (default 2).
        result = run_cli(
            "crawl", "thuloi", "--sites-dir", str(sites), "--db", str(db), "--base-url", f"thuloi={site.url}",
            "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
        )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert site.paths[0] == "/robots.txt"
    assert "/tin/3" not in site.paths and len(site.requested("/tin/")) == 7
    conn = sqlite3.connect(db)
    stored = {row[0] for row in conn.execute("SELECT url FROM articles")}
    message = conn.execute("SELECT message FROM crawl_runs").fetchone()[0]
    conn.close()
    assert f"{REAL_URL}/tin/3" not in stored and len(stored) == 7
    assert "/tin/3: Forbidden by robots.txt" in message
    agents = {hit.user_agent for hit in site.hits}
    assert len(agents) == 1 and re.fullmatch(r"hospital-news/\S+ \(\+https?://\S+;.*\)", agents.pop())
    assert site.max_in_flight == 2  # two at once (the server saw the overlap), never three
