"""``hospital-news crawl --jobdir DIR``: a crawl stopped by Ctrl-C (SIGINT) resumes from its queue on disk.

The resumed run fetches only what the first part had not, archives every article exactly once, and, being no
full pass, flags nothing as gone; once the job finished its folder is removed, so the next crawl with the
same --jobdir is a new full pass.
"""

import signal
import subprocess
from collections import Counter
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator

from archive.store import default_warc_dir

from .conftest import CLI, ROOT, archived_count, rows, run_cli, wait_for_articles
from .test_cli_errors import assert_one_line_error

SLOW = ["-s", "DOWNLOAD_DELAY=0.05", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1"]


def fetched_paths(db) -> Counter:
    """How many times each path was fetched, from the WARC response records of every run so far."""
    paths: Counter = Counter()
    for path in default_warc_dir(db).glob("*.warc.gz"):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type == "response":
                    url = urlsplit(record.rec_headers.get_header("WARC-Target-URI"))
                    paths[url.path + (f"?{url.query}" if url.query else "")] += 1
    return paths


def crawl_args(db, mirror, jobdir) -> list[str]:
    return ["crawl", "omon", "--db", str(db), "--base-url", f"omon={mirror.url}", "--jobdir", str(jobdir), *SLOW]


def interrupt_after(args: list[str], db, articles: int) -> subprocess.CompletedProcess:
    """Run the crawl and send it one SIGINT (Ctrl-C) once ``articles`` are committed."""
    process = subprocess.Popen(
        [*CLI, *args, "-s", "HOSPITAL_NEWS_BATCH_SIZE=3"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    wait_for_articles(process, db, articles)
    assert process.poll() is None, "the crawl ended before it could be interrupted"
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=120)
    return subprocess.CompletedProcess(process.args, process.returncode, out.decode(), err.decode())


def test_a_crawl_stopped_by_ctrl_c_resumes_from_its_jobdir(mirrors, tmp_path):
    omon_mirror = mirrors["omon"]
    db, jobdir = tmp_path / "archive.db", tmp_path / "jobs"
    args = crawl_args(db, omon_mirror, jobdir)

    first = interrupt_after(args, db, 6)
    assert first.returncode == 1 and "omon: crawl interrupted" in first.stderr, first.stderr
    assert (jobdir / "omon" / "requests.queue").is_dir()  # the pending requests were kept on disk

    second = run_cli(*args)
    assert second.returncode == 0 and "omon: ok" in second.stdout, second.stderr
    assert "0 gone" in second.stdout  # what the first part archived is not "gone from every listing"
    urls = [r["url"] for r in rows(db, "SELECT url FROM articles")]
    assert sorted(urls) == sorted(a["url"] for a in omon_mirror.articles)  # every article, exactly once
    assert not rows(db, "SELECT url FROM articles WHERE gone_since IS NOT NULL")
    assert not (jobdir / "omon").exists()  # a finished job is cleared
    # The resumed part fetched only what the first part had not: every page once (robots.txt once a run).
    fetched = fetched_paths(db)
    assert fetched.pop("/robots.txt") == 2 and set(fetched.values()) == {1}, fetched.most_common(3)

    # The next crawl with the same --jobdir is a new full pass: every page again, nothing new, nothing gone.
    third = run_cli(*args)
    assert third.returncode == 0 and "0 new" in third.stdout and "0 gone" in third.stdout, third.stderr
    assert set(fetched_paths(db).values()) == {2, 3}
    runs = rows(db, "SELECT status, new FROM crawl_runs ORDER BY id")
    assert [r["status"] for r in runs] == ["interrupted", "ok", "ok"]
    assert runs[0]["new"] + runs[1]["new"] == len(omon_mirror.articles)


def test_a_jobdir_that_cannot_be_written_is_refused_before_any_fetch(mirrors, tmp_path):
    omon_mirror = mirrors["omon"]
    db, not_a_folder = tmp_path / "archive.db", tmp_path / "jobs.txt"
    not_a_folder.write_text("một tệp, không phải thư mục")
    result = run_cli(*crawl_args(db, omon_mirror, not_a_folder))
    assert_one_line_error(result, str(not_a_folder), "cannot keep crawl jobs there")
    assert archived_count(db) == 0
