"""The archive survives what happens to a crawl: pages taken down (flagged, never deleted) and a crawl
process killed with SIGKILL (a sound database, readable WARC files, and a next crawl that completes)."""

import signal
import sqlite3
import subprocess

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.reextract import read_capture
from archive.store import default_warc_dir
from scraper.mirror import MirrorServer

from .conftest import WARCIO, crawl_mirrors, rows, start_slow_crawl, wait_for_articles


@pytest.fixture
def omon_mirror():
    """A mirror of its own: the test takes pages down from it."""
    with MirrorServer("omon") as server:
        yield server


def test_a_page_taken_down_is_flagged_gone_never_deleted(omon_mirror, tmp_path):
    db = tmp_path / "archive.db"
    assert crawl_mirrors(db, {"omon": omon_mirror}).returncode == 0
    before = {r["url"]: r for r in rows(db, "SELECT * FROM articles")}
    taken_down = sorted(before)[0]
    omon_mirror.gone.add(taken_down.removeprefix("https://bvdkomon.cantho.gov.vn"))

    result = crawl_mirrors(db, {"omon": omon_mirror})

    assert result.returncode == 0, result.stderr
    assert "omon: partial" in result.stdout and "1 errors" in result.stdout
    after = {r["url"]: r for r in rows(db, "SELECT * FROM articles")}
    assert after.keys() == before.keys()  # nothing deleted
    assert after[taken_down]["gone_since"] is not None
    assert after[taken_down]["body"] == before[taken_down]["body"]
    assert [u for u, r in after.items() if r["gone_since"]] == [taken_down]
    run = rows(db, "SELECT status, errors, message FROM crawl_runs ORDER BY id DESC LIMIT 1")[0]
    assert run["status"] == "partial" and "HTTP 404" in run["message"]


def test_an_article_gone_from_every_listing_is_flagged_after_a_full_pass(omon_mirror, tmp_path):
    db = tmp_path / "archive.db"
    assert crawl_mirrors(db, {"omon": omon_mirror}).returncode == 0
    renderer = omon_mirror.renderer
    unlisted = renderer.by_category["party"].pop()  # still served at its URL, linked from no listing any more

    result = crawl_mirrors(db, {"omon": omon_mirror})

    assert result.returncode == 0 and "omon: ok" in result.stdout, result.stderr
    flagged = rows(db, "SELECT url, body FROM articles WHERE gone_since IS NOT NULL")
    assert [r["url"] for r in flagged] == [unlisted["url"]] and flagged[0]["body"]
    assert rows(db, "SELECT count(*) AS n FROM articles")[0]["n"] == len(omon_mirror.articles)


def test_kill_9_mid_crawl_then_the_next_crawl_completes(mirrors, gold, tmp_path):
    db = tmp_path / "archive.db"
    process = start_slow_crawl(mirrors, db, batch_size=3)
    wait_for_articles(process, db, 6)
    assert process.poll() is None, "the crawl ended before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL

    # The database is sound and holds what was committed; the WARC files hold whole records only.
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    killed = rows(db, "SELECT url, warc_file, warc_offset FROM articles")
    assert 6 <= len(killed) < len(gold["omon"])
    warc_dir = default_warc_dir(db)
    files = sorted(warc_dir.glob("*.warc.gz"))
    check = subprocess.run([*WARCIO, "check", *map(str, files)], capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stdout + check.stderr
    for path in files:
        with path.open("rb") as stream:
            assert sum(1 for _ in ArchiveIterator(stream)) > 1
    for article in killed:
        assert read_capture(warc_dir, article["warc_file"], article["warc_offset"]).status == 200

    result = crawl_mirrors(db, {"omon": mirrors["omon"]})

    assert result.returncode == 0, result.stderr
    archived = [r["url"] for r in rows(db, "SELECT url FROM articles")]
    assert sorted(archived) == sorted(a["url"] for a in gold["omon"])  # every article, exactly once
    runs = [r["status"] for r in rows(db, "SELECT status FROM crawl_runs ORDER BY id")]
    assert runs == ["interrupted", "ok"]  # the killed run is closed by the next one
    assert rows(db, "SELECT count(*) AS n FROM article_versions")[0]["n"] == 0
