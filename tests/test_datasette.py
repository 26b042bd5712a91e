"""A real `hospital-news serve` process: JSON API, search with and without diacritics, CSV in Vietnamese."""

import csv
import io
import json
import subprocess
import unicodedata
import urllib.parse
import urllib.request

import pytest
from markupsafe import escape

from archive.search import RANKED_SQL_ALL
from archive.store import Archive
from scraper.extract.text import fold


def get(url: str) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.read()
    except urllib.error.HTTPError as exc:
        raise AssertionError(f"{url}: {exc.code} {exc.read()[:300]!r}") from None


def search(base: str, query: str) -> list[dict]:
    params = urllib.parse.urlencode({"_search": query, "_shape": "objects", "_size": "max"})
    return json.loads(get(f"{base}/archive/articles.json?{params}"))["rows"]


def test_database_is_served_under_its_file_stem(datasette_url):
    databases = json.loads(get(datasette_url + "/.json"))
    assert "archive" in databases


def test_search_finds_the_seed_with_and_without_diacritics(datasette_url):
    with_marks = search(datasette_url, "Mã Quốc Thiện")
    without = search(datasette_url, "ma quoc thien")
    assert with_marks and {r["id"] for r in with_marks} == {r["id"] for r in without}
    assert any(r["title"].startswith("HỘI NGHỊ SƠ KẾT CÔNG TÁC ĐẢNG 6 THÁNG") for r in with_marks)


def test_search_filters(datasette_url):
    everything = json.loads(get(datasette_url + "/archive/articles.json?_shape=objects&_size=max"))["rows"]
    some = search(datasette_url, "ket nap dang vien")
    assert 0 < len(some) < len(everything)
    assert search(datasette_url, "dang uy") and search(datasette_url, "Đảng ủy")


def test_csv_keeps_vietnamese_intact(datasette_url):
    data = get(datasette_url + "/archive/articles.csv?_stream=on&_size=max").decode("utf-8")
    reader = list(csv.DictReader(io.StringIO(data)))
    titles = {row["title"] for row in reader}
    assert "HỘI NGHỊ SƠ KẾT CÔNG TÁC ĐẢNG 6 THÁNG ĐẦU NĂM VÀ TRIỂN KHAI NHIỆM VỤ 6 THÁNG CUỐI NĂM 2024" in titles
    assert any("Đảng bộ" in row["body"] for row in reader)


def test_table_page_renders(datasette_url):
    html = get(datasette_url + "/archive/articles").decode("utf-8")
    assert "Hoạt động công tác Đảng" in html
    assert 'name="_search"' in html  # the plugin's search filter (archive/table_search.py) offers the box


# -- Vietnamese search in Datasette (archive/datasette_plugins/hospital_news.py) ----------------------------


def ids(rows: list[dict]) -> set[int]:
    return {r["id"] for r in rows}


def ranked(base: str, query: str) -> list[dict]:
    params = urllib.parse.urlencode({"q": query, "_shape": "objects", "_size": "max"})
    return json.loads(get(f"{base}/archive/search.json?{params}"))["rows"]


@pytest.mark.parametrize(
    "variants",
    [
        ("dang uy", "Đảng ủy", "ĐẢNG ỦY", "Đảng uỷ", unicodedata.normalize("NFD", "Đảng ủy")),
        ("hoi nghi so ket", "Hội nghị sơ kết", unicodedata.normalize("NFD", "Hội nghị sơ kết")),
        ("ma quoc thien", "Mã Quốc Thiện", unicodedata.normalize("NFD", "Mã Quốc Thiện")),
    ],
)
def test_search_box_is_the_same_with_or_without_marks_nfc_or_nfd(datasette_url, variants):
    found = [ids(search(datasette_url, v)) for v in variants]
    assert found[0] and all(f == found[0] for f in found)


def test_search_box_matches_the_phrase_not_scattered_syllables(datasette_url):
    """Datasette's own escape_fts would AND the syllables; the box matches the folded phrase."""
    rows = search(datasette_url, "hoi nghi so ket")
    assert rows
    for row in rows:
        assert "hoi nghi so ket" in fold(row["title"] + " " + row["body"])
    anywhere = ranked(datasette_url, "hoi nghi so ket")  # every syllable present, phrase or not
    assert len(anywhere) > len(rows)


