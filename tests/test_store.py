"""The archive on a real SQLite file: idempotent saves, versions, folded full-text search, WAL."""

import json
import multiprocessing
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlite_utils import Database

from archive import search
from archive.ingest import ingest
from archive.store import Archive, ArchiveError, migrations
from scraper.extract.text import fold
from scraper.profiles import load_profile

ARTICLE = {
    "url": "https://bvdkbaclieu.vn/hoat-dong-cong-tac-dang/so-ket-1.html",
    "site": "baclieu",
    "category": "Hoạt động công tác Đảng",
    "party": True,
    "title": "HỘI NGHỊ SƠ KẾT CÔNG TÁC ĐẢNG 6 THÁNG ĐẦU NĂM",
    "body": "Chiều ngày 12/7/2024, Đảng bộ Bệnh viện Đa khoa Bạc Liêu tổ chức Hội nghị sơ kết.\n\n"
    "Tham dự có đồng chí Mã Quốc Thiện - Bí thư Đảng bộ, Giám đốc Bệnh viện.",
    "published": "2024-07-12",
    "author": "Tổ Truyền thông - Phòng Quản lý chất lượng",
}


@pytest.fixture
def archive(tmp_path):
    with Archive(tmp_path / "archive.db") as opened:
        opened.register_site(load_profile("baclieu"))
        yield opened


def test_saving_twice_adds_no_duplicate(archive):
    assert archive.save_articles([ARTICLE]) == {"new": 1, "updated": 0, "unchanged": 0}
    assert archive.save_articles([ARTICLE, ARTICLE]) == {"new": 0, "updated": 0, "unchanged": 2}
    assert archive.count() == 1


def test_changed_text_keeps_the_previous_version(archive):
    archive.save_articles([ARTICLE])
    edited = {**ARTICLE, "body": ARTICLE["body"] + "\n\nHội nghị kết thúc lúc 16 giờ 30 phút."}
    assert archive.save_articles([edited])["updated"] == 1
    row = archive.db.execute("SELECT body FROM articles").fetchone()
    assert row[0].endswith("16 giờ 30 phút.")
    old = archive.db.execute("SELECT body FROM article_versions").fetchall()
    assert [r[0] for r in old] == [ARTICLE["body"]]
    assert archive.count() == 1


@pytest.mark.parametrize(
    "query", ["dang bo", "Đảng bộ", "DANG BO", "hoi nghi so ket", "Mã Quốc Thiện", "ma quoc thien"]
)
def test_search_with_or_without_diacritics(archive, query):
    archive.save_articles([ARTICLE])
    assert [r["url"] for r in archive.search(query)] == [ARTICLE["url"]]


def test_search_misses_what_is_not_there(archive):
    archive.save_articles([ARTICLE])
    assert archive.search("ket nap dang vien") == []


def test_crawl_runs_count_outcomes(archive):
    run = archive.start_run("baclieu")
    archive.save_articles([ARTICLE], run)
    archive.save_articles([ARTICLE], run)
    row = archive.finish_run(run, status="ok", pages=3, errors=0)
    assert (row["new"], row["unchanged"], row["pages"], row["status"]) == (1, 1, 3, "ok")
    assert row["started"] <= row["finished"]


def test_a_write_sent_again_after_its_commit_is_made_and_counted_once(archive):
    """The archive writer's process died after committing write 1 and before answering: the crawl sends it
    again to a new writer. Its first outcome comes back, the run's row counts it once, and nothing moves."""
    run = archive.start_run("baclieu")
    other = {**ARTICLE, "url": ARTICLE["url"].replace("so-ket-1", "so-ket-2"), "title": "Kết nạp đảng viên mới"}
    batch = [{**a, "fetched_at": "2026-01-01T00:00:00Z"} for a in (ARTICLE, other)]
    first = archive.save_articles(batch, run, write=1)
    again = archive.save_articles([{**a, "fetched_at": "2026-02-02T00:00:00Z"} for a in batch], run, write=1)
    assert again == first == {"new": 2, "updated": 0, "unchanged": 0}
    assert {r[0] for r in archive.db.execute("SELECT last_seen FROM articles")} == {"2026-01-01T00:00:00Z"}
    assert archive.touch([ARTICLE["url"]], run, write=2) == archive.touch([ARTICLE["url"]], run, write=2) == 1
    # A new write of the same article is a second sighting in the run, counted as such.
    assert archive.save_articles([ARTICLE], run, write=3) == {"new": 0, "updated": 0, "unchanged": 1}
    # The site answered 404 for one, and a full pass did not list the other: flagged, and counted, once each.
    gone = [archive.mark_gone([other["url"]], "2026-03-03T00:00:00Z", run_id=run, write=4) for _ in range(2)]
    archive.db.execute("UPDATE articles SET last_run = NULL WHERE url = ?", [ARTICLE["url"]])  # not listed
    unlisted = [archive.mark_unlisted("baclieu", run, write=5) for _ in range(2)]
    assert gone == unlisted == [1, 1], "a write sent again returns what it did the first time, not 0"
    row = archive.finish_run(run, status="ok", pages=4, errors=0)
    assert (row["new"], row["updated"], row["unchanged"]) == (2, 0, 2)
    assert archive.db.execute("SELECT count(*) FROM run_writes").fetchone()[0] == 0, "a closed run keeps none"


