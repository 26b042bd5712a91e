"""HTTP servers for the offline mirrors (stdlib ``http.server``, loopback only)."""

from __future__ import annotations

import hashlib
import ipaddress
import sys
import threading
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

from .images import image_for
from .render import BaseRenderer
from .render_baclieu import BacLieuRenderer
from .render_culao import CuLaoRenderer
from .render_nuiben import NuiBenRenderer
from .render_omon import OMonRenderer
from .render_songxanh import SongXanhRenderer
from .sites import SITES

RENDERERS: dict[str, type[BaseRenderer]] = {
    "baclieu": BacLieuRenderer,
    "omon": OMonRenderer,
    "songxanh": SongXanhRenderer,
    "nuiben": NuiBenRenderer,
    "culao": CuLaoRenderer,
}

SERVER_HEADERS = {
    "baclieu": ("nginx", [("X-Powered-By", "PHP/7.4.33")]),
    "omon": ("Microsoft-IIS/8.5", [("X-AspNet-Version", "4.0.30319"), ("X-Powered-By", "ASP.NET")]),
    "songxanh": ("Apache", [("X-Powered-By", "PHP/8.1.27"), ("Link", '</wp-json/>; rel="https://api.w.org/"')]),
    "nuiben": ("Microsoft-IIS/6.0", [("X-Powered-By", "ASP.NET")]),
    "culao": ("nginx/1.18.0", []),
}

ROBOTS = "User-agent: *\nAllow: /\n"
LOOPBACK = {"localhost", "::1"}


def is_loopback(host: str) -> bool:
    """True for ``localhost``, ``::1`` and any 127.0.0.0/8 address: separate loopback addresses give many
    mirror sites separate Scrapy download slots (slots are keyed by host name, not port)."""
    if host in LOOPBACK:
        return True
    try:
        return ipaddress.ip_address(host) in ipaddress.ip_network("127.0.0.0/8")
    except ValueError:
        return False


class _Handler(BaseHTTPRequestHandler):
    """Request handler; ``renderer``, ``site`` and ``verbose`` are set on a subclass per server."""

    renderer: BaseRenderer
    site: str
    gone: set[str]
    verbose: bool = False
    protocol_version = "HTTP/1.1"

    def version_string(self) -> str:
        return SERVER_HEADERS[self.site][0]

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        if self.verbose:
            sys.stderr.write(f"[{self.site}] {self.address_string()} - {format % args}\n")

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        self._serve(head=False)

    def do_HEAD(self) -> None:  # noqa: N802 - stdlib naming
        self._serve(head=True)

    def _serve(self, head: bool) -> None:
        try:
            status, ctype, body = self._dispatch()
        except Exception:  # pragma: no cover - shows renderer bugs instead of hanging the client
            traceback.print_exc()
            status, ctype, body = 500, "text/plain; charset=utf-8", b"Internal Server Error\n"
        etag = f'"{hashlib.sha1(body).hexdigest()[:20]}"' if status == 200 else None
        if etag and etag in (self.headers.get("If-None-Match") or ""):
            status, body = 304, b""  # conditional re-crawls: the page has not changed since that ETag
        self.send_response(status)
        if etag:
            self.send_header("ETag", etag)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for name, value in SERVER_HEADERS[self.site][1]:
            self.send_header(name, value)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _dispatch(self) -> tuple[int, str, bytes]:
        parts = urlsplit(self.path)
        path = unquote(parts.path) or "/"
        if self.path in self.gone or path in self.gone:
            return 404, "text/html; charset=utf-8", "<h1>404 - Không tìm thấy trang</h1>".encode()
        if path == "/robots.txt":
            return 200, "text/plain; charset=utf-8", ROBOTS.encode()
        if path.lower().startswith("/uploads/"):
            image = image_for(path)
            if image is not None:
                return 200, image[0], image[1]
        status, html = self.renderer.route(path, parts.query)
        # Legacy servers name no charset in the header: the page's own <meta> is all a client gets.
        ctype = "text/html; charset=utf-8" if self.renderer.charset == "utf-8" else "text/html"
        return status, ctype, self.renderer.encode(html)


class MirrorServer:
    """One mirror site served by a ThreadingHTTPServer in a daemon thread.

    >>> with MirrorServer("baclieu") as srv:
    ...     srv.url  # doctest: +SKIP
    'http://127.0.0.1:54321'
    """

    def __init__(
        self,
        site: str,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        verbose: bool = False,
        articles: list[dict[str, Any]] | None = None,
    ) -> None:
        if site not in SITES:
            raise KeyError(f"unknown mirror site {site!r} (known: {', '.join(SITES)})")
        if not is_loopback(host):
            raise ValueError(f"the mirrors bind loopback only, not {host!r}")
        self.site = site
        self.host = host
        self.port = port
        self.verbose = verbose
        self.renderer = RENDERERS[site](articles)
        # Paths (with their query, as requested) answered 404 from now on: a page taken down from the site.
        self.gone: set[str] = set()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def articles(self) -> list[dict[str, Any]]:
        return self.renderer.articles

    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("server not started")
        host, port = self._httpd.server_address[:2]
        if ":" in str(host):
            host = f"[{host}]"
        return f"http://{host}:{port}"

    def start(self) -> MirrorServer:
        if self._httpd is not None:
            return self
        handler = type(
            f"{self.site.title()}Handler",
            (_Handler,),
            {"renderer": self.renderer, "site": self.site, "gone": self.gone, "verbose": self.verbose},
        )
        server_cls = ThreadingHTTPServer
        if ":" in self.host:
            import socket

            server_cls = type("ThreadingHTTPServerV6", (ThreadingHTTPServer,), {"address_family": socket.AF_INET6})
        self._httpd = server_cls((self.host, self.port), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1}, name=f"mirror-{self.site}", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def __enter__(self) -> MirrorServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self.url if self._httpd is not None else "stopped"
        return f"<MirrorServer {self.site} {where}>"


def serve_mirrors(
    sites: list[str] | None = None, host: str = "127.0.0.1", *, verbose: bool = False
) -> dict[str, MirrorServer]:
    """Start a MirrorServer on a free port for each site (all of SITES by default).

    Raises FileNotFoundError when a site's content file is missing; servers already
    started are stopped first.
    """
    started: dict[str, MirrorServer] = {}
    try:
        for site in sites or list(SITES):
            started[site] = MirrorServer(site, host, verbose=verbose).start()
    except BaseException:
        for srv in started.values():
            srv.stop()
        raise
    return started
