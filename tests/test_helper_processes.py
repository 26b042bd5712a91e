"""A crawl's helper processes (page helper, archive writer). Killed with the crawl, none outlives it and the next
crawl completes; killed alone, or unable to start, they are replaced or their work is done in the crawl's
process, and no article or raw page is lost."""

import contextlib
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from archive.reextract import read_capture
from archive.store import ArchiveError, default_warc_dir
from scraper.archive_writer import MAX_RESTARTS, ArchiveWriter
from scraper.pipelines import site_fields
from scraper.profiles import load_profile

from .conftest import MIRROR_SETTINGS, WARCIO, crawl_mirrors, rows, run_cli, start_slow_crawl, wait_for_articles


def children(pid: int) -> set[int]:
    """Linux: the direct children of a process."""
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return set()
    return {int(child) for child in text.split()}


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_helpers_die_with_a_killed_crawl_and_the_next_crawl_completes(mirrors, gold, tmp_path):
    db = tmp_path / "archive.db"
    process = start_slow_crawl(mirrors, db, batch_size=2)
    wait_for_articles(process, db, 4)
    helpers = children(process.pid)
    assert process.poll() is None, "the crawl ended before it could be killed"
    assert len(helpers) >= 2, "extraction and the archive writer run in helper processes"
    [start] = rows(db, "SELECT run, outcome FROM run_writes WHERE write = 0")  # the pipeline's start has a token
    assert len(json.loads(start["outcome"])) == 32

    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(alive(pid) for pid in helpers):
        time.sleep(0.1)
    assert not any(alive(pid) for pid in helpers), "a helper outlived the killed crawl"

    result = crawl_mirrors(db, {"omon": mirrors["omon"]})
    assert result.returncode == 0, result.stderr
    urls = [r["url"] for r in rows(db, "SELECT url FROM articles")]
    assert sorted(urls) == sorted(a["url"] for a in gold["omon"])


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def assert_every_article_with_its_raw_page(db: Path, gold_articles: list[dict]) -> None:
    """Every gold article is archived, and its WARC location reads back as the page fetched (a 200)."""
    articles = rows(db, "SELECT url, warc_file, warc_offset FROM articles")
    assert sorted(a["url"] for a in articles) == sorted(a["url"] for a in gold_articles)
    assert all(a["warc_file"] and a["warc_offset"] is not None for a in articles)
    folder = default_warc_dir(db)
    for article in articles:
        assert read_capture(folder, article["warc_file"], article["warc_offset"]).status == 200


def crawl_killing_helper(mirrors: dict, db: Path, command: str) -> None:
    """Crawl the omon mirror and SIGKILL, once a few articles are in, its one helper whose command line holds
    ``command``; the crawl must still end well."""
    process = start_slow_crawl(mirrors, db, batch_size=2, stderr=subprocess.PIPE)
    wait_for_articles(process, db, 4)
    assert process.poll() is None, "the crawl ended before its helper could be killed"
    helpers = [pid for pid in children(process.pid) if command in command_line(pid)]
    assert len(helpers) == 1, f"one helper process runs {command}"
    os.kill(helpers[0], signal.SIGKILL)
    _, stderr = process.communicate(timeout=300)
    assert process.returncode == 0, stderr


def test_a_killed_page_helper_loses_no_article_and_no_raw_page(mirrors, gold, tmp_path):
    """The helper that extracts articles and writes WARC records dies mid-crawl (OOM killer, kill -9): the crawl
    goes on in its own process, archives every article, and every one still points at its raw page."""
    db = tmp_path / "archive.db"
    crawl_killing_helper(mirrors, db, "scraper.helper_channel")
    assert_every_article_with_its_raw_page(db, gold["omon"])
    folder = default_warc_dir(db)
    check = subprocess.run([*WARCIO, "check", *map(str, sorted(folder.glob("*.warc.gz")))], capture_output=True)
    assert check.returncode == 0, check.stdout


