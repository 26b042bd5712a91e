"""Raw capture: every response of a real crawl in WARC files that `warcio check` passes, found again from the
article rows, and enough to rebuild the articles with no network (`hospital-news reextract`)."""

import gzip
import json
import sqlite3
import subprocess
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse, Request
from warcio.archiveiterator import ArchiveIterator

from archive import reextract
from archive.reextract import read_capture
from archive.store import Archive, default_warc_dir
from scraper.extract import extract_article
from scraper.mirror.images import make_jpeg
from scraper.profiles import load_profile
from scraper.spiders.site import SiteSpider
from scraper.warc import WarcFiles

from .conftest import WARCIO, crawl_mirrors, rows, run_cli


def records(path: Path) -> list:
    """(type, target URI, HTTP status, content type) of every record in a WARC file."""
    found = []
    with path.open("rb") as stream:
        for record in ArchiveIterator(stream):
            http = record.http_headers
            found.append(
                (
                    record.rec_type,
                    record.rec_headers.get_header("WARC-Target-URI"),
                    http.get_statuscode() if http and record.rec_type == "response" else None,
                    http.get_header("Content-Type") if http and record.rec_type == "response" else None,
                )
            )
    return found


def warcio_check(folder: Path) -> subprocess.CompletedProcess:
    files = sorted(str(p) for p in folder.glob("*.warc.gz"))
    assert files, f"no WARC file in {folder}"
    return subprocess.run([*WARCIO, "check", "-v", *files], capture_output=True, text=True, timeout=120)


def test_every_response_is_captured_and_passes_warcio_check(crawled_db):
    folder = default_warc_dir(crawled_db)
    result = warcio_check(folder)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "digest pass" in result.stdout and "digest fail" not in result.stdout
    captured = [r for path in sorted(folder.glob("*.warc.gz")) for r in records(path)]
    responses = [r for r in captured if r[0] == "response"]
    assert {r[0] for r in captured} == {"warcinfo", "response", "request", "metadata"}
    assert len([r for r in captured if r[0] == "request"]) == len(responses)
    pages = sum(r["pages"] for r in rows(crawled_db, "SELECT pages FROM crawl_runs"))
    assert len(responses) == pages  # listings, articles, images, robots.txt: every response the crawl counted
    content_types = {r[3].split(";")[0] for r in responses}
    assert {"text/html", "image/jpeg"} <= content_types


def test_article_images_are_fetched_on_site_only_and_captured(crawled_db):
    folder = default_warc_dir(crawled_db)
    image_uris = {
        r[1] for path in folder.glob("*.warc.gz") for r in records(path) if r[0] == "response" and "image" in r[3]
    }
    wanted = set()
    for row in rows(crawled_db, "SELECT images, fetched_url, url FROM articles"):
        real_origin, fetched_origin = origin(row["url"]), origin(row["fetched_url"])
        for image in json.loads(row["images"]):
            if image["src"].startswith(real_origin + "/"):
                wanted.add(fetched_origin + image["src"][len(real_origin) :])
    assert wanted and wanted <= image_uris
    assert all(uri.startswith("http://127.0.0.1:") for uri in image_uris)  # nothing fetched off the mirrors


def origin(url: str) -> str:
    return "/".join(url.split("/", 3)[:3])


def test_article_rows_point_at_their_raw_page(crawled_db):
    """The record at each row's (warc_file, warc_offset) is that article's page: extracting it gives the row."""
    folder = default_warc_dir(crawled_db)
    articles = rows(crawled_db, "SELECT * FROM articles")
    assert articles and all(a["warc_file"] and a["warc_offset"] is not None for a in articles)
    profiles = {site: load_profile(site) for site in {a["site"] for a in articles}}
    for article in articles:
        capture = read_capture(folder, article["warc_file"], article["warc_offset"])
        assert capture.status == 200 and capture.url == article["fetched_url"]
        fields = extract_article(capture.body, capture.url, profiles[article["site"]], header_charset=capture.charset)
        assert (fields["title"], fields["body"]) == (article["title"], article["body"]), article["url"]


def test_replayable_http_response_headers(crawled_db):
    """Status line, Content-Length of the stored body, no hop-by-hop headers Scrapy already undid."""
    article = rows(crawled_db, "SELECT warc_file, warc_offset FROM articles LIMIT 1")[0]
    with (default_warc_dir(crawled_db) / article["warc_file"]).open("rb") as stream:
        stream.seek(article["warc_offset"])
        record = next(ArchiveIterator(stream))
        headers = record.http_headers
        body = record.content_stream().read()
    assert headers.protocol == "HTTP/1.1" and headers.statusline == "200 OK"
    assert int(headers.get_header("Content-Length")) == len(body)
    assert headers.get_header("Transfer-Encoding") is None and headers.get_header("Connection") is None
    assert headers.get_header("Server") == "Microsoft-IIS/8.5" or headers.get_header("Server") == "nginx"