def test_search_in_one_column(datasette_url):
    params = urllib.parse.urlencode({"_search_title_folded": "dang uy", "_shape": "objects", "_size": "max"})
    rows = json.loads(get(f"{datasette_url}/archive/articles.json?{params}"))["rows"]
    assert rows and all("dang uy" in fold(r["title"]) for r in rows)
    assert len(rows) < len(search(datasette_url, "dang uy"))


def test_search_in_the_title_or_body_column_searches_its_folded_copy(datasette_url):
    """?_search_title= names the column a user sees; the FTS table keeps only its folded copy."""

    def rows_of(column: str, text: str) -> dict:
        params = urllib.parse.urlencode({f"_search_{column}": text, "_shape": "objects", "_size": "max"})
        return json.loads(get(f"{datasette_url}/archive/articles.json?{params}"))

    by_title, by_folded = rows_of("title", "Đảng ủy"), rows_of("title_folded", "dang uy")
    assert by_title["rows"] and ids(by_title["rows"]) == ids(by_folded["rows"])
    assert 'search column "title_folded" matches "Đảng ủy"' in by_title["human_description_en"]
    with pytest.raises(AssertionError, match="400.*Cannot search by that column: titel"):
        rows_of("titel", "Đảng ủy")  # a typo is refused, not answered with every row as "found"


def test_raw_search_mode_takes_fts5_syntax_and_a_syntax_error_is_a_clear_400(datasette_url):
    def raw(text: str) -> list[dict]:
        params = urllib.parse.urlencode({"_search": text, "_searchmode": "raw", "_shape": "objects", "_size": "max"})
        return json.loads(get(f"{datasette_url}/archive/articles.json?{params}"))["rows"]

    assert ids(raw('"dang uy" OR "chi bo"')) >= ids(search(datasette_url, "dang uy"))
    with pytest.raises(AssertionError, match="400.*unterminated string"):
        raw('"dang uy')  # the closing quote is missing


def test_search_box_keeps_newest_first(datasette_url):
    published = [r["published"] for r in search(datasette_url, "dang uy")]
    assert published == sorted(published, reverse=True)


def test_ranked_search_puts_the_phrase_first_and_title_before_body(datasette_url):
    rows = ranked(datasette_url, "dang uy")
    in_title = ["dang uy" in fold(r["title"]) for r in rows]
    assert in_title[0] and in_title == sorted(in_title, reverse=True)
    assert ids(rows) >= ids(search(datasette_url, "dang uy"))
    assert "Đảng ủy" in rows[-1]["excerpt"] or "dang" in fold(rows[-1]["excerpt"])


def test_ranked_search_with_marks_and_tone_placement(datasette_url):
    assert [r["id"] for r in ranked(datasette_url, "Đảng uỷ")] == [r["id"] for r in ranked(datasette_url, "Đảng ủy")]
    assert ranked(datasette_url, "") == []