def test_a_run_start_sent_again_opens_no_second_run(archive):
    """The writer died after committing the start and before answering: the same start, sent again with its
    token, returns the run it opened. Without the token the second start opened a run of its own, and closed
    the first as interrupted."""
    first = archive.start_run("baclieu", "manual", token="3f9c")
    assert archive.start_run("baclieu", "manual", token="3f9c") == first
    assert [(r["id"], r["status"]) for r in archive.db["crawl_runs"].rows] == [(first, "running")]
    archive.finish_run(first, status="ok", pages=0, errors=0)
    assert archive.db.execute("SELECT count(*) FROM run_writes").fetchone()[0] == 0, "the token goes with the run"
    # A closed run, or one swept as interrupted by the next crawl, is never handed back.
    second = archive.start_run("baclieu", "manual", token="3f9c")
    assert second != first
    third = archive.start_run("baclieu", "manual", token="b802")
    assert archive.start_run("baclieu", "manual", token="3f9c") not in (first, second, third)
    assert archive.db["crawl_runs"].get(second)["status"] == "interrupted"


def test_the_numbered_writes_of_a_killed_run_go_when_the_next_run_starts(archive):
    killed = archive.start_run("baclieu")
    archive.save_articles([ARTICLE], killed, write=1)
    archive.start_run("baclieu")
    assert archive.db.execute("SELECT count(*) FROM run_writes").fetchone()[0] == 0


def test_an_ingest_run_leaves_a_running_crawl_of_its_site_alone(archive, tmp_path):
    """``ingest`` takes no site lock: the crawl of the site may be alive, its run and numbered writes with it."""
    crawl = archive.start_run("baclieu")
    archive.save_articles([ARTICLE], crawl, write=1)
    feed = tmp_path / "baclieu.jsonl"
    other = {**ARTICLE, "url": ARTICLE["url"].replace("so-ket-1", "so-ket-2")}
    feed.write_text(json.dumps(other, ensure_ascii=False) + "\n", encoding="utf-8")
    assert ingest(archive, [feed]).counts["new"] == 1
    status = archive.db.execute("SELECT status FROM crawl_runs WHERE id = ?", [crawl]).fetchone()[0]
    assert status == "running"
    assert archive.save_articles([ARTICLE], crawl, write=1) == {"new": 1, "updated": 0, "unchanged": 0}


def test_an_ingest_into_an_archive_locked_too_long_fails_in_one_line_and_merges_nothing(tmp_path):
    path, feed = tmp_path / "archive.db", tmp_path / "baclieu.jsonl"
    feed.write_text(json.dumps(ARTICLE, ensure_ascii=False) + "\n", encoding="utf-8")
    Archive(path).close()
    holder = sqlite3.connect(path)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("DELETE FROM sites")
    try:
        with pytest.raises(ArchiveError, match="locked by another process"), Archive(path, timeout_ms=300) as archive:
            ingest(archive, [feed])
    finally:
        holder.rollback()
        holder.close()
    with Archive(path) as archive:
        assert archive.db["articles"].count == 0 and archive.db["ingested_feeds"].count == 0
        assert ingest(archive, [feed]).counts["new"] == 1  # merged when tried again


def test_wal_mode(archive):
    assert archive.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_reopening_an_archive_keeps_its_rows(tmp_path):
    path = tmp_path / "archive.db"
    with Archive(path) as first:
        first.register_site(load_profile("baclieu"))
        first.save_articles([ARTICLE])
    with Archive(path) as second:
        assert second.count() == 1