def test_a_killed_archive_writer_is_replaced_and_no_article_is_lost(mirrors, gold, tmp_path):
    """The process that writes the archive dies mid-crawl (the OOM killer, a stray ``kill``): the crawl starts a
    new one, sends again the batches it had not confirmed, and ends as a healthy run with every article, each
    counted once as new (a batch committed just before the kill is sent again, and not counted again)."""
    db = tmp_path / "archive.db"
    crawl_killing_helper(mirrors, db, "multiprocessing.spawn")  # the archive writer's one-process pool
    urls = [r["url"] for r in rows(db, "SELECT url FROM articles")]
    assert sorted(urls) == sorted(a["url"] for a in gold["omon"])
    [run] = rows(db, "SELECT status, new, updated, unchanged FROM crawl_runs")
    assert run == {"status": "ok", "new": len(urls), "updated": 0, "unchanged": 0}
    log = (tmp_path / "archive-crawl.log").read_text(encoding="utf-8")
    assert log.count("The archive writer process died; a new one writes the archive") == 1, log[-3000:]
    assert "Traceback" not in log


def test_the_archive_writer_gives_up_with_an_error_when_its_process_keeps_dying(tmp_path):
    """A writer killed again and again (memory too short for it to live) is not restarted forever: after
    MAX_RESTARTS new ones, the crawl's side gets one clear ArchiveError instead of a broken pool."""
    writer = ArchiveWriter(str(tmp_path / "archive.db"))
    try:
        assert writer.call("previous_runs", "omon", 0) == []
        with pytest.raises(ArchiveError, match=f"died {MAX_RESTARTS + 1} times"):
            for _ in range(MAX_RESTARTS + 1):
                for process in list(writer.executor._processes.values()):
                    process.kill()
                    process.join()
                writer.call("previous_runs", "omon", 0)
    finally:
        with contextlib.suppress(ArchiveError):
            writer.close()


def test_a_write_the_dead_writer_had_committed_is_sent_again_and_counted_once(tmp_path):
    """The writer commits a batch and dies before its answer is read: the crawl sends the batch again, with its
    number, to a new writer, which finds it committed and answers what the first one did."""
    writer = ArchiveWriter(str(tmp_path / "archive.db"))
    try:
        writer.call("register_site", site_fields(load_profile("omon")))
        run = writer.call("start_run", "omon")
        batch = [{"url": f"https://bvdkomon.vn/tin-tuc/dai-hoi-chi-bo-{n}.html", "site": "omon",
                  "title": f"Đại hội Chi bộ Khoa Nội {n}", "body": "Đảng viên biểu quyết thông qua nghị quyết."}
                 for n in range(3)]  # fmt: skip
        first = (writer.submit("save_articles", batch, run, write=1) + writer.drain())[0].result()
        for process in list(writer.executor._processes.values()):
            process.kill()
            process.join()
        again = (writer.submit("save_articles", batch, run, write=1) + writer.drain())[-1].result()
        assert writer.restarts == 1
        assert again == first == {"new": 3, "updated": 0, "unchanged": 0}
        closed = writer.call("finish_run", run, status="ok", pages=3, errors=0)
        assert (closed["new"], closed["unchanged"]) == (3, 0)
    finally:
        writer.close()


def test_a_run_start_the_dead_writer_had_committed_opens_one_run(tmp_path):
    """The pipeline opens its run with a token: the start the writer committed before it was killed, sent
    again to a new writer, returns that run, which stays ``running`` and alone."""
    writer = ArchiveWriter(str(tmp_path / "archive.db"))
    try:
        writer.call("register_site", site_fields(load_profile("omon")))
        run = writer.call("start_run", "omon", "manual", token="9d2b")
        for process in list(writer.executor._processes.values()):
            process.kill()
            process.join()
        assert writer.call("start_run", "omon", "manual", token="9d2b") == run
        assert writer.restarts == 1
        assert rows(tmp_path / "archive.db", "SELECT id, status FROM crawl_runs") == [{"id": run, "status": "running"}]
    finally:
        writer.close()


