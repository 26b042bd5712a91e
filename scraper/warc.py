"""Raw capture: every HTTP exchange the crawler makes, written to WARC files (ISO 28500) with warcio.

The SQLite archive holds what the extractors made of a page; the WARC files hold the page itself, so that
articles can be rebuilt later with better extractors (``hospital-news reextract``) and replayed in pywb.

Each exchange is one response record, its request record and a metadata record, every record its own gzip
member. The three are built in memory and appended with a single ``write()``, so a process killed at any
moment (``kill -9``) leaves whole records only. Files rotate when they would grow past a size limit.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response
from scrapy.utils.response import response_status_message
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive.store import default_warc_dir

# Headers about the connection, not the resource: Scrapy has already undone them (chunks joined).
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "te", "trailer", "upgrade"}
SOFTWARE = "hospital-news (Scrapy, warcio)"


@dataclass(frozen=True)
class WarcLocation:
    """Where one response record starts: a file name inside the WARC folder and a byte offset."""

    file: str
    offset: int


class WarcFiles:
    """An append-only, size-rotated series of ``.warc.gz`` files named after a site and the run's start."""

    def __init__(self, folder: Path, prefix: str, max_size: int, info: dict[str, str] | None = None):
        self.folder = Path(folder)
        self.prefix = prefix
        self.max_size = max_size
        self.info = {"software": SOFTWARE, "format": "WARC File Format 1.1", **(info or {})}
        self.stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")
        self.serial = -1
        self.fd: int | None = None
        self.name = ""
        self.size = 0

    def write_exchange(self, request: Request, response: Response, metadata: dict[str, str]) -> WarcLocation:
        """Append response, request and metadata records in one write; return where the response starts."""
        buffer = io.BytesIO()
        writer = WARCWriter(buffer, gzip=True, warc_version="WARC/1.1")
        response_record = response_to_record(writer, response)
        record_id = response_record.rec_headers.get_header("WARC-Record-ID")
        request_record = request_to_record(writer, request, record_id)
        fields = "".join(f"{name}: {value}\r\n" for name, value in metadata.items() if value is not None)
        metadata_record = writer.create_warc_record(
            response.url,
            "metadata",
            payload=io.BytesIO(fields.encode("utf-8")),
            warc_content_type="application/warc-fields",
            warc_headers_dict={"WARC-Concurrent-To": record_id},
        )
        for record in (response_record, request_record, metadata_record):
            writer.write_record(record)
        data = buffer.getvalue()
        if self.fd is None or (self.size + len(data) > self.max_size and self.size > self._info_size):
            self._open_next()
        location = WarcLocation(self.name, self.size)
        self._append(data)
        return location

    def close(self) -> None:
        if self.fd is not None:
            os.fsync(self.fd)
            os.close(self.fd)
            self.fd = None

    def _open_next(self) -> None:
        self.close()
        self.folder.mkdir(parents=True, exist_ok=True)
        self.serial += 1
        self.name = f"{self.prefix}-{self.stamp}-{self.serial:05d}.warc.gz"
        self.fd = os.open(self.folder / self.name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o644)
        self.size = 0
        buffer = io.BytesIO()
        writer = WARCWriter(buffer, gzip=True, warc_version="WARC/1.1")
        writer.write_record(writer.create_warcinfo_record(self.name, self.info))
        self._info_size = len(buffer.getvalue())
        self._append(buffer.getvalue())

    def _append(self, data: bytes) -> None:
        """One ``write()`` per group of records: a kill between two writes never leaves half a record."""
        written = os.write(self.fd, data)
        while written < len(data):  # short writes are rare on regular files, but possible
            written += os.write(self.fd, data[written:])
        self.size += len(data)

    _info_size = 0


