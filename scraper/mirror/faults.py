"""A small hospital site on loopback that misbehaves on demand: the crawler's faults, made real.

Real hospital servers cut responses short, declare the wrong charset, loop redirects, serve endless
"next page" and calendar links, answer 503 for minutes, hang, or send a gzip bomb. ``FaultSite`` serves a
plain site (one Party-news listing, a few Vietnamese articles) over HTTP on 127.0.0.1, and ``faults`` maps a
path (with its query, as requested, or without it) to a behaviour that replaces the normal answer:

    >>> with FaultSite(articles=4) as site:                                   # doctest: +SKIP
    ...     site.faults["/tin/2"] = truncated()
    ...     site.faults["/tin/3"] = status(503)
    ...     site.links.append("http://127.0.0.1:9/tin/99")                    # an off-site link

Every request is logged (path, User-Agent, start and end time) and the most requests ever in flight at once
is kept, so tests can check what the crawler did, not only what it stored.
"""

from __future__ import annotations

import contextlib
import gzip
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from .render_nuiben import to_cp1258

# A behaviour writes the whole answer to one request itself.
Fault = Callable[["_Handler"], None]

REAL_URL = "https://bvthuloi.example.vn"
PROFILE = """\
[site]
name = "{name}"
hospital = "Bệnh viện Đa khoa Thử Lỗi"
province = "Cần Thơ"
base_url = "{base_url}"

[[categories]]
name = "Hoạt động công tác Đảng"
url = "/dang"
party = true

[listing]
article_url = '^/tin/\\d+'
item = "ul.ds li"
link = "a.tieude"
date = "span.ngay"
pages = "div.trang a"

[article]
title = "h1.tieude"
date = "p.ngay"
body = "div.noidung"
"""


def write_profile(sites_dir: Path, name: str = "thuloi", base_url: str = REAL_URL) -> Path:
    """The site profile for a FaultSite, as a user would write it under ``--sites-dir``."""
    sites_dir.mkdir(parents=True, exist_ok=True)
    path = sites_dir / f"{name}.toml"
    path.write_text(PROFILE.format(name=name, base_url=base_url), encoding="utf-8")
    return path


def article_title(number: int) -> str:
    return f"Đảng bộ Bệnh viện tổ chức Hội nghị sơ kết công tác xây dựng Đảng, đợt {number}"


def article_html(number: int) -> str:
    """One article page: a title, a date and three paragraphs of real Vietnamese."""
    paragraphs = [
        f"Sáng ngày {number} tháng 3 năm 2025, Đảng ủy Bệnh viện Đa khoa Thử Lỗi tổ chức Hội nghị sơ kết "
        "công tác xây dựng Đảng sáu tháng đầu năm và triển khai nhiệm vụ sáu tháng cuối năm.",
        "Đồng chí Bí thư Đảng ủy đánh giá các chi bộ đã thực hiện nghiêm túc Nghị quyết, giữ vững nguyên tắc "
        "tập trung dân chủ, tự phê bình và phê bình; kết nạp thêm hai đảng viên mới là điều dưỡng trẻ.",
        "Hội nghị thống nhất đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh, "
        "nâng cao chất lượng khám chữa bệnh, chăm sóc người bệnh ngày càng tốt hơn.",
    ]
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>BVĐK Thử Lỗi</title></head><body>'
        f'<h1 class="tieude">{article_title(number)}</h1><p class="ngay">Ngày đăng: {number:02d}/03/2025</p>'
        f'<div class="noidung">{body}<p><b>Văn phòng Đảng ủy</b></p></div></body></html>'
    )


# -- behaviours ---------------------------------------------------------------------------------------