@pytest.fixture(scope="module")
def small_warc_crawl(mirrors, tmp_path_factory):
    """A crawl of Bạc Liêu with WARC files in a folder of our choosing, rotated every ~40 kB."""
    tmp = tmp_path_factory.mktemp("warc")
    db, warc_dir = tmp / "archive.db", tmp / "raw"
    result = crawl_mirrors(
        db, {"baclieu": mirrors["baclieu"]}, "--warc-dir", str(warc_dir), "-s", "HOSPITAL_NEWS_WARC_MAX_SIZE=40000"
    )
    assert result.returncode == 0, result.stderr
    return db, warc_dir


def test_warc_dir_option_and_rotation_by_size(small_warc_crawl):
    db, warc_dir = small_warc_crawl
    assert not default_warc_dir(db).exists()
    files = sorted(warc_dir.glob("*.warc.gz"))
    assert len(files) >= 3
    for path in files:
        assert records(path)[0][0] == "warcinfo"  # every rotated file stands alone
        assert path.stat().st_size < 40000 + 200_000  # one exchange can overshoot, never by much
    assert warcio_check(warc_dir).returncode == 0


def test_reextract_restores_an_altered_article_and_keeps_the_version(small_warc_crawl):
    db, warc_dir = small_warc_crawl
    conn = sqlite3.connect(db)
    article_id, original = conn.execute("SELECT id, body FROM articles ORDER BY id LIMIT 1").fetchone()
    conn.execute("UPDATE articles SET body = ? WHERE id = ?", ["Bài viết bị sửa sai.", article_id])
    conn.execute("UPDATE articles SET gone_since = '2026-01-01T00:00:00Z' WHERE id = ?", [article_id])
    sighting = conn.execute("SELECT last_seen, last_run FROM articles WHERE id = ?", [article_id]).fetchone()
    conn.commit()
    conn.close()
    result = run_cli("reextract", "--db", str(db), "--warc-dir", str(warc_dir))
    assert result.returncode == 0, result.stderr
    total = rows(db, "SELECT count(*) AS n FROM articles")[0]["n"]
    assert f"{total} articles re-extracted: 1 updated, {total - 1} unchanged, 0 without" in result.stdout
    restored = rows(db, "SELECT body, last_seen, last_run, gone_since FROM articles WHERE id = ?", (article_id,))[0]
    assert restored["body"] == original
    # re-extraction is not a visit to the site: when it was last seen, and that it is gone, stay as they were
    assert (restored["last_seen"], restored["last_run"]) == tuple(sighting)
    assert restored["gone_since"] == "2026-01-01T00:00:00Z"
    versions = rows(db, "SELECT body FROM article_versions WHERE article_id = ?", (article_id,))
    assert [v["body"] for v in versions] == ["Bài viết bị sửa sai."]
    found = rows(db, "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?", ('"sửa sai"',))
    assert found == []  # the search index follows the restored text