def response_to_record(writer: WARCWriter, response: Response):
    """The HTTP response as received: status line, headers (minus hop-by-hop ones) and the raw body.

    The middleware sits next to the downloader, before Scrapy decompresses, so a gzip-encoded body is
    stored gzip-encoded with its ``Content-Encoding`` header, as a browser received it; Content-Length is
    set to the stored body's length (chunked transfer has been undone).
    """
    headers = [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, values in response.headers.items()
        for value in values
        if name.decode("latin-1").lower() not in HOP_BY_HOP | {"content-length"}
    ]
    headers.append(("Content-Length", str(len(response.body))))
    status = response_status_message(response.status)
    protocol = response.protocol or "HTTP/1.1"
    http_headers = StatusAndHeaders(status, headers, protocol=protocol)
    warc_headers = {}
    if "dataloss" in response.flags:
        warc_headers["WARC-Truncated"] = "disconnect"
    if response.ip_address is not None:
        warc_headers["WARC-IP-Address"] = str(response.ip_address)
    return writer.create_warc_record(
        response.url,
        "response",
        payload=io.BytesIO(response.body),
        length=len(response.body),
        http_headers=http_headers,
        warc_headers_dict=warc_headers,
    )


def request_to_record(writer: WARCWriter, request: Request, concurrent_to: str):
    parts = urlsplit(request.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = [("Host", parts.netloc)] + [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, values in request.headers.items()
        for value in values
        if name.decode("latin-1").lower() != "host"
    ]
    http_headers = StatusAndHeaders(f"{request.method} {target} HTTP/1.1", headers, is_http_request=True)
    return writer.create_warc_record(
        request.url,
        "request",
        payload=io.BytesIO(request.body),
        length=len(request.body),
        http_headers=http_headers,
        warc_headers_dict={"WARC-Concurrent-To": concurrent_to},
    )


class WarcCaptureMiddleware:
    """Downloader middleware writing every response (listings, articles, images, errors) to WARC files.

    Configured by ``HOSPITAL_NEWS_WARC_ENABLED``, ``HOSPITAL_NEWS_WARC_DIR`` (default: ``<db stem>-warc/``
    beside ``HOSPITAL_NEWS_DB``) and ``HOSPITAL_NEWS_WARC_MAX_SIZE``. The location of each response record
    is put in the request's meta (``warc_file``, ``warc_offset``) for the spider to store with the article.
    Extra metadata fields for a page can be passed in ``request.meta["warc_metadata"]``.
    """

    def __init__(self, crawler, folder: Path, max_size: int):
        self.crawler = crawler
        self.folder = folder
        self.max_size = max_size
        self.files: WarcFiles | None = None

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        if not settings.getbool("HOSPITAL_NEWS_WARC_ENABLED", True):
            raise NotConfigured("WARC capture disabled")
        folder = settings.get("HOSPITAL_NEWS_WARC_DIR") or default_warc_dir(settings.get("HOSPITAL_NEWS_DB"))
        middleware = cls(crawler, Path(folder), settings.getint("HOSPITAL_NEWS_WARC_MAX_SIZE", 100 * 1024 * 1024))
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def spider_opened(self, spider) -> None:
        site = getattr(spider, "site_name", spider.name)
        settings = self.crawler.settings
        info = {
            "isPartOf": f"hospital-news-{site}",
            "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
            "http-header-user-agent": settings.get("USER_AGENT", ""),
        }
        self.files = WarcFiles(self.folder, f"hospital-news-{site}", self.max_size, info)

    def spider_closed(self, spider) -> None:
        if self.files is not None:
            self.files.close()

    def process_response(self, request: Request, response: Response) -> Response:
        if self.files is None:
            return response
        metadata = {
            "fetchedAt": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "via": _header(request, "Referer"),
            **{str(k): str(v) for k, v in (request.meta.get("warc_metadata") or {}).items() if v is not None},
        }
        location = self.files.write_exchange(request, response, metadata)
        request.meta["warc_file"] = location.file
        request.meta["warc_offset"] = location.offset
        self.crawler.stats.inc_value("hospital_news/warc_records")
        return response


def _header(request: Request, name: str) -> str | None:
    value = request.headers.get(name)
    return value.decode("latin-1") if value else None