def truncated() -> Fault:
    """Promise more bytes (Content-Length) than are sent, then close the connection."""

    def answer(handler: _Handler) -> None:
        body = handler.normal_body()
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Length", str(len(body) + 5000))
        handler.end_headers()
        handler.wfile.write(body[: len(body) // 2])
        handler.wfile.flush()
        handler.close_connection = True

    return answer


def mislabelled(encoding: str, declared: str) -> Fault:
    """The page's bytes in ``encoding`` while the header and the <meta> both declare ``declared``."""

    def answer(handler: _Handler) -> None:
        html = handler.normal_body().decode("utf-8").replace('charset="utf-8"', f'charset="{declared}"')
        data = to_cp1258(html) if encoding == "cp1258" else html.encode(encoding)
        handler.reply(200, data, f"text/html; charset={declared}")

    return answer


def gzip_bomb(size: int) -> Fault:
    """``size`` bytes of zeros, sent gzip-compressed (a thousandfold smaller on the wire)."""
    bomb = gzip.compress(b"\0" * size, compresslevel=9)

    def answer(handler: _Handler) -> None:
        handler.reply(200, bomb, "text/html; charset=utf-8", [("Content-Encoding", "gzip")])

    return answer


def huge(size: int, announced: bool = True) -> Fault:
    """An article page padded to ``size`` bytes, with a Content-Length that says so or (``announced=False``)
    without one: streamed until the connection closes, so only the bytes received can tell the size."""

    def answer(handler: _Handler) -> None:
        body = handler.normal_body()
        body += b" " * max(size - len(body), 0)
        if announced:
            handler.reply(200, body, "text/html; charset=utf-8")
            return
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.close_connection = True
        for start in range(0, len(body), 65536):
            handler.wfile.write(body[start : start + 65536])

    return answer


def redirect(location: str, code: int = 302) -> Fault:
    def answer(handler: _Handler) -> None:
        handler.reply(code, b"", "text/html; charset=utf-8", [("Location", location)])

    return answer


def status(code: int, retry_after: int | None = None) -> Fault:
    """An error answer (a 5xx storm when set on many paths), optionally with a Retry-After header."""

    def answer(handler: _Handler) -> None:
        extra = [("Retry-After", str(retry_after))] if retry_after is not None else []
        handler.reply(code, f"<h1>{code} - Lỗi máy chủ</h1>".encode(), "text/html; charset=utf-8", extra)

    return answer


def slow(seconds: float) -> Fault:
    """Answer normally, but only after ``seconds`` (longer than the crawler's timeout: a hanging server)."""

    def answer(handler: _Handler) -> None:
        time.sleep(seconds)
        handler.reply(200, handler.normal_body(), "text/html; charset=utf-8")

    return answer


# -- the server ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    path: str
    user_agent: str
    started: float
    ended: float


class _Handler(BaseHTTPRequestHandler):
    site: FaultSite
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - stdlib signature
        pass

    def handle(self) -> None:
        # The crawler dropping the connection (a timeout, a refused body) is not the server's fault.
        with contextlib.suppress(ConnectionError):
            super().handle()

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        started = time.monotonic()
        self.site.enter(self.path)
        try:
            parts = urlsplit(self.path)
            fault = self.site.faults.get(self.path) or self.site.faults.get(parts.path)
            if fault is not None:
                fault(self)
            else:
                status_code, body, ctype = self.site.route(parts.path, parse_qs(parts.query))
                time.sleep(self.site.latency)  # a real server takes a moment: lets overlapping requests show
                self.reply(status_code, body, ctype)
        except ConnectionError:
            self.close_connection = True  # the crawler gave up (a timeout) before the answer was written
        finally:
            self.site.leave(Hit(self.path, self.headers.get("User-Agent", ""), started, time.monotonic()))

    def normal_body(self) -> bytes:
        parts = urlsplit(self.path)
        return self.site.route(parts.path, parse_qs(parts.query))[1]

    def reply(self, code: int, body: bytes, ctype: str, headers: list[tuple[str, str]] = ()) -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


class FaultSite:
    """One listing (``/dang``, ``per_page`` articles a page) and ``articles`` article pages ``/tin/N``.

    ``links`` are extra hrefs on the listing's first page; ``robots`` is the robots.txt served;
    ``endless_pages`` makes ``/dang?page=N`` exist for every N, with a next link and no new article (a
    pagination trap); ``calendar`` adds a month calendar (``/lich?thang=YYYY-MM``) whose "previous month"
    link never ends. ``latency`` is how long a normal answer takes.
    """

    def __init__(self, articles: int = 6, per_page: int = 3, latency: float = 0.0) -> None:
        self.articles = articles
        self.per_page = per_page
        self.latency = latency
        self.faults: dict[str, Fault] = {}
        self.links: list[str] = []
        self.robots = "User-agent: *\nAllow: /\n"
        self.endless_pages = False
        self.calendar = False
        self.paths: list[str] = []  # every path requested, in the order the requests came in
        self.hits: list[Hit] = []  # every answered request, in the order the answers ended
        self.max_in_flight = 0
        self._in_flight = 0
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None

    # -- bookkeeping --------------------------------------------------------------------------------

    def enter(self, path: str) -> None:
        with self._lock:
            self.paths.append(path)
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)

    def leave(self, hit: Hit) -> None:
        with self._lock:
            self._in_flight -= 1
            self.hits.append(hit)

    def requested(self, prefix: str = "/") -> list[str]:
        """Paths requested so far that start with ``prefix``, in the order they came in."""
        return [path for path in self.paths if path.startswith(prefix)]

    # -- pages --------------------------------------------------------------------------------------

    def route(self, path: str, query: dict[str, list[str]]) -> tuple[int, bytes, str]:
        html = "text/html; charset=utf-8"
        if path == "/robots.txt":
            return 200, self.robots.encode(), "text/plain; charset=utf-8"
        if path == "/dang":
            return 200, self.listing(int(query.get("page", ["1"])[0])).encode(), html
        if path == "/lich" and self.calendar:
            return 200, calendar_page(query.get("thang", ["2025-03"])[0]).encode(), html
        if path.startswith("/tin/") and path[5:].isdigit() and 1 <= int(path[5:]) <= self.articles:
            return 200, article_html(int(path[5:])).encode(), html
        return 404, "<h1>404 - Không tìm thấy trang</h1>".encode(), html

    def listing(self, page: int) -> str:
        first = (page - 1) * self.per_page + 1
        numbers = range(first, min(first + self.per_page, self.articles + 1))
        items = "".join(
            f'<li><a class="tieude" href="/tin/{n}">{article_title(n)}</a> <span class="ngay">{n:02d}/03/2025</span>'
            "</li>"
            for n in numbers
        )
        if page == 1:
            items += "".join(f'<li><a class="tieude" href="{href}">Tin liên kết</a></li>' for href in self.links)
        pager = ""
        if self.endless_pages or first + self.per_page <= self.articles:
            pager += f'<a href="/dang?page={page + 1}">Trang sau</a>'
        if self.calendar:
            pager += '<a href="/lich?thang=2025-03">Lịch tin bài</a>'
        return (
            '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Hoạt động Đảng</title></head><body>'
            f'<ul class="ds">{items}</ul><div class="trang">{pager}</div></body></html>'
        )

    # -- lifecycle ----------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("server not started")
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def start(self) -> FaultSite:
        handler = type("FaultHandler", (_Handler,), {"site": self})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> FaultSite:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def calendar_page(month: str) -> str:
    """A month of an archive calendar with no article, linking to the month before, for ever."""
    year, number = (int(part) for part in month.split("-"))
    year, number = (year - 1, 12) if number == 1 else (year, number - 1)
    return (
        '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Lịch tin bài</title></head><body>'
        f'<h2>Tháng {month}</h2><ul class="ds"></ul>'
        f'<div class="trang"><a href="/lich?thang={year}-{number:02d}">Tháng trước</a></div></body></html>'
    )
