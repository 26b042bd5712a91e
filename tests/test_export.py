"""`hospital-news export`: CSV, JSON, NDJSON streamed from the archive; Excel-friendly CSV on request."""

import csv
import io
import json

import pytest

from .conftest import run_cli


def test_csv_to_file(crawled_db, gold, tmp_path):
    out = tmp_path / "articles.csv"
    result = run_cli("export", "--db", str(crawled_db), "--format", "csv", "-o", str(out))
    assert result.returncode == 0, result.stderr
    data = out.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    assert len(rows) == sum(len(a) for a in gold.values())
    assert {"url", "title", "body", "published"} <= set(rows[0])
    assert rows[0]["published"] >= rows[-1]["published"]  # newest first


def test_excel_csv_starts_with_a_byte_order_mark(crawled_db, tmp_path):
    out = tmp_path / "excel.csv"
    assert run_cli("export", "--db", str(crawled_db), "--excel", "-o", str(out)).returncode == 0
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert "Đảng bộ" in data.decode("utf-8-sig")


def test_json_to_stdout_for_one_site(crawled_db, gold):
    result = run_cli("export", "--db", str(crawled_db), "--format", "json", "--site", "omon", "--columns", "url,title")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert len(rows) == len(gold["omon"])
    assert set(rows[0]) == {"url", "title"}


def test_ndjson(crawled_db, gold):
    result = run_cli("export", "--db", str(crawled_db), "--format", "ndjson")
    lines = result.stdout.splitlines()
    assert len(lines) == sum(len(a) for a in gold.values())
    assert json.loads(lines[0])["site"] in ("baclieu", "omon")


def test_unknown_column_is_one_line(crawled_db):
    result = run_cli("export", "--db", str(crawled_db), "--columns", "title,khong_co")
    assert result.returncode == 2 and "khong_co" in result.stderr and "Traceback" not in result.stderr


def _published(gold) -> list[str]:
    return [a["published"] for articles in gold.values() for a in articles]


def test_since_and_until_take_whole_years_and_months(crawled_db, gold):
    result = run_cli(
        "export", "--db", str(crawled_db), "--format", "ndjson", "--since", "2023", "--until", "2024-06",
        "--columns", "published",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    got = sorted(json.loads(line)["published"] for line in result.stdout.splitlines())
    expected = sorted(p for p in _published(gold) if "2023" <= p[:7] <= "2024-06")
    assert got == expected and got


def test_query_finds_what_archive_search_finds_best_first(crawled_db):
    from archive.store import Archive

    result = run_cli("export", "--db", str(crawled_db), "--format", "ndjson", "--query", "hoi nghi so ket")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    with Archive(crawled_db, create=False) as archive:
        expected = [r["url"] for r in archive.search("Hội nghị sơ kết", limit=1000)]
    assert [r["url"] for r in rows] == expected
    assert "hội nghị sơ kết" in rows[0]["title"].lower()


def test_query_category_site_and_dates_combine(crawled_db, gold):
    result = run_cli(
        "export", "--db", str(crawled_db), "--format", "json", "--query", "Đảng ủy", "--site", "omon",
        "--category", "hoat dong cong tac dang", "--since", "2022-01-01", "--columns", "site,category,published",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert rows
    assert {(r["site"], r["category"]) for r in rows} == {("omon", "Hoạt động công tác Đảng")}
    assert min(r["published"] for r in rows) >= "2022-01-01"


def test_category_without_diacritics(crawled_db, gold):
    result = run_cli("export", "--db", str(crawled_db), "--category", "HOAT DONG CONG TAC DANG", "--columns", "url")
    party = sum(1 for articles in gold.values() for a in articles if a["category"] == "party")
    assert result.returncode == 0 and len(result.stdout.splitlines()) == party + 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--since", "2024-13"), "--since"),
        (("--until", "hôm qua"), "--until"),
        (("--site", "khong-co"), "known: baclieu, omon"),
    ],
)
def test_bad_filters_are_one_error_line(crawled_db, args, message):
    result = run_cli("export", "--db", str(crawled_db), *args)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""


def test_export_streams_in_constant_memory(tmp_path):
    """Ten times the rows must not take ten times the Python memory: rows are never held in a list."""
    import tracemalloc

    from archive.export import Selection, article_rows, write_rows
    from archive.store import Archive
    from scraper.profiles import load_profile

    body = "Đảng bộ Bệnh viện tổ chức Hội nghị sơ kết công tác Đảng. " * 40

    def peak(count: int) -> int:
        path = tmp_path / f"a{count}.db"
        with Archive(path) as archive:
            archive.register_site(load_profile("baclieu"))
            archive.save_articles(
                {"url": f"https://x.vn/{i}", "site": "baclieu", "title": f"Tin {i}", "body": body, "published": "2024"}
                for i in range(count)
            )
        with Archive(path) as archive, open(tmp_path / "out.csv", "w", encoding="utf-8") as out:
            tracemalloc.start()
            for selection in (Selection(), Selection(query="dang bo")):
                write_rows(article_rows(archive, ["url", "body"], selection=selection), ["url", "body"], "csv", out)
            _, top = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        return top

    small, large = peak(150), peak(1500)
    assert large < small * 2, (small, large)
