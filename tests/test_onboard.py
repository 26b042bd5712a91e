"""`hospital-news sites add URL` on each mirror, then a crawl with the written profile: every Party article, no editing.

The three extra mirrors (a WordPress theme, a windows-1258 table-layout portal, a flat-URL news portal) are layouts
no profile in the repo describes; their profiles and templates come from detection alone.
"""

from __future__ import annotations

import sqlite3
import unicodedata
import urllib.request

import pytest

from scraper.extract import extract_article
from scraper.extract.boilerplate import FORBIDDEN_IN_BODY
from scraper.extract.sitelearn import learn_template
from scraper.mirror import load_articles, serve_mirrors
from scraper.profiles import load_profile
from scraper.urls import canonical_url

from .conftest import MIRROR_SETTINGS, run_cli

NEW_SITES = ("songxanh", "nuiben", "culao")
ALL_SITES = ("baclieu", "omon", *NEW_SITES)


@pytest.fixture(scope="module")
def new_mirrors():
    servers = serve_mirrors(list(NEW_SITES))
    yield servers
    for server in servers.values():
        server.stop()


@pytest.fixture(scope="module")
def onboarded(mirrors, new_mirrors, tmp_path_factory):
    """Profiles written by `sites add` for all four mirrors, then one crawl of all of them."""
    servers = {**mirrors, **new_mirrors}
    sites_dir = tmp_path_factory.mktemp("sites")
    outputs = {}
    for site in ALL_SITES:
        result = run_cli(
            "sites", "add", servers[site].url, "--name", site, "--sites-dir", str(sites_dir), "--delay", "0"
        )
        assert result.returncode == 0, result.stderr
        outputs[site] = result.stdout
    db = sites_dir / "archive.db"
    result = run_cli("crawl", *ALL_SITES, "--sites-dir", str(sites_dir), "--db", str(db), *MIRROR_SETTINGS)
    assert result.returncode == 0, result.stderr
    return servers, sites_dir, db, outputs


def test_sites_add_finds_the_party_category_by_its_wording(onboarded):
    _, sites_dir, _, outputs = onboarded
    assert "Party category: Đảng - Đoàn thể -> /chuyen-muc/dang-doan-the/" in outputs["songxanh"]
    assert "Party category: Hoạt động Đảng -> /tin.asp?nhom=3" in outputs["nuiben"]
    assert "pagination: a[href*='/page/']" in outputs["songxanh"]
    # Cù Lao: the category sits in a drop-down, and its URL has the same shape as an article's.
    assert "Party category: Công tác Đảng -> /cong-tac-dang.html" in outputs["culao"]
    assert "listing entries: div.list-news > div.item-news" in outputs["culao"]
    assert "pagination: a[href*='/trang-']" in outputs["culao"]
    profile = load_profile("nuiben", sites_dir)
    assert [c.name for c in profile.party_categories] == ["Hoạt động Đảng"]
    assert profile.article.body is None  # no selectors were needed


@pytest.mark.parametrize("site", ALL_SITES)
def test_crawl_with_a_detected_profile_archives_every_party_article(onboarded, site):
    servers, _, db, _ = onboarded
    # Stored under the canonical form of each URL (scraper/urls.py: no trailing slash, no tracking parameters).
    want = {canonical_url(servers[site].url + a["path"]): a for a in load_articles(site) if a["category"] == "party"}
    conn = sqlite3.connect(db)
    rows = conn.execute(
        "SELECT url, title, published, author, body FROM articles WHERE site = ? AND party = 1", (site,)
    )
    got = {url: {"title": t, "published": p, "author": a, "body": b} for url, t, p, a, b in rows}
    conn.close()
    assert set(got) == set(want)
    mismatches = [
        (article["id"], key, got[url][key], value)
        for url, article in want.items()
        for key, value in (
            ("title", article["title"]),
            ("published", article["published"]),
            ("author", article["author"]),
            ("body", "\n\n".join(article["paragraphs"])),
        )
        if got[url][key] != value
    ]
    assert mismatches == []
    for fields in got.values():
        body = fields["body"]
        assert unicodedata.is_normalized("NFC", body)
        assert not [s for s in [*FORBIDDEN_IN_BODY, "Đường dây nóng", "Ý kiến đóng góp", "Tải ứng dụng"] if s in body]


