"""A real Scrapy crawl over HTTP of both offline mirrors into a real SQLite archive."""

import unicodedata

import pytest

from scraper.extract.boilerplate import FORBIDDEN_IN_BODY
from scraper.mirror import SITES as MIRROR_SITES

from .conftest import crawl_mirrors, rows


def test_every_article_of_both_mirrors_is_archived_once(crawled_db, gold):
    archived = {r["url"] for r in rows(crawled_db, "SELECT url FROM articles")}
    expected = {a["url"] for articles in gold.values() for a in articles}
    assert archived == expected
    assert rows(crawled_db, "SELECT count(*) AS n FROM articles")[0]["n"] == len(expected)


@pytest.mark.parametrize("site", ["baclieu", "omon"])
def test_party_articles_have_title_body_and_date(crawled_db, gold, site):
    party = rows(crawled_db, "SELECT * FROM articles WHERE site = ? AND party = 1", (site,))
    assert len(party) == len([a for a in gold[site] if a["category"] == "party"]) >= 25
    for row in party:
        assert row["title"] and row["body"] and row["published"], row["url"]
        assert row["category"] == "Hoạt động công tác Đảng"


@pytest.mark.parametrize("site", ["baclieu", "omon"])
def test_archived_fields_match_the_source(crawled_db, gold, site):
    by_url = {r["url"]: r for r in rows(crawled_db, "SELECT * FROM articles WHERE site = ?", (site,))}
    for article in gold[site]:
        row = by_url[article["url"]]
        assert row["title"] == article["title"]
        assert row["body"] == "\n\n".join(article["paragraphs"])
        assert row["published"] == article["published"]
        assert row["author"] == article["author"]


def test_no_boilerplate_in_any_body(crawled_db):
    footers = [value for site in MIRROR_SITES.values() for value in site["footer"].values()]
    for row in rows(crawled_db, "SELECT url, body FROM articles"):
        for needle in [*FORBIDDEN_IN_BODY, *footers, "Hoạt động công tác Đảng\n", "Giới thiệu", "Liên hệ"]:
            assert needle not in row["body"], (row["url"], needle)


def test_every_text_field_is_nfc(crawled_db):
    for row in rows(crawled_db, "SELECT title, body, author, category FROM articles"):
        for value in row.values():
            assert value is None or unicodedata.is_normalized("NFC", value)


def test_seed_articles_keep_their_people_and_numbers(crawled_db):
    baclieu = rows(crawled_db, "SELECT * FROM articles WHERE title LIKE 'HỘI NGHỊ SƠ KẾT CÔNG TÁC ĐẢNG 6 THÁNG%'")
    assert len(baclieu) == 1
    seed = baclieu[0]
    for fact in [
        "Mã Quốc Thiện - Bí thư Đảng bộ, Giám đốc Bệnh viện",
        "Trần Quốc Sử - Phó Bí thư Đảng bộ",
        "74 đồng chí đại diện cho 278 đảng viên",
        "Chiều ngày 12/7/2024",
    ]:
        assert fact in seed["body"]
    assert seed["author"] == "Tổ Truyền thông - Phòng Quản lý chất lượng"
    assert seed["published"].startswith("2024-07-12")

    omon = rows(crawled_db, "SELECT * FROM articles WHERE title LIKE 'Hội nghị sơ kết giữa nhiệm kỳ%'")
    assert len(omon) == 1
    seed = omon[0]
    assert seed["title"].endswith("Đảng bộ Bệnh viện Đa khoa lần thứ VIII, nhiệm kỳ 2020 - 2025")
    assert seed["published"] == "2022-05-22"  # "Chiều 22/5": the year comes from the page's context
    for fact in [
        "179 đảng viên (trong đó chính thức 170, dự bị 09, Nữ 94, dân tộc khmer 05)",
        "Kết luận số 21-KL/TW",
        "Chỉ thị 05-CT/TW",
    ]:
        assert fact in seed["body"]
    assert "Toàn cảnh hội nghị" not in seed["body"]
    assert "Toàn cảnh hội nghị" in seed["images"]
    assert seed["author"] == "Tổ Giáo dục sức khỏe, phòng Điều dưỡng"


def test_a_run_row_per_site(crawled_db, gold):
    runs = rows(crawled_db, "SELECT * FROM crawl_runs ORDER BY site")
    assert [r["site"] for r in runs] == ["baclieu", "omon"]
    for run in runs:
        assert run["status"] == "ok" and run["finished"] and run["errors"] == 0
        assert run["new"] == len(gold[run["site"]])
        assert run["pages"] > run["new"]


def test_recrawl_adds_no_duplicate(mirrors, crawled_db, tmp_path, gold):
    db = tmp_path / "again.db"
    first = crawl_mirrors(db, mirrors)
    second = crawl_mirrors(db, mirrors)
    assert first.returncode == second.returncode == 0, second.stderr
    total = sum(len(a) for a in gold.values())
    assert rows(db, "SELECT count(*) AS n FROM articles")[0]["n"] == total
    last = rows(db, "SELECT sum(new) AS new, sum(unchanged) AS unchanged FROM crawl_runs WHERE id > 2")[0]
    assert (last["new"], last["unchanged"]) == (0, total)
    assert "0 new" in second.stdout and "unchanged" in second.stdout
