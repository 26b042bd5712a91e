"""A real `hospital-news serve` process: JSON API, search with and without diacritics, CSV in Vietnamese."""

import csv
import io
import json
import urllib.parse
import urllib.request


def get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        assert response.status == 200
        return response.read()


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
    assert 'name="_search"' in html  # the search box is there because the FTS table is configured
