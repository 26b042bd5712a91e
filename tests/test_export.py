"""`hospital-news export`: CSV, JSON, NDJSON streamed from the archive; Excel-friendly CSV on request."""

import csv
import io
import json

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
