"""Rebuild every article from its raw WARC capture with the current extractors: no network.

When an extractor improves (or a bug in one is fixed), the archive does not need the sites again: each
article row says where its page's response record is (``warc_file``, ``warc_offset``), the page is read
back from there and extracted anew, and the result is saved through ``Archive.save_articles`` — so a text
that changes keeps its previous version in ``article_versions``, exactly as a re-crawl would.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from archive.store import Archive, ArchiveError
from scraper.extract import extract_article
from scraper.profiles import Profile, ProfileError, load_profile

BATCH_SIZE = 50


@dataclass
class Capture:
    """One page read back from a WARC file."""

    url: str
    status: int
    body: bytes  # decoded from any Content-Encoding, as the extractors expect
    charset: str | None
    metadata: dict[str, str] = field(default_factory=dict)
    fetched: str | None = None  # WARC-Date of the response record: when the crawler received the page


@dataclass
class ReextractReport:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    missing: list[str] = field(default_factory=list)  # "url: why" for rows whose capture could not be read


def read_capture(folder: Path, file: str, offset: int) -> Capture:
    """The response record at ``offset`` in ``folder/file``, with the metadata record written beside it."""
    path = folder / file
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found")
    with path.open("rb") as stream:
        stream.seek(offset)
        records = ArchiveIterator(stream)
        response = next(records, None)
        if response is None or response.rec_type != "response":
            raise ValueError(f"no response record at {file}:{offset}")
        record_id = response.rec_headers.get_header("WARC-Record-ID")
        capture = Capture(
            url=response.rec_headers.get_header("WARC-Target-URI"),
            status=int(response.http_headers.get_statuscode()),
            body=response.content_stream().read(),
            charset=_charset(response.http_headers.get_header("Content-Type")),
            fetched=response.rec_headers.get_header("WARC-Date"),
        )
        for record in records:  # the request and metadata records follow the response
            if record.rec_type == "metadata" and record.rec_headers.get_header("WARC-Concurrent-To") == record_id:
                capture.metadata = _warc_fields(record.content_stream().read())
                break
            if record.rec_type == "response":
                break
    return capture


# What a rebuild needs from a stored row: its identity and where its capture is, never the stored text, so
# a pass over a million articles holds one page of small rows at a time.
_ROW_COLUMNS = "id, url, site, category, party, fetched_url, warc_file, warc_offset"
PAGE_ROWS = 500


def stored_rows(archive: Archive) -> Iterator[dict]:
    """Every article's identity and capture location, by id, a page at a time (keyset, not OFFSET)."""
    last = 0
    while True:
        page = list(
            archive.iter_rows(f"SELECT {_ROW_COLUMNS} FROM articles WHERE id > ? ORDER BY id LIMIT {PAGE_ROWS}", [last])
        )
        yield from page
        if len(page) < PAGE_ROWS:
            return
        last = page[-1]["id"]


def reextract_archive(
    archive: Archive,
    warc_dir: Path,
    sites_dir: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ReextractReport:
    """Re-extract every article that has a raw capture; return counts by outcome.

    ``progress(done, total)`` is called after every saved batch, for a long pass to show it is moving.
    """
    if not warc_dir.is_dir():
        raise ArchiveError(f"{warc_dir}: no WARC folder (crawl with WARC capture first, or pass --warc-dir)")
    report = ReextractReport()
    profiles: dict[str, Profile | None] = {}
    batch: list[dict] = []
    total, done = archive.count(), 0
    for row in stored_rows(archive):
        done += 1
        article = _rebuilt_or_why(row, warc_dir, profiles.setdefault(row["site"], _profile(row["site"], sites_dir)))
        if isinstance(article, str):
            report.missing.append(f"{row['url']}: {article}")
            continue
        batch.append(article)
        if len(batch) >= BATCH_SIZE:
            _save(archive, batch, report)
            if progress:
                progress(done, total)
    _save(archive, batch, report)
    if progress:
        progress(done, total)
    return report


def _rebuilt_or_why(row: dict, warc_dir: Path, profile: Profile | None) -> dict | str:
    """The rebuilt article, or why there is none (a line for the report)."""
    if not row.get("warc_file"):
        return "no raw capture recorded (archived before WARC capture)"
    try:
        capture = read_capture(warc_dir, row["warc_file"], row["warc_offset"])
    except (OSError, ValueError, ArchiveLoadFailed) as exc:
        return str(exc)
    article = rebuild_article(row, capture, profile)
    return article if article is not None else "the current extractors find no text in the capture"


def rebuild_article(row: dict, capture: Capture, profile: Profile | None) -> dict | None:
    """The article dict ``save_articles`` takes, from a stored row (identity) and its capture (content)."""
    fields = extract_article(
        capture.body,
        capture.url,
        profile,
        listed=capture.metadata.get("hospital-news-listed"),
        header_charset=capture.charset,
    )
    if not fields["body"]:
        return None
    base = row["url"][: len(row["url"]) - len(_path_and_query(row["url"]))]
    return {
        "url": row["url"],
        "site": row["site"],
        "category": row["category"],
        "party": row["party"],
        "title": fields["title"],
        "body": fields["body"],
        "published": fields["published"],
        "author": fields["author"],
        "images": [{**image, "src": _on_real_site(image["src"], capture.url, base)} for image in fields["images"]],
        "fetched_url": row["fetched_url"],
        "warc_file": row["warc_file"],
        "warc_offset": row["warc_offset"],
    }


def _save(archive: Archive, batch: list[dict], report: ReextractReport) -> None:
    if not batch:
        return
    counts = archive.save_articles(batch, sighting=False)  # not a visit: last_seen, gone_since stay
    report.new += counts["new"]
    report.updated += counts["updated"]
    report.unchanged += counts["unchanged"]
    batch.clear()


def _profile(site: str, sites_dir: Path | None) -> Profile | None:
    """The site's profile for its selectors; without one the generic extractor decides."""
    try:
        return load_profile(site, sites_dir)
    except ProfileError:
        return None


def _path_and_query(url: str) -> str:
    scheme_end = url.find("//")
    slash = url.find("/", scheme_end + 2 if scheme_end >= 0 else 0)
    return url[slash:] if slash >= 0 else ""


def _on_real_site(src: str, fetched: str, real_base: str) -> str:
    """Image URLs of a page fetched from a mirror, mapped back to the real site as the spider does."""
    fetched_base = fetched[: len(fetched) - len(_path_and_query(fetched))]
    return real_base + src[len(fetched_base) :] if src.startswith(fetched_base) else src


def _charset(content_type: str | None) -> str | None:
    for part in (content_type or "").split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.lower() == "charset" and value:
            return value.strip("\"'")
    return None


def _warc_fields(data: bytes) -> dict[str, str]:
    fields = {}
    for line in data.decode("utf-8", "replace").splitlines():
        name, sep, value = line.partition(":")
        if sep:
            fields[name.strip()] = value.strip()
    return fields
