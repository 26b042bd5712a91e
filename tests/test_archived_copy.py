"""Each article links to its original page and to its archived copy: the page as crawled, read back from its WARC
record by a real `hospital-news serve`, with scripts disabled and a banner that says what it is."""

import sqlite3
import subprocess
import urllib.error
import urllib.request
from email.message import Message
from pathlib import Path

import lxml.html
import pytest

from archive.reextract import read_capture
from archive.store import default_warc_dir

from .conftest import CLI, ROOT, free_port, run_cli, serving, wait_for_http
from .test_cli_errors import assert_one_line_error

# The seed article of Bạc Liêu's Party news: its mirror page has a script and javascript: links.
SEED = "%Mã Quốc Thiện%"


def fetch(url: str) -> tuple[int, Message, str]:
    """Status, headers and UTF-8 text of a GET, error statuses included."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.headers, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read().decode("utf-8")


def article(db: Path, where: str = "body LIKE ? AND site = 'baclieu'", params=(SEED,)) -> dict:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return dict(conn.execute(f"SELECT * FROM articles WHERE {where} ORDER BY id LIMIT 1", params).fetchone())
    finally:
        conn.close()


def url_cell(html: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(html).cssselect("td.col-url")[0]


def test_article_page_links_to_the_original_and_to_the_archived_copy(datasette_url, crawled_db):
    row = article(crawled_db)
    status, _, html = fetch(f"{datasette_url}/archive/articles/{row['id']}")
    links = {a.get("href"): a.text_content() for a in url_cell(html).iter("a")}
    assert status == 200
    assert links == {row["url"]: row["url"], f"/-/archived/{row['id']}": "Bản lưu / archived copy"}
    _, _, table = fetch(f"{datasette_url}/archive/articles?_size=5")
    assert table.count('class="archived-copy"') == 5  # on the table page too, one per row


def test_archived_copy_is_the_crawled_page_inert_under_a_banner(datasette_url, crawled_db):
    row = article(crawled_db)
    capture = read_capture(default_warc_dir(crawled_db), row["warc_file"], row["warc_offset"])
    assert b"<script" in capture.body and b'href="javascript:' in capture.body  # what must be neutralised

    status, headers, html = fetch(f"{datasette_url}/-/archived/{row['id']}")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    policy = [part.strip() for part in headers["Content-Security-Policy"].split(";")]
    assert "sandbox" in policy and "allow-scripts" not in headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and headers["X-Content-Type-Options"] == "nosniff"
    assert "<script" not in html.lower() and "javascript:" not in html.lower()

    page = lxml.html.fromstring(html)
    banner = page.get_element_by_id("hospital-news-archived-banner")
    assert banner.getparent().tag == "body" and banner.getparent().index(banner) == 0
    assert "Bản lưu trữ / Archived copy" in banner.text_content()
    assert f"{capture.fetched[:10]} {capture.fetched[11:19]} UTC" in banner.text_content()  # when it was fetched
    banner_links = [a.get("href") for a in banner.iter("a")]
    assert banner_links == [row["url"], f"{datasette_url}/archive/articles/{row['id']}"]
    assert page.find("head/base").get("href") == row["url"]  # relative links lead to the hospital, not here

    text = " ".join(page.text_content().split())
    assert row["title"] in text  # the Vietnamese title, NFC, as on the site
    for paragraph in row["body"].split("\n\n")[:3]:
        assert " ".join(paragraph.split()) in text


@pytest.fixture(scope="module")
def served_copy(crawled_db, tmp_path_factory):
    """A copy of the archive in another folder, one article's capture forgotten, served with --warc-dir."""
    copy = tmp_path_factory.mktemp("copy") / "hospital.db"
    source, target = sqlite3.connect(crawled_db), sqlite3.connect(copy)
    source.backup(target)
    source.close()
    no_capture = article(crawled_db, "site = 'omon'", ())
    target.execute("UPDATE articles SET warc_file = NULL, warc_offset = NULL WHERE id = ?", [no_capture["id"]])
    target.commit()
    target.close()
    with serving(copy, "--warc-dir", str(default_warc_dir(crawled_db))) as url:
        yield url, no_capture


def test_warc_dir_option_tells_the_plugin_where_the_captures_are(served_copy, crawled_db):
    url, _ = served_copy
    row = article(crawled_db)
    status, _, html = fetch(f"{url}/-/archived/{row['id']}")
    assert status == 200 and row["title"] in html
    _, _, metadata = fetch(f"{url}/-/metadata.json")
    assert str(default_warc_dir(crawled_db)) not in metadata  # the server's path is not published


def test_an_article_without_a_capture_gets_a_clear_404(served_copy):
    url, row = served_copy
    status, headers, html = fetch(f"{url}/-/archived/{row['id']}")
    assert status == 404 and "sandbox" in headers["Content-Security-Policy"]
    assert "Không có bản lưu / No archived copy" in html
    assert "archived before raw-page capture (WARC) was on" in html
    assert f'href="{url}/hospital/articles/{row["id"]}"' in html  # the text itself is still one click away
    _, _, page = fetch(f"{url}/hospital/articles/{row['id']}")
    assert [a.get("href") for a in url_cell(page).iter("a")] == [row["url"]]  # no link to a copy that is not there
    status, _, html = fetch(f"{url}/-/archived/987654")
    assert status == 404 and "no article 987654 in the archive" in html


def test_serve_refuses_a_missing_warc_dir(crawled_db, tmp_path):
    result = run_cli("serve", "--db", str(crawled_db), "--warc-dir", str(tmp_path / "nowhere"), timeout=60)
    assert_one_line_error(result, "--warc-dir", "does not exist")


def test_stopping_serve_stops_datasette(crawled_db):
    """SIGTERM to `hospital-news serve` (systemd, these tests) must not leave Datasette running orphaned."""
    port = free_port()
    process = subprocess.Popen([*CLI, "serve", "--db", str(crawled_db), "--port", str(port)], cwd=ROOT)
    url = f"http://127.0.0.1:{port}/-/versions.json"
    wait_for_http(url)
    process.terminate()
    assert process.wait(timeout=30) == 0
    with pytest.raises(urllib.error.URLError):  # nobody listens on the port any more
        urllib.request.urlopen(url, timeout=5)