def test_csv_stream_returns_every_row_beyond_max_returned_rows(crawled_db, gold, tmp_path):
    """A Datasette allowed 10 rows per page still streams every article and every search hit as CSV."""
    from archive.serve import datasette_command, datasette_env, metadata_for

    from .conftest import free_port, wait_for_http

    metadata = tmp_path / "metadata.json"
    metadata.write_text(json.dumps(metadata_for(crawled_db), ensure_ascii=False), encoding="utf-8")
    port = free_port()
    command = datasette_command(crawled_db, metadata, "127.0.0.1", port) + [
        "--setting",
        "max_returned_rows",
        "10",
        "--setting",
        "default_page_size",
        "10",
    ]
    process = subprocess.Popen(command, env=datasette_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(base + "/-/versions.json")
        table = get(base + "/archive/articles.csv?_stream=on&_size=max").decode("utf-8")
        assert len(list(csv.DictReader(io.StringIO(table)))) == sum(len(a) for a in gold.values()) > 10
        hits = get(base + "/archive/articles.csv?_stream=on&_size=max&_search=dang+uy").decode("utf-8")
        with Archive(crawled_db, create=False) as archive:
            phrase_hits = archive.db.execute(
                "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?",
                ['{title_folded body_folded}: "dang uy"'],
            ).fetchone()[0]
        assert len(list(csv.DictReader(io.StringIO(hits)))) == phrase_hits > 10
        monthly = get(base + "/archive/monthly_articles.csv?_stream=on&_size=max").decode("utf-8")
        with Archive(crawled_db, create=False) as archive:
            months = archive.db.execute("SELECT count(*) FROM monthly_articles").fetchone()[0]
        assert len(list(csv.DictReader(io.StringIO(monthly)))) == months > 10  # a view streams whole, too
        page = json.loads(get(base + "/archive/articles.json?_shape=objects&_size=max"))
        assert len(page["rows"]) == 10  # the limit is real: only the stream goes past it
        assert_queries_stream_whole(base, crawled_db)
    finally:
        process.terminate()
        process.wait(timeout=10)


def csv_rows(base: str, path: str, **params) -> list[dict]:
    text = get(f"{base}/{path}?{urllib.parse.urlencode(params)}").decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def assert_queries_stream_whole(base: str, db) -> None:
    """Canned queries and ?sql= give every row as CSV, in the query's order, past max_returned_rows (10)."""
    with Archive(db, create=False) as archive:
        best_first = [str(r["id"]) for r in archive.db.query(RANKED_SQL_ALL, {"q": "dang"})]
        everyone = archive.db.execute("SELECT count(*) FROM people").fetchone()[0]
    truncated = json.loads(get(base + "/archive/search.json?q=dang&_shape=objects"))
    assert truncated["truncated"] and len(truncated["rows"]) < len(best_first)  # Datasette's own answer stops
    ranked = csv_rows(base, "archive/search.csv", q="dang", _stream="on")
    assert [r["id"] for r in ranked] == best_first
    assert "Đảng" in " ".join(r["title"] for r in ranked)
    roles = csv_rows(base, "archive/party_roles.csv", name="")
    assert len(roles) > 10 and {"Mã Quốc Thiện", "Lê Minh Bạch"} <= {r["name"] for r in roles}
    people = csv_rows(base, "archive.csv", sql="SELECT name, role FROM people ORDER BY id", _dl="1")
    assert len(people) == everyone > 10
    with pytest.raises(AssertionError, match="400"):
        get(base + "/archive.csv?" + urllib.parse.urlencode({"sql": "DELETE FROM people"}))


def test_robots_are_asked_to_stay_away(datasette_url):
    assert get(datasette_url + "/robots.txt").decode() == "User-agent: *\nDisallow: /\n"


def test_article_page_shows_the_body_as_escaped_paragraphs(datasette_url, crawled_db):
    with Archive(crawled_db, create=False) as archive:
        article_id, body = archive.db.execute(
            "SELECT id, body FROM articles WHERE body LIKE '%Mã Quốc Thiện%'"
        ).fetchone()
    html = get(f"{datasette_url}/archive/articles/{article_id}").decode("utf-8")
    paragraphs = body.split("\n\n")
    assert html.count("<p>") >= len(paragraphs)
    assert f"<p>{escape(paragraphs[1])}</p>" in html


def test_photos_are_captions_with_safe_links():
    from archive.datasette_plugins.hospital_news import images_html

    html = images_html(
        json.dumps(
            [
                {"src": "https://bvdkomon.cantho.gov.vn/uploads/a.jpg", "caption": "Đồng chí <b>Lê Minh Bạch</b>"},
                {"src": "javascript:alert(1)", "caption": None},
            ]
        )
    )
    assert '<a href="https://bvdkomon.cantho.gov.vn/uploads/a.jpg">Đồng chí &lt;b&gt;Lê Minh Bạch&lt;/b&gt;</a>' in html
    assert 'href="javascript' not in html and "<li>javascript:alert(1)</li>" in html


def test_crawled_text_is_never_rendered_as_html():
    from archive.datasette_plugins.hospital_news import paragraphs_html

    html = paragraphs_html('Đảng bộ <script>alert("x")</script>\n\n<img src=x onerror=alert(1)>')
    assert "<script>" not in html and "<img" not in html
    assert html.startswith("<p>Đảng bộ &lt;script&gt;")


# -- a Datasette that explains itself ----------------------------------------------------------------------


def rows_of(base: str, path: str, **params) -> list[dict]:
    query = urllib.parse.urlencode({**params, "_shape": "objects", "_size": "max"})
    return json.loads(get(f"{base}/archive/{path}.json?{query}"))["rows"]


def test_articles_per_month_adds_up(datasette_url, gold):
    rows = rows_of(datasette_url, "articles_per_month")
    assert sum(r["articles"] for r in rows) == sum(len(a) for a in gold.values())
    assert {r["hospital"] for r in rows} == {"Bệnh viện Đa khoa Bạc Liêu", "Bệnh viện Đa khoa Quận Ô Môn"}


def test_who_held_which_party_role(datasette_url):
    rows = rows_of(datasette_url, "party_roles", name="ma quoc thien")
    assert rows and {r["name"] for r in rows} == {"Mã Quốc Thiện"}
    assert any(
        r["role"] == "Bí thư Đảng ủy, Giám đốc Bệnh viện" and r["first_mentioned"] < r["last_mentioned"] for r in rows
    )
    everyone = rows_of(datasette_url, "party_roles", name="")
    assert {"Lê Minh Bạch", "Trần Quốc Sử", "Huỳnh Thị Kim Loan"} <= {r["name"] for r in everyone}
    offices = ("bi thu", "uy vien", "chu nhiem uy ban kiem tra")
    assert all(any(office in fold(r["role"]) for office in offices) for r in everyone)
    assert "Trưởng khoa Nội tim mạch" not in {r["role"] for r in everyone}  # a hospital post alone is no Party role
    assert "Lâm Quốc Bảo" not in {r["name"] for r in everyone}  # Bí thư Đoàn: the Youth Union's, not the Party's


def test_documents_each_hospital_cites(datasette_url):
    rows = rows_of(datasette_url, "documents_by_hospital")
    assert ("omon", "21-KL/TW") in {(r["site"], r["document"]) for r in rows}
    assert ("baclieu", "05-CT/TW") in {(r["site"], r["document"]) for r in rows}


def test_membership_over_time(datasette_url):
    rows = rows_of(datasette_url, "membership_over_time")
    omon = [r for r in rows if r["site"] == "omon"]
    assert any(r["total"] == 179 and r["chinh_thuc"] == 170 for r in omon)
    assert [r["date"] for r in omon] == sorted(r["date"] for r in omon)
    assert all(r["total"] > 100 for r in rows)  # a cell's 30 members never mix into the hospital's line


def test_facets_and_links_on_the_articles_page(datasette_url):
    data = json.loads(get(datasette_url + "/archive/articles.json?_size=1"))
    assert {"site", "category", "year", "event_type"} <= set(data["facet_results"])
    html = get(datasette_url + "/archive/people?_size=5").decode("utf-8")
    assert '<a href="/archive/articles/' in html  # the article column shows the article's title, linked
    page = get(datasette_url + "/archive/articles?_size=3").decode("utf-8")
    assert '<a href="https://bvdk' in page  # the original page is one click away


def test_public_serving_is_safe_by_default(datasette_url):
    settings = json.loads(get(datasette_url + "/-/settings.json"))
    assert settings["sql_time_limit_ms"] <= 5000 and settings["allow_download"] is False
    refused = urllib.parse.urlencode({"sql": "DELETE FROM articles"})
    with pytest.raises(AssertionError, match="400"):
        get(f"{datasette_url}/archive.json?{refused}")
    assert rows_of(datasette_url, "articles")  # nothing was deleted


def test_charts_page_draws_both_hospitals(datasette_url):
    html = get(datasette_url + "/-/charts").decode("utf-8")
    assert html.count("<svg") == 2 and html.count('class="series"') == 4  # two charts, a line per hospital each
    assert "Bệnh viện Đa khoa Bạc Liêu" in html and "Bệnh viện Đa khoa Quận Ô Môn" in html
    assert "Ô Môn: 2022-05-22 → 179" in html or "179</title>" in html
    assert "/-/charts" in get(datasette_url + "/archive").decode("utf-8")  # linked from Datasette's menu