def writer_pids(crawl: subprocess.Popen) -> set[int]:
    return {pid for pid in children(crawl.pid) if "multiprocessing.spawn" in command_line(pid)}


def kill_each_new_writer(crawl: subprocess.Popen, times: int) -> None:
    """SIGKILL the crawl's archive writer ``times`` times, each time as soon as the crawl has started a new one."""
    killed: set[int] = set()
    deadline = time.monotonic() + 120
    while len(killed) < times and crawl.poll() is None and time.monotonic() < deadline:
        for pid in writer_pids(crawl) - killed:
            os.kill(pid, signal.SIGKILL)
            killed.add(pid)
        time.sleep(0.02)
    assert len(killed) == times, f"the crawl ended or stalled after {len(killed)} of {times} writers were killed"


def test_a_crawl_whose_archive_writer_keeps_dying_stops_with_one_clear_line(mirrors, tmp_path):
    """The writer is killed each time it is started again: after MAX_RESTARTS new ones the crawl stops (it
    would archive nothing more), says why in one line, exits 1, closes its run as failed, and keeps what was
    committed before."""
    db = tmp_path / "archive.db"
    crawl = start_slow_crawl(mirrors, db, batch_size=1, stderr=subprocess.PIPE)
    wait_for_articles(crawl, db, 2)
    committed = {r["url"]: r["body"] for r in rows(db, "SELECT url, body FROM articles")}
    assert crawl.poll() is None and committed, "the crawl ended before its writer could be killed"
    kill_each_new_writer(crawl, MAX_RESTARTS + 1)
    _, stderr = crawl.communicate(timeout=300)

    reason = f"the archive writer process died {MAX_RESTARTS + 1} times and was not started again"
    assert crawl.returncode == 1, stderr
    assert stderr.strip().splitlines()[-1] == f"Error: omon: crawl failed: {reason}", stderr[-2000:]
    assert "Traceback" not in stderr
    log = (tmp_path / "archive-crawl.log").read_text(encoding="utf-8")
    assert "Traceback" not in log and log.count(f"omon: {reason}") == 1, log[-3000:]
    runs = rows(db, "SELECT status, message FROM crawl_runs")
    assert runs == [{"status": "failed", "message": reason}]
    kept = {r["url"]: r["body"] for r in rows(db, "SELECT url, body FROM articles")}
    assert committed.items() <= kept.items()  # nothing committed before is lost or changed
    assert len(kept) < 39, "the crawl stopped instead of fetching on with nowhere to write"


@pytest.mark.parametrize(
    ("python", "extract_in_helper"),
    [("/nonexistent/python3", True), ("/bin/false", True), ("/bin/false", False)],
    ids=["interpreter-missing", "helper-exits-at-once", "warc-only-helper-exits-at-once"],
)
def test_a_page_helper_that_cannot_start_loses_nothing(mirrors, gold, tmp_path, python, extract_in_helper):
    """No helper process can be had (a broken interpreter, a process limit): the crawl tries a few times, says so
    in its log, then extracts and writes WARC records in its own process; every article is archived."""
    db = tmp_path / "archive.db"
    result = run_cli(
        "crawl", "omon", "--db", str(db), "--base-url", f"omon={mirrors['omon'].url}", *MIRROR_SETTINGS,
        "-s", f"HOSPITAL_NEWS_EXTRACT_IN_HELPER={extract_in_helper}", env={"HOSPITAL_NEWS_HELPER_PYTHON": python},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    log = (tmp_path / "archive-crawl.log").read_text(encoding="utf-8")
    assert "Traceback" not in log + result.stderr
    assert log.count("WARC records are written in the crawl's process from now on") == 1, log[-3000:]
    # Extraction asks for a new helper after each loss, up to three; the WARC capture never does.
    assert log.count("Giving up on the page helper: 3 in a row failed") == int(extract_in_helper), log[-3000:]
    assert_every_article_with_its_raw_page(db, gold["omon"])
