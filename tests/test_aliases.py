"""One article, one row: a real crawl of a small site that links its articles through tracking parameters,
print views, trailing slashes, a redirecting ``?id=`` form and a page naming its canonical URL."""

import sqlite3
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from .conftest import MIRROR_SETTINGS, run_cli

REAL = "https://bvthu.example.vn"
PROFILE = f"""
[site]
name = "thu"
hospital = "Bệnh viện Thử nghiệm"
province = "Cần Thơ"
base_url = "{REAL}"

[[categories]]
name = "Hoạt động Đảng"
url = "/dang"
party = true

[listing]
article_url = '^/tin/'
link = "a.tin"

[article]
title = "h1"
body = "div.noi-dung"
"""
LINKS = [
    "/tin/dai-hoi-chi-bo-1.html?utm_source=zalo&utm_medium=chat",  # first spelling of article 1
    "/tin/dai-hoi-chi-bo-1.html?print=1",
    "/tin/dai-hoi-chi-bo-1.html/",
    "/tin/dai-hoi-chi-bo-1.html?fbclid=IwAR2xyz#binh-luan",
    "/tin/id/2",  # redirects to article 2's slug URL
    "/tin/xem?id=3",  # served here, but the page names its canonical slug URL
]
ARTICLES = {
    "/tin/dai-hoi-chi-bo-1.html": ("Đại hội Chi bộ Khoa Nội nhiệm kỳ 2025 - 2030", None),
    "/tin/hoi-nghi-so-ket-2.html": ("Hội nghị sơ kết công tác Đảng 6 tháng đầu năm", None),
    "/tin/xem": ("Lễ kết nạp đảng viên mới tại Chi bộ Khoa Ngoại", "/tin/ket-nap-dang-vien-3.html"),
}


def page(title: str, canonical: str | None) -> bytes:
    link = f'<link rel="canonical" href="{REAL}{canonical}">' if canonical else ""
    paragraphs = "".join(
        f"<p>{text}</p>"
        for text in (
            f"Sáng 12/7/2025, {title.lower()} đã diễn ra tại hội trường Bệnh viện.",
            "Đồng chí Bí thư Đảng ủy Bệnh viện phát biểu chỉ đạo, đề nghị các đảng viên phát huy vai trò tiên phong.",
        )
    )
    body = f'<h1>{title}</h1><div class="noi-dung">{paragraphs}</div>'
    return f"<html><head>{link}</head><body>{body}</body></html>".encode()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802 - stdlib naming
        path = self.path.split("#")[0]
        bare = path.split("?")[0].rstrip("/")
        if path == "/dang":
            self.reply(200, "".join(f'<a class="tin" href="{href}">tin</a>' for href in LINKS).encode())
        elif bare == "/tin/id/2":
            self.send_response(301)
            self.send_header("Location", "/tin/hoi-nghi-so-ket-2.html")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif bare in ARTICLES:
            self.reply(200, page(*ARTICLES[bare]))
        else:
            self.reply(404, b"<h1>404</h1>")

    def reply(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def site(tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sites = tmp_path / "sites"
    sites.mkdir()
    (sites / "thu.toml").write_text(PROFILE, encoding="utf-8")
    yield sites, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_each_article_is_one_row_under_its_canonical_url_with_aliases(site, tmp_path):
    sites, url = site
    db = tmp_path / "archive.db"
    args = ["crawl", "thu", "--sites-dir", str(sites), "--db", str(db), "--base-url", f"thu={url}", *MIRROR_SETTINGS]
    for _ in range(2):
        result = run_cli(*args)
        assert result.returncode == 0, result.stderr
    conn = sqlite3.connect(db)
    articles = dict(conn.execute("SELECT url, id FROM articles"))
    aliases = conn.execute("SELECT a.url, l.url FROM article_aliases l JOIN articles a ON a.id = l.article_id")
    aliases = sorted(aliases.fetchall())
    conn.close()
    assert sorted(articles) == [
        f"{REAL}/tin/dai-hoi-chi-bo-1.html",
        f"{REAL}/tin/hoi-nghi-so-ket-2.html",
        f"{REAL}/tin/ket-nap-dang-vien-3.html",
    ]
    assert aliases == [
        (f"{REAL}/tin/dai-hoi-chi-bo-1.html", f"{REAL}/tin/dai-hoi-chi-bo-1.html?utm_source=zalo&utm_medium=chat"),
        (f"{REAL}/tin/hoi-nghi-so-ket-2.html", f"{REAL}/tin/id/2"),
        (f"{REAL}/tin/ket-nap-dang-vien-3.html", f"{REAL}/tin/xem?id=3"),
    ]
