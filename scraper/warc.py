"""Raw capture: every HTTP exchange the crawler makes, written to WARC files (ISO 28500, WARC/1.1).

The SQLite archive holds what the extractors made of a page; the WARC files hold the page itself, so that
articles can be rebuilt later with better extractors (``hospital-news reextract``) and replayed in pywb.

Each exchange is one response record, its request record and a metadata record, every record its own gzip
member. The three are built in memory and appended with a single ``write()``, so a process killed at any
moment (``kill -9``) leaves whole records only. Files rotate when they would grow past a size limit.

Why records are built here and not with warcio's ``WARCWriter``: a record is a few header lines, two SHA-1
digests and a gzip member, and warcio's general-purpose builder (header objects, digest passes over streams,
compression level 9) took 0.43 ms per exchange, a fifth of the reactor's time in a full crawl
(``python -m bench crawl --profile``). These functions write the same records in 0.21–0.26 ms, and in a crawl
the helper process writes them (``WarcCaptureMiddleware``), so the reactor only hands the exchange over.
warcio stays the reader: ``warcio check`` verifies every digest in the tests, and ``reextract``, the archived
copy and ``warcio index`` read these files with it. HTTP headers are stored as the bytes received.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import uuid
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.response import response_status_message
from twisted.internet.defer import Deferred, maybeDeferred
from twisted.python.failure import Failure

from archive.store import default_warc_dir
from scraper.helper_channel import HelperChannel, HelperLost, page_helper, running_page_helper

logger = logging.getLogger(__name__)

# Headers about the connection, not the resource: Scrapy has already undone them (chunks joined).
HOP_BY_HOP = {b"connection", b"keep-alive", b"transfer-encoding", b"proxy-connection", b"te", b"trailer",
              b"upgrade", b"content-length"}  # fmt: skip
SOFTWARE = "hospital-news (Scrapy; WARC records read with warcio)"
# zlib's default: the same size as warcio's level 9 on these pages (3.7 KiB an exchange), in three quarters of the time.
GZIP_LEVEL = 6
# Bodies that are compressed already (photos, PDFs, gzip-encoded pages) are stored, not deflated again: on a
# 300 kB JPEG level 6 spends 7.3 ms and saves nothing, level 0 takes 0.4 ms. Each record stays a gzip member.
# (The last type: .docx and .xlsx files, which are zip files.)
STORED_LEVEL = 0
_COMPRESSED_TYPES = (b"image/jpeg", b"image/jpg", b"image/pjpeg", b"image/png", b"image/x-png", b"image/gif",
                     b"image/webp", b"image/avif", b"image/heic", b"video/", b"audio/", b"application/pdf",
                     b"application/zip", b"application/gzip", b"application/x-gzip", b"font/woff",
                     b"application/vnd.openxmlformats-officedocument.")  # fmt: skip


@dataclass(frozen=True)
class WarcLocation:
    """Where one response record starts: a file name inside the WARC folder and a byte offset."""

    file: str
    offset: int


@dataclass(frozen=True)
class Exchange:
    """One HTTP exchange as plain data: what its records are made of, picklable for the helper process."""

    url: str  # the response's
    request_url: str
    method: str
    request_headers: list[tuple[bytes, bytes]]
    request_body: bytes
    protocol: str
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    ip_address: str | None
    truncated: bool
    metadata: dict[str, str]

    @classmethod
    def of(cls, request: Request, response: Response, metadata: dict[str, str]) -> Exchange:
        return cls(
            url=response.url,
            request_url=request.url,
            method=request.method,
            request_headers=[(name, value) for name, values in request.headers.items() for value in values],
            request_body=request.body,
            protocol=response.protocol or "HTTP/1.1",
            status=response.status,
            headers=[(name, value) for name, values in response.headers.items() for value in values],
            body=response.body,
            ip_address=None if response.ip_address is None else str(response.ip_address),
            truncated="dataloss" in response.flags,
            metadata=metadata,
        )


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
        """Append one exchange as Scrapy gives it (see ``write``)."""
        return self.write(Exchange.of(request, response, metadata))

    def write(self, exchange: Exchange) -> WarcLocation:
        """Append response, request and metadata records in one write; return where the response starts."""
        date = warc_date()
        record_id, response_record = response_to_record(exchange, date)
        concurrent = [("WARC-Concurrent-To", record_id)]
        request_record = request_to_record(exchange, date, concurrent)
        fields = warc_fields(exchange.metadata)
        metadata_record = build_record("metadata", exchange.url, date, b"application/warc-fields", fields,
                                       payload=fields, headers=concurrent)[1]  # fmt: skip
        data = response_record + request_record + metadata_record
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
        info = build_record("warcinfo", None, warc_date(), b"application/warc-fields", warc_fields(self.info),
                            headers=[("WARC-Filename", self.name)])[1]  # fmt: skip
        self._info_size = len(info)
        self._append(info)

    def _append(self, data: bytes) -> None:
        """One ``write()`` per group of records: a kill between two writes never leaves half a record."""
        written = os.write(self.fd, data)
        while written < len(data):  # short writes are rare on regular files, but possible
            written += os.write(self.fd, data[written:])
        self.size += len(data)

    _info_size = 0


def warc_date() -> str:
    """WARC/1.1 date, to the microsecond (records of one exchange share it)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def sha1_label(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode("ascii")


def build_record(warc_type: str, target: str | None, date: str, content_type: bytes, block: bytes,
                 payload: bytes | None = None, headers: list[tuple[str, str]] = (),
                 level: int = GZIP_LEVEL) -> tuple[str, bytes]:  # fmt: skip
    """One WARC record as its own gzip member: (its WARC-Record-ID, the member's bytes).

    ``payload``, when given, gets a ``WARC-Payload-Digest`` (the body of an HTTP message, or the whole block of
    a metadata record, as warcio writes them); every record gets a ``WARC-Block-Digest``. ``level`` is zlib's.
    """
    record_id = f"<urn:uuid:{uuid.uuid4()}>"
    lines = [f"WARC/1.1\r\nWARC-Type: {warc_type}\r\nWARC-Record-ID: {record_id}\r\n"]
    lines += [f"{name}: {value}\r\n" for name, value in headers]
    if target is not None:
        lines.append(f"WARC-Target-URI: {target}\r\n")
    lines.append(f"WARC-Date: {date}\r\n")
    if payload is not None:
        lines.append(f"WARC-Payload-Digest: {sha1_label(payload)}\r\n")
    lines.append(f"WARC-Block-Digest: {sha1_label(block)}\r\nContent-Type: ")
    head = "".join(lines).encode("utf-8") + content_type + f"\r\nContent-Length: {len(block)}\r\n\r\n".encode()
    compressor = zlib.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    member = compressor.compress(head) + compressor.compress(block) + compressor.compress(b"\r\n\r\n")
    return record_id, member + compressor.flush()


def warc_fields(fields: dict[str, str | None]) -> bytes:
    """``application/warc-fields``: one ``name: value`` line per field; line breaks in a value become spaces."""
    lines = (f"{name}: {' '.join(str(value).splitlines())}\r\n" for name, value in fields.items() if value is not None)
    return "".join(lines).encode("utf-8")


def response_to_record(exchange: Exchange, date: str) -> tuple[str, bytes]:
    """The HTTP response as received: status line, headers (minus hop-by-hop ones) and the raw body.

    The middleware sits next to the downloader, before Scrapy decompresses, so a gzip-encoded body is
    stored gzip-encoded with its ``Content-Encoding`` header, as a browser received it; Content-Length is
    set to the stored body's length (chunked transfer has been undone).
    """
    head = [f"{exchange.protocol} {response_status_message(exchange.status)}\r\n".encode("latin-1")]
    head += [name + b": " + value + b"\r\n" for name, value in exchange.headers if name.lower() not in HOP_BY_HOP]
    head.append(b"Content-Length: %d\r\n\r\n" % len(exchange.body))
    headers = []
    if exchange.ip_address is not None:
        headers.append(("WARC-IP-Address", exchange.ip_address))
    if exchange.truncated:
        headers.append(("WARC-Truncated", "disconnect"))
    block = b"".join(head) + exchange.body
    return build_record("response", exchange.url, date, b"application/http; msgtype=response", block,
                        payload=exchange.body, headers=headers, level=body_level(exchange.headers))  # fmt: skip


def body_level(headers: list[tuple[bytes, bytes]]) -> int:
    """The gzip level for a response whose headers these are: stored when its body is compressed already."""
    for name, value in headers:
        name, value = name.lower(), value.lower().strip()
        if name == b"content-encoding" and value not in (b"", b"identity"):
            return STORED_LEVEL
        if name == b"content-type" and value.startswith(_COMPRESSED_TYPES):
            return STORED_LEVEL
    return GZIP_LEVEL


def request_to_record(exchange: Exchange, date: str, headers: list[tuple[str, str]]) -> bytes:
    parts = urlsplit(exchange.request_url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    head = [f"{exchange.method} {target} HTTP/1.1\r\nHost: {parts.netloc}\r\n".encode("latin-1")]
    head += [name + b": " + value + b"\r\n" for name, value in exchange.request_headers if name.lower() != b"host"]
    block = b"".join(head) + b"\r\n" + exchange.request_body
    return build_record("request", exchange.request_url, date, b"application/http; msgtype=request", block,
                        payload=exchange.request_body, headers=headers)[1]  # fmt: skip


# In the helper process (``scraper/helper_channel.py``): the WARC series of each spider of the crawl.
_series: dict[str, WarcFiles] = {}


def open_series(key: str, folder: str, prefix: str, max_size: int, info: dict[str, str]) -> None:
    _series[key] = WarcFiles(Path(folder), prefix, max_size, info)


def write_to_series(key: str, exchange: Exchange) -> WarcLocation:
    return _series[key].write(exchange)


def close_series(key: str) -> None:
    files = _series.pop(key, None)
    if files is not None:
        files.close()


class WarcCaptureMiddleware:
    """Downloader middleware writing every response (listings, articles, images, errors) to WARC files.

    Configured by ``HOSPITAL_NEWS_WARC_ENABLED``, ``HOSPITAL_NEWS_WARC_DIR`` (default: ``<db stem>-warc/``
    beside ``HOSPITAL_NEWS_DB``), ``HOSPITAL_NEWS_WARC_MAX_SIZE`` and ``HOSPITAL_NEWS_WARC_IN_HELPER``.
    Extra metadata fields for a page can be passed in ``request.meta["warc_metadata"]``.

    Records are written by the crawl's helper process (the one that extracts articles), so the reactor only
    hands the exchange over. ``request.meta["warc_location"]`` is a Deferred fired with the response record's
    ``WarcLocation`` once it is written, or with None if it could not be (the error is logged). The spider
    waits for it before an article is archived: no article row without its raw page. The helper answers in
    the order it was called, so the capture of an article page is written before that page's extraction
    comes back. If the helper dies, this spider writes its records in the crawl's process from then on.
    """

    def __init__(self, crawler, folder: Path, max_size: int, in_helper: bool):
        self.crawler = crawler
        self.folder = folder
        self.max_size = max_size
        self.in_helper = in_helper
        self.files: WarcFiles | None = None  # in this process: without the helper, or after losing it
        self.channel: HelperChannel | None = None  # the helper holding this spider's series under ``key``
        self.key = ""
        self.joined = False  # one of the page helper's users, until the spider closes
        self.fell_back = False  # the helper was lost: this spider's records are written here from then on
        self.site = ""

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        if not settings.getbool("HOSPITAL_NEWS_WARC_ENABLED", True):
            raise NotConfigured("WARC capture disabled")
        folder = settings.get("HOSPITAL_NEWS_WARC_DIR") or default_warc_dir(settings.get("HOSPITAL_NEWS_DB"))
        max_size = settings.getint("HOSPITAL_NEWS_WARC_MAX_SIZE", 100 * 1024 * 1024)
        middleware = cls(crawler, Path(folder), max_size, settings.getbool("HOSPITAL_NEWS_WARC_IN_HELPER", True))
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
        self.site = site
        if not self.in_helper:
            return
        page_helper.join()
        self.joined = True
        key = f"{self.files.prefix}-{id(self)}"
        try:
            channel = running_page_helper()
            args = (key, str(self.folder), self.files.prefix, self.max_size, self.files.info)
            channel.call(open_series, *args).addErrback(self._open_failed)
        except HelperLost as error:
            self._fall_back(error)
            return
        self.channel, self.key = channel, key

    async def spider_closed(self, spider) -> None:
        if self.channel is not None:
            channel, self.channel = self.channel, None
            try:
                await maybe_deferred_to_future(channel.call(close_series, self.key))
            except HelperLost:  # raised by call() too: the helper was lost earlier in the crawl
                pass  # its records are written: each one is a single write() the helper made before dying
            except Exception as error:  # noqa: BLE001 - fsync/close failing must not keep the helper alive
                self._log_failure(Failure(error), "closing the WARC file")
        if self.joined:
            self.joined = False
            gone = page_helper.leave()
            if gone is not None:
                await maybe_deferred_to_future(gone)
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
        request.meta["warc_location"] = self._write(Exchange.of(request, response, metadata))
        self.crawler.stats.inc_value("hospital_news/warc_records")
        return response

    def _write(self, exchange: Exchange) -> Deferred:
        """In the helper while it lives (a new helper would not know this spider's series), else here."""
        if self.channel is not None:
            if not self.channel.lost:
                written = self.channel.call(write_to_series, self.key, exchange)
                return written.addErrback(self._write_here_if_lost, exchange)
            self._fall_back(HelperLost("the helper process has ended"))
        return self._write_here(exchange)

    def _write_here(self, exchange: Exchange) -> Deferred:
        return maybeDeferred(self.files.write, exchange).addErrback(self._log_failure, exchange.url)

    def _write_here_if_lost(self, failure: Failure, exchange: Exchange) -> Deferred | None:
        if failure.check(HelperLost):
            self._fall_back(failure.value)
            return self._write_here(exchange)
        return self._log_failure(failure, exchange.url)

    def _open_failed(self, failure: Failure) -> None:
        if failure.check(HelperLost):  # no error: the records are then written here
            self._fall_back(failure.value)
        else:
            self._log_failure(failure, "opening the WARC file")

    def _fall_back(self, error: BaseException) -> None:
        """The page helper is lost to this spider: report it (once per helper) and say so in the log, once."""
        if self.fell_back:
            return
        self.fell_back = True
        if self.channel is not None:
            page_helper.lost(self.channel, worked=self.channel.answered > 0)
        logger.warning("%s: %s; WARC records are written in the crawl's process from now on", self.site, error)

    def _log_failure(self, failure: Failure, what: str) -> None:
        self.crawler.stats.inc_value("hospital_news/warc_errors")
        logger.error("WARC capture failed (%s): %s", what, failure.getErrorMessage())
        return None


def _header(request: Request, name: str) -> str | None:
    value = request.headers.get(name)
    return value.decode("latin-1") if value else None