def test_learning_finds_template_lines_but_not_repeated_author_lines(new_mirrors):
    for site, note in (("songxanh", "Đường dây nóng"), ("nuiben", "Ý kiến đóng góp"), ("culao", "Tải ứng dụng")):
        articles = load_articles(site)[:8]
        pages = []
        for article in articles:
            url = new_mirrors[site].url + article["path"]
            with urllib.request.urlopen(url, timeout=10) as response:
                pages.append((response.read(), url))
        template = learn_template(pages)
        assert any(line.startswith(note) for line in template.lines), template
        assert "Văn phòng Đảng ủy" not in template.lines
        fields = extract_article(pages[0][0], pages[0][1], template=template)
        assert note not in fields["body"] and fields["author"] == articles[0]["author"]


def test_sites_add_refuses_an_unreachable_site(tmp_path, free_port_url):
    result = run_cli("sites", "add", free_port_url, "--name", "gone", "--sites-dir", str(tmp_path))
    assert result.returncode == 1
    assert result.stderr.startswith("Error: cannot fetch") and result.stderr.count("\n") == 1
    assert not list(tmp_path.iterdir())


def test_sites_add_never_overwrites_a_profile_without_force(onboarded):
    servers, sites_dir, _, _ = onboarded
    before = (sites_dir / "omon.toml").read_text(encoding="utf-8")
    result = run_cli("sites", "add", servers["baclieu"].url, "--name", "omon", "--sites-dir", str(sites_dir))
    assert result.returncode == 1 and "already exists" in result.stderr
    assert (sites_dir / "omon.toml").read_text(encoding="utf-8") == before


@pytest.fixture
def free_port_url():
    from .conftest import free_port

    return f"http://127.0.0.1:{free_port()}/"


def serve_pages(pages: dict[str, str]):
    """A loopback site answering each path with its text (the home page for any other path)."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from threading import Thread

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - stdlib naming
            body = pages.get(self.path, pages["/"]).encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def site_without_party_news():
    """A loopback site whose home page lists news but names no Party category."""

    items = "".join(
        f'<li><a href="/tin/{i}.html">Bệnh viện tổ chức tập huấn chuyên môn đợt {i}</a></li>' for i in range(6)
    )
    page = (
        "<html><head><title>Trung tâm Y tế</title></head>"
        f'<body><a href="/tin">Tin tức</a><ul>{items}</ul></body></html>'
    )

    server = serve_pages({"/": page})
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_sites_add_respects_robots_txt(tmp_path):
    server = serve_pages({"/": "<html><body>Trang chủ</body></html>", "/robots.txt": "User-agent: *\nDisallow: /\n"})
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        result = run_cli("sites", "add", url, "--name", "kin", "--sites-dir", str(tmp_path), "--delay", "0")
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == 1 and result.stderr.startswith("Error: robots.txt of 127.0.0.1:")
    assert not (tmp_path / "kin.toml").exists()


def test_sites_add_says_when_no_party_category_is_found(tmp_path, site_without_party_news):
    result = run_cli("sites", "add", site_without_party_news, "--name", "ttyt", "--sites-dir", str(tmp_path))
    assert result.returncode == 1
    assert result.stderr.startswith("Error: no Party news category found") and result.stderr.count("\n") == 1
    assert not (tmp_path / "ttyt.toml").exists()


def test_sites_add_looks_one_level_down_for_a_folded_party_menu_of_image_buttons(tmp_path):
    def listing(title: str, ids: range, extra: str = "") -> str:
        items = "".join(f'<li><a href="/bai/{i}.html">Bài viết số {i} về hoạt động của bệnh viện</a></li>' for i in ids)
        return f"<html><head><title>{title}</title></head><body>{extra}<ul class='ds'>{items}</ul></body></html>"

    server = serve_pages(
        {
            "/": listing("Bệnh viện Đa khoa huyện Thử", range(1, 4), '<a href="/tin-tuc">Tin tức</a>'),
            # an image button, as old menus are: its alt text is its label
            "/tin-tuc": listing("Tin tức", range(1, 5), '<a href="/hoat-dong-dang"><img alt="Hoạt động Đảng"></a>'),
            "/hoat-dong-dang": listing("Hoạt động Đảng", range(11, 15), '<a href="/hoat-dong-dang?trang=2">2</a>'),
        }
    )
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        result = run_cli("sites", "add", url, "--name", "thu", "--sites-dir", str(tmp_path), "--delay", "0")
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == 0, result.stderr
    assert "Party category: Hoạt động Đảng -> /hoat-dong-dang" in result.stdout
    assert "pagination: a[href*='?trang='], a[href*='&trang=']" in result.stdout
    assert load_profile("thu", tmp_path).listing.article_url == r"(?i)^/bai/\d+\.html$"