def test_reextract_walks_the_archive_a_page_at_a_time_and_reports_progress(small_warc_crawl, monkeypatch):
    """A million-article archive is read in pages of ids, never all at once; every article is still visited."""
    db, warc_dir = small_warc_crawl
    monkeypatch.setattr(reextract, "PAGE_ROWS", 7)  # 39 articles: six pages, the last one short
    calls = []
    with Archive(db, create=False) as archive:
        total = archive.count()
        report = reextract.reextract_archive(archive, warc_dir, progress=lambda done, of: calls.append((done, of)))
    assert report.new + report.updated + report.unchanged + len(report.missing) == total
    assert report.unchanged == total and not report.missing
    assert calls[-1] == (total, total) and [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_reextract_without_warc_folder_is_one_error_line(small_warc_crawl, tmp_path):
    db, _ = small_warc_crawl
    result = run_cli("reextract", "--db", str(db), "--warc-dir", str(tmp_path / "khong-co"))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("Error: ") and "no WARC folder" in result.stderr


def test_a_gzip_encoded_page_is_stored_as_received_and_read_back_decoded(tmp_path):
    """Scrapy decodes Content-Encoding after the capture: the record keeps the gzip body and its header."""
    page = "<html><body><h1>Đại hội Chi bộ Khoa Nội nhiệm kỳ 2025–2030</h1></body></html>".encode()
    response = HtmlResponse(
        "https://bvdkbaclieu.vn/tin/dai-hoi-chi-bo-1.html",
        status=200,
        headers={"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip", "Connection": "close"},
        body=gzip.compress(page),
        request=Request("https://bvdkbaclieu.vn/tin/dai-hoi-chi-bo-1.html"),
        protocol="HTTP/1.1",
    )
    files = WarcFiles(tmp_path, "hospital-news-test", max_size=10_000_000)
    where = files.write_exchange(response.request, response, {"hospital-news-listed": "2025-05-22"})
    files.close()
    capture = read_capture(tmp_path, where.file, where.offset)
    assert capture.body == page and capture.charset == "utf-8"
    assert capture.metadata["hospital-news-listed"] == "2025-05-22"
    with (tmp_path / where.file).open("rb") as stream:
        stream.seek(where.offset)
        record = next(ArchiveIterator(stream))
        assert record.http_headers.get_header("Content-Encoding") == "gzip"
        assert record.http_headers.get_header("Connection") is None
        assert record.raw_stream.read() == response.body  # the bytes as they came over the wire
    assert warcio_check(tmp_path).returncode == 0


def test_a_photo_is_stored_in_its_gzip_member_and_a_page_is_deflated(tmp_path):
    """Deflating a JPEG again costs milliseconds and saves nothing: its record is stored; a page's is deflated.

    Both must still read back byte for byte and pass ``warcio check``.
    """
    photo = make_jpeg()  # flat grey: deflate would shrink it a lot, so a stored member is easy to tell
    paragraph = "<p>Đảng bộ Bệnh viện Đa khoa Bạc Liêu tổ chức hội nghị.</p>"
    page = f"<html><body><h1>Hội nghị kiểm điểm Đảng viên năm 2025</h1>{paragraph * 50}</body></html>".encode()
    files = WarcFiles(tmp_path, "hospital-news-test", max_size=10_000_000)
    written = {}
    for url, content_type, body in [
        ("https://bvdkbaclieu.vn/uploads/hoi-nghi.jpg", "image/jpeg", photo),
        ("https://bvdkbaclieu.vn/tin/hoi-nghi-kiem-diem-1.html", "text/html; charset=utf-8", page),
    ]:
        response = HtmlResponse(url, status=200, headers={"Content-Type": content_type}, body=body,
                                request=Request(url), protocol="HTTP/1.1")  # fmt: skip
        written[url] = (files.write_exchange(response.request, response, {}), body)
    files.close()
    member_sizes = {}
    for url, (location, body) in written.items():
        assert read_capture(tmp_path, location.file, location.offset).body == body
        member_sizes[url] = response_member_size(tmp_path / location.file, location.offset)
    assert member_sizes["https://bvdkbaclieu.vn/uploads/hoi-nghi.jpg"] > len(photo)  # stored, not deflated
    assert member_sizes["https://bvdkbaclieu.vn/tin/hoi-nghi-kiem-diem-1.html"] < len(page) / 4  # deflated
    assert warcio_check(tmp_path).returncode == 0


def response_member_size(path: Path, offset: int) -> int:
    """The size on disk of the record (its own gzip member) that starts at ``offset``."""
    with path.open("rb") as stream:
        stream.seek(offset)
        records = ArchiveIterator(stream)
        next(records).content_stream().read()
        return records.get_record_length()


def test_unwritable_warc_dir_is_refused_before_fetching(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("tệp thường, không phải thư mục", encoding="utf-8")
    result = run_cli("crawl", "omon", "--db", str(tmp_path / "a.db"), "--warc-dir", str(blocker / "warc"))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "cannot write WARC files" in errors[0]
    assert "Crawling" not in result.stderr  # refused before anything was fetched


def test_without_helper_processes_the_crawl_extracts_and_captures_in_its_own_process(mirrors, gold, tmp_path):
    """-s HOSPITAL_NEWS_EXTRACT_IN_HELPER=False -s HOSPITAL_NEWS_WARC_IN_HELPER=False: the same articles, each
    pointing at its raw page, in WARC files that pass `warcio check`."""
    db = tmp_path / "archive.db"
    off = ["-s", "HOSPITAL_NEWS_EXTRACT_IN_HELPER=False", "-s", "HOSPITAL_NEWS_WARC_IN_HELPER=False"]
    result = crawl_mirrors(db, {"baclieu": mirrors["baclieu"]}, *off)
    assert result.returncode == 0, result.stderr
    articles = rows(db, "SELECT url, title, body, fetched_url, warc_file, warc_offset FROM articles")
    assert sorted(a["url"] for a in articles) == sorted(a["url"] for a in gold["baclieu"])
    folder, profile = default_warc_dir(db), load_profile("baclieu")
    for article in articles:
        capture = read_capture(folder, article["warc_file"], article["warc_offset"])
        fields = extract_article(capture.body, capture.url, profile, header_charset=capture.charset)
        assert (capture.url, fields["title"], fields["body"]) == (
            article["fetched_url"],
            article["title"],
            article["body"],
        )
    assert warcio_check(folder).returncode == 0


def test_an_image_shown_by_several_articles_is_requested_once():
    """Articles of one hospital often reuse a photo. Asking Scrapy again for an image already requested costs a
    trip through every spider middleware and the duplicate filter per article (``python -m bench crawl``)."""
    spider = SiteSpider(profile=load_profile("omon"), base_url="http://127.0.0.1:8000")
    images = [{"src": "http://127.0.0.1:8000/uploads/hoi-nghi.jpg"}, {"src": "https://cdn.example.vn/logo.png"}]
    assert [request.url for request in spider._image_requests(images)] == ["http://127.0.0.1:8000/uploads/hoi-nghi.jpg"]
    assert list(spider._image_requests(images)) == []