def test_a_file_that_is_not_sqlite_is_refused_in_one_line(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("Đây không phải cơ sở dữ liệu " * 100, encoding="utf-8")
    with pytest.raises(ArchiveError, match="not a valid SQLite archive"):
        Archive(path)


def test_a_locked_archive_is_reported(tmp_path):
    path = tmp_path / "archive.db"
    Archive(path).close()
    holder = sqlite3.connect(path)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(ArchiveError, match="locked"), Archive(path, timeout_ms=200) as archive:
            archive.register_site(load_profile("baclieu"))
    finally:
        holder.rollback()
        holder.close()


def _while_another_process_writes(path: Path, write) -> dict:
    """``write(archive)`` in a thread, started while another connection holds the write lock (as a second
    crawl's writer does between two batches), which commits half a second later."""
    other = sqlite3.connect(path)
    other.execute("BEGIN IMMEDIATE")
    other.execute("UPDATE sites SET updated = '2026-12-03T06:00:00Z' WHERE name = 'omon'")
    outcome: dict = {}

    def write_meanwhile() -> None:
        try:
            with Archive(path) as archive:
                outcome["result"] = write(archive)
        except Exception as error:  # whatever it is, the test reports it
            outcome["error"] = f"{type(error).__name__}: {error}"

    thread = threading.Thread(target=write_meanwhile)
    thread.start()
    time.sleep(0.5)  # the thread has read what it reads first, and waits for the lock
    other.commit()
    other.close()
    thread.join()
    return outcome


@pytest.mark.parametrize("write", ["start_run", "save_articles", "finish_run"])
def test_a_write_waits_its_turn_behind_another_crawls_write(tmp_path, write):
    """The scheduler crawls two sites into one archive at once. A transaction that read before it wrote
    used to fail at once with "database is locked" when the other crawl committed in between (SQLite cannot
    wait for a lock on a stale snapshot): the run did not start, or a batch was refused. Now it waits."""
    path = tmp_path / "archive.db"
    with Archive(path) as setup:
        for site in ("baclieu", "omon"):
            setup.register_site(load_profile(site))
        run = setup.start_run("baclieu")
    actions = {
        "start_run": lambda archive: archive.start_run("baclieu", "scheduler", token="lượt-2"),
        "save_articles": lambda archive: archive.save_articles([ARTICLE], run),
        "finish_run": lambda archive: archive.finish_run(run, status="ok", pages=1, errors=0)["status"],
    }
    outcome = _while_another_process_writes(path, actions[write])
    assert "error" not in outcome, outcome["error"]
    assert outcome["result"]
    with Archive(path) as archive:
        assert archive.db["sites"].get("omon")["updated"] == "2026-12-03T06:00:00Z"  # the other write kept
        if write == "save_articles":
            assert archive.db["articles"].count == 1 and archive.search("dang bo bac lieu")


def _open_with_the_others(path: Path, start: multiprocessing.Barrier, answers: multiprocessing.Queue) -> None:
    start.wait(timeout=60)
    try:
        Archive(path).close()
        answers.put("ok")
    except ArchiveError as error:
        answers.put(str(error))


def test_crawls_starting_at_once_on_a_new_archive_all_open_it(tmp_path):
    """Four processes open one new file at the same instant (the scheduler starting crawls into a fresh
    archive): each gets it, in WAL mode, migrated once. Switching to WAL and migrating used to fail with
    "locked" or "table already exists" for most of them."""
    forked = multiprocessing.get_context("fork")
    answers = []
    for attempt in range(5):
        path = tmp_path / f"archive-{attempt}.db"
        start, queue = forked.Barrier(4), forked.Queue()
        processes = [
            forked.Process(target=_open_with_the_others, args=(path, start, queue), daemon=True) for _ in range(4)
        ]
        for process in processes:
            process.start()
        answers += [queue.get(timeout=60) for _ in processes]
        for process in processes:
            process.join()
        with Archive(path) as archive:
            assert archive.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert not migrations.pending(archive.db)
    assert answers == ["ok"] * 20


def test_other_urls_of_an_article_are_kept_as_aliases_not_rows(archive):
    tracked = ARTICLE["url"] + "?utm_source=zalo"
    archive.save_articles([{**ARTICLE, "aliases": [tracked]}])
    assert archive.save_articles([{**ARTICLE, "url": tracked}]) == {"new": 0, "updated": 0, "unchanged": 1}
    assert archive.count() == 1
    aliases = archive.db.execute("SELECT url, article_id FROM article_aliases").fetchall()
    assert aliases == [(tracked, 1)]


def test_gone_flag_keeps_the_article_and_clears_when_it_returns(archive):
    archive.save_articles([ARTICLE])
    assert archive.mark_gone([ARTICLE["url"]], "2026-01-02T00:00:00Z") == 1
    assert archive.mark_gone([ARTICLE["url"]], "2026-02-01T00:00:00Z") == 0  # the first sighting is kept
    assert archive.mark_gone(["https://bvdkbaclieu.vn/khong-co.html"]) == 0
    row = archive.db.execute("SELECT gone_since, body FROM articles").fetchone()
    assert row == ("2026-01-02T00:00:00Z", ARTICLE["body"])
    archive.save_articles([ARTICLE])
    assert archive.db.execute("SELECT gone_since FROM articles").fetchone()[0] is None


def test_a_run_left_running_by_a_killed_process_is_closed_by_the_next(archive):
    first = archive.start_run("baclieu")
    archive.start_run("baclieu")
    status, message = archive.db.execute("SELECT status, message FROM crawl_runs WHERE id = ?", [first]).fetchone()
    assert status == "interrupted" and "killed" in message


def test_http_validators_are_kept_per_url_and_replaced_by_the_newest(archive):
    archive.save_articles([{**ARTICLE, "etag": '"v1"', "fetched_at": "2026-01-01T00:00:00Z"}])
    archive.save_articles([{**ARTICLE, "last_modified": "Tue, 02 Jun 2026 08:00:00 GMT"}])
    rows = archive.db.execute("SELECT url, etag, last_modified FROM http_validators").fetchall()
    assert rows == [(ARTICLE["url"], None, "Tue, 02 Jun 2026 08:00:00 GMT")]
    state = archive.crawl_state("baclieu")
    assert state.validators == {ARTICLE["url"]: (None, "Tue, 02 Jun 2026 08:00:00 GMT")}


def test_an_archive_indexed_before_m009_is_reindexed_in_place(tmp_path):
    """An archive whose articles_fts held title and body as well (m001–m008) keeps every article searchable."""
    path = tmp_path / "old.db"
    db = Database(path)
    search.register_functions(db.conn)
    migrations.apply(db, stop_before="m009_fts_folded_only")
    db["sites"].insert({"name": "baclieu", "hospital": "Bệnh viện Đa khoa Bạc Liêu"})
    texts = [(ARTICLE["title"], ARTICLE["body"]), ("Ngày hội hiến máu", "Khoa Nhi tổ chức hiến máu.")]
    for number, (title, body) in enumerate(texts, start=1):
        url = f"{ARTICLE['url']}?so={number}"
        db.execute("INSERT INTO articles (id, url, site, title, body) VALUES (?, ?, 'baclieu', ?, ?)",
                   [number, url, title, body])  # fmt: skip
        db.execute("INSERT INTO articles_fts (rowid, title, body, title_folded, body_folded) VALUES (?, ?, ?, ?, ?)",
                   [number, title, body, fold(title), fold(body)])  # fmt: skip
    db.conn.commit()
    db.close()
    with Archive(path) as archive:
        assert archive.count() == 2
        assert archive.db.execute("SELECT count(*), count(title), count(body) FROM articles_fts").fetchone() == (
            2,
            0,
            0,
        )
        archive.db.execute("INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')")
        for query in ("dang bo", "Đảng bộ", "Mã Quốc Thiện"):
            assert [r["id"] for r in archive.search(query)] == [1]
        assert [r["id"] for r in archive.search("hiến máu")] == [2]
        archive.register_site(load_profile("baclieu"))
        changed = {**ARTICLE, "url": f"{ARTICLE['url']}?so=2", "title": "Trao Huy hiệu 30 năm tuổi Đảng"}
        assert archive.save_articles([changed])["updated"] == 1
        assert archive.search("hien mau") == []  # the index follows the new text
        assert [r["id"] for r in archive.search("huy hieu")] == [2]


def test_every_configured_facet_is_read_from_an_index(tmp_path):
    """Datasette drops a facet that takes over 200 ms (silently, in the JSON); on a big archive only an index
    keeps each configured facet of the articles page under that (bench.query: 3 s → 95 ms for category)."""
    metadata = json.loads((Path(__file__).parent.parent / "datasette_metadata.json").read_text(encoding="utf-8"))
    facets = next(iter(metadata["databases"].values()))["tables"]["articles"]["facets"]
    with Archive(tmp_path / "archive.db") as archive:
        for column in facets:
            sql = (
                f"SELECT {column} AS value, count(*) FROM (SELECT * FROM articles) WHERE {column} IS NOT NULL "
                f"GROUP BY {column}"
            )
            plan = " ".join(row[-1] for row in archive.db.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall())
            assert "COVERING INDEX" in plan, (column, plan)
