"""The articles table's search box SQL (archive/table_search.py) on a real archive file: a phrase found in most
articles is tested while SQLite walks the date index, a rare one drives the query, and both give the same rows."""

import sqlite3

import pytest

from archive import table_search
from archive.datasette_plugins.hospital_news import table_search_expression
from archive.store import Archive
from scraper.profiles import load_profile

DENSE, RARE = "đảng ủy", "Mã Quốc Thiện"


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    """200 articles: "Đảng ủy" in half of them, "Mã Quốc Thiện" in two, dates in no particular order."""
    path = tmp_path_factory.mktemp("table-search") / "archive.db"
    rows = []
    for number in range(200):
        speaker = "đồng chí Mã Quốc Thiện" if number in (17, 150) else "đồng chí Trần Văn Bình"
        council = "Đảng ủy Bệnh viện" if number % 2 else "Chi bộ Khoa Nội"
        rows.append({
            "url": f"https://bvdkbaclieu.vn/tin/hoi-nghi-{number}.html", "site": "baclieu",
            "category": "Hoạt động công tác Đảng", "party": True,
            "title": f"Hội nghị sơ kết công tác Đảng số {number}",
            "body": f"Chiều ngày {number % 28 + 1}/7/2024, {council} tổ chức hội nghị.\n\nTham dự có {speaker}.",
            "published": f"20{10 + number * 7 % 15}-07-{number % 28 + 1:02d}", "author": None, "images": [],
        })  # fmt: skip
    with Archive(path) as archive:
        archive.register_site(load_profile("baclieu"))
        archive.save_articles(rows)
    connection = sqlite3.connect(path)
    connection.create_function("escape_fts", 1, table_search_expression)  # as the plugin registers it
    yield connection
    connection.close()


def decide(db, one: table_search.Search) -> bool:
    enough = db.execute(table_search.threshold_sql()).fetchone()[0]
    return bool(
        db.execute(table_search.dense_sql(one, raw=False), {one.param: one.text, "enough": enough}).fetchone()[0]
    )


def page(db, one: table_search.Search, dense: bool) -> tuple[list[int], str]:
    """The first page as the table shows it (newest first), and how SQLite plans it."""
    sql = (
        f"SELECT id FROM articles WHERE {table_search.where_clause(one, False, dense)} ORDER BY published DESC, id DESC"
    )
    plan = " ".join(row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {sql} LIMIT 50", {one.param: one.text}))
    return [row[0] for row in db.execute(f"{sql} LIMIT 50", {one.param: one.text})], plan


def test_a_phrase_in_most_articles_walks_the_date_index_and_finds_the_same_rows(db):
    one = table_search.searches({"_search": DENSE})[0]
    assert decide(db, one)
    walked, plan = page(db, one, dense=True)
    looked_up, _ = page(db, one, dense=False)
    assert "INDEX idx_articles_published" in plan and "TEMP B-TREE" not in plan, plan
    assert len(walked) == 50 and walked == looked_up


def test_a_rare_phrase_drives_the_query_with_its_few_matches(db):
    one = table_search.searches({"_search": RARE})[0]
    assert not decide(db, one)
    found, plan = page(db, one, dense=False)
    assert "INTEGER PRIMARY KEY" in plan, plan
    titles = [db.execute("SELECT title FROM articles WHERE id = ?", [i]).fetchone()[0] for i in found]
    assert sorted(titles) == ["Hội nghị sơ kết công tác Đảng số 150", "Hội nghị sơ kết công tác Đảng số 17"]


def test_the_query_string_names_the_searches_as_datasette_reads_them():
    """``_search`` wins over column searches; a column search names the folded column; a blank one is skipped;
    an unknown column is refused rather than silently ignored (which would show every row as "found")."""
    both = table_search.searches({"_search": "dang uy", "_search_title": "x"})
    assert [(s.text, s.column) for s in both] == [("dang uy", None)]
    wanted = table_search.searches({"_search_title": "Hội nghị", "_searchmode": "raw", "_search_body_folded": " "})
    assert [(s.text, s.column) for s in wanted] == [("Hội nghị", "title_folded")]
    with pytest.raises(ValueError, match="Cannot search by that column: titel"):
        table_search.searches({"_search_titel": "Hội nghị"})
