"""The archive: one SQLite file, its schema in one place, and every write to it.

Tables (a contract other tools read):
- ``articles``: one row per article URL, the newest version;
- ``article_versions``: earlier versions, kept whenever a re-crawl finds a title or body changed;
- ``sites``: the profiles known when crawls ran;
- ``crawl_runs``: one row per crawl of one site;
- ``articles_fts``: FTS5 over title and body plus diacritic-folded copies (see ``scraper/extract/text.fold``),
  so that "dang uy" finds "Đảng ủy" while "Đảng ủy" still matches exactly (semantics: archive/search.py);
- ``people``, ``documents_cited``, ``member_counts``: Party facts read from each article's text
  (scraper/facts.py), rewritten whenever the article's text changes.

Writes are batched in transactions (``save_articles``) and the file is in WAL mode, so Datasette can read
while a crawl writes. Schema changes are sqlite-utils migrations: an old archive is upgraded in place.
"""

from __future__ import annotations

import functools
import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database, Migrations

from archive import search
from scraper.extract.text import fold
from scraper.facts import COUNT_FIELDS, extract_facts, is_party_office

BUSY_TIMEOUT_MS = 5000
FTS_TOKENIZER = "unicode61 remove_diacritics 2"
migrations = Migrations("hospital_news")


class ArchiveError(RuntimeError):
    """The archive cannot be opened or written; the message is one line for the user."""


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def content_hash(title: str | None, body: str) -> str:
    return hashlib.sha256(f"{title or ''}\n\n{body}".encode()).hexdigest()


@migrations()
def m001_initial(db: Database) -> None:
    db["sites"].create(
        {
            "name": str,
            "hospital": str,
            "province": str,
            "base_url": str,
            "enabled": int,
            "profile": str,
            "updated": str,
        },
        pk="name",
    )
    db["crawl_runs"].create(
        {
            "id": int,
            "site": str,
            "trigger": str,
            "started": str,
            "finished": str,
            "status": str,
            "pages": int,
            "new": int,
            "updated": int,
            "unchanged": int,
            "errors": int,
            "message": str,
        },
        pk="id",
        foreign_keys=[("site", "sites", "name")],
    )
    db["articles"].create(
        {
            "id": int,
            "url": str,
            "site": str,
            "category": str,
            "party": int,
            "title": str,
            "published": str,
            "author": str,
            "body": str,
            "images": str,
            "word_count": int,
            "content_hash": str,
            "fetched_url": str,
            "first_seen": str,
            "last_seen": str,
            "last_run": int,
        },
        pk="id",
        not_null={"url", "site"},
        foreign_keys=[("site", "sites", "name"), ("last_run", "crawl_runs", "id")],
    )
    db["articles"].create_index(["url"], unique=True)
    db["articles"].create_index(["site", "published"])
    db["article_versions"].create(
        {
            "id": int,
            "article_id": int,
            "url": str,
            "title": str,
            "body": str,
            "content_hash": str,
            "first_seen": str,
            "replaced": str,
        },
        pk="id",
        foreign_keys=[("article_id", "articles", "id")],
    )
    db["article_versions"].create_index(["article_id"])
    db.execute(
        "CREATE VIRTUAL TABLE articles_fts USING fts5("
        f"title, body, title_folded, body_folded, tokenize='{FTS_TOKENIZER}')"
    )


@migrations()
def m002_party_facts(db: Database) -> None:
    """Party facts as tables (scraper/facts.py), an event type and a year on every article; existing articles
    are read once to fill them."""
    db["articles"].add_column("event_type", str)
    db["articles"].add_column("year", int)
    common = {"id": int, "article": int, "site": str, "date": str}
    keys = [("article", "articles", "id"), ("site", "sites", "name")]
    db["people"].create({**common, "name": str, "role": str, "party_office": int}, pk="id", foreign_keys=keys)
    db["documents_cited"].create({**common, "document": str, "kind": str, "issuer": str}, pk="id", foreign_keys=keys)
    db["member_counts"].create({**common, "level": str, **dict.fromkeys(COUNT_FIELDS, int)}, pk="id", foreign_keys=keys)
    for table in ("people", "documents_cited", "member_counts"):
        db[table].create_index(["article"])
    db["people"].create_index(["name"])
    db["documents_cited"].create_index(["document"])
    for name, sql in FACT_VIEWS.items():
        db.create_view(name, sql)
    for row in list(db.query("SELECT id, site, category, party, title, published, body, images FROM articles")):
        save_facts(db, row["id"], row)


# Views over the facts: browsable, filterable and, unlike canned queries, streamed whole as CSV by Datasette.
FACT_VIEWS = {
    "monthly_articles": """
SELECT articles.site, sites.hospital, substr(articles.published, 1, 7) AS month, count(*) AS articles,
  sum(articles.party) AS party_articles
FROM articles LEFT JOIN sites ON sites.name = articles.site
WHERE articles.published IS NOT NULL
GROUP BY articles.site, month ORDER BY month DESC, articles.site""",
    "party_roles_held": """
SELECT people.name, people.role, people.site, min(people.date) AS first_mentioned,
  max(people.date) AS last_mentioned, count(*) AS articles
FROM people WHERE people.party_office = 1
GROUP BY people.name, people.role, people.site ORDER BY people.site, first_mentioned, people.name""",
    "documents_per_hospital": """
SELECT documents_cited.site, sites.hospital, documents_cited.document, count(*) AS articles,
  min(documents_cited.date) AS first_cited, max(documents_cited.date) AS last_cited
FROM documents_cited LEFT JOIN sites ON sites.name = documents_cited.site
GROUP BY documents_cited.site, documents_cited.document
ORDER BY documents_cited.site, articles DESC, documents_cited.document""",
    "membership_history": """
SELECT member_counts.site, member_counts.date, member_counts.total, member_counts.chinh_thuc,
  member_counts.du_bi, member_counts.nu, member_counts.dan_toc, articles.title
FROM member_counts JOIN articles ON articles.id = member_counts.article
WHERE member_counts.level = 'đảng bộ' AND member_counts.total IS NOT NULL
ORDER BY member_counts.site, member_counts.date""",
}


def save_facts(db: Database, article_id: int, row: dict[str, Any]) -> None:
    """(Re)write the Party facts of one article: its previous facts go, what its current text states comes."""
    captions = [i.get("caption") for i in json.loads(row.get("images") or "[]") if i.get("caption")]
    facts = extract_facts(row.get("title"), row["body"], bool(row.get("party")), captions)
    date = (row.get("published") or "")[:10] or None
    year = int(date[:4]) if date and date[:4].isdigit() else None
    db["articles"].update(article_id, {"event_type": facts.event_type, "year": year})
    for table in ("people", "documents_cited", "member_counts"):
        db.execute(f"DELETE FROM {table} WHERE article = ?", [article_id])
    common = {"article": article_id, "site": row["site"], "date": date}
    db["people"].insert_all(
        {**common, "name": p.name, "role": p.role, "party_office": int(is_party_office(p.role))} for p in facts.people
    )
    db["documents_cited"].insert_all(
        {**common, "document": d, "kind": d.split("-", 1)[1].split("/")[0], "issuer": d.split("/", 1)[1]}
        for d in facts.documents
    )
    if any(v is not None for v in facts.member_counts.values()):
        db["member_counts"].insert({**common, "level": facts.level, **facts.member_counts})


def _friendly_errors(method: Callable) -> Callable:
    """Turn SQLite's exceptions from a public method into one-line ArchiveErrors."""

    @functools.wraps(method)
    def wrapper(self: Archive, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except sqlite3.DatabaseError as exc:
            raise ArchiveError(describe_sqlite_error(self.path, exc)) from None

    return wrapper


class Archive:
    """An open archive file. Use as a context manager; every method commits what it writes."""

    def __init__(self, path: str | Path, *, create: bool = True, timeout_ms: int = BUSY_TIMEOUT_MS):
        self.path = Path(path)
        if not create and not self.path.exists():
            raise ArchiveError(f"{self.path}: no such archive (run a crawl first)")
        if self.path.is_dir():
            raise ArchiveError(f"{self.path}: is a directory, not a database file")
        if not self.path.parent.is_dir():
            raise ArchiveError(f"{self.path}: folder {self.path.parent} does not exist")
        try:
            conn = sqlite3.connect(self.path, timeout=timeout_ms / 1000)
            self.db = Database(conn)
            self.db.execute(f"PRAGMA busy_timeout = {timeout_ms}")
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = NORMAL")
            self.db.execute("PRAGMA foreign_keys = ON")
            search.register_functions(conn)
            migrations.apply(self.db)
        except sqlite3.DatabaseError as exc:
            raise ArchiveError(describe_sqlite_error(self.path, exc)) from None

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    # -- sites and runs -------------------------------------------------------------------------------

    @_friendly_errors
    def register_site(self, profile: Any) -> None:
        """Record (or refresh) the profile a crawl is about to use."""
        self.db["sites"].upsert(
            {
                "name": profile.name,
                "hospital": profile.hospital,
                "province": profile.province,
                "base_url": profile.base_url,
                "enabled": int(profile.enabled),
                "profile": str(profile.path) if profile.path else None,
                "updated": now_iso(),
            },
            pk="name",
        )

    @_friendly_errors
    def start_run(self, site: str, trigger: str = "manual") -> int:
        table = self.db["crawl_runs"]
        table.insert(
            {
                "site": site,
                "trigger": trigger,
                "started": now_iso(),
                "status": "running",
                "pages": 0,
                "new": 0,
                "updated": 0,
                "unchanged": 0,
                "errors": 0,
            }
        )
        return table.last_pk

    @_friendly_errors
    def finish_run(self, run_id: int, *, status: str, pages: int, errors: int, message: str | None = None) -> dict:
        """Close a run with its fetch figures; article counts come from what was saved under it."""
        self.db["crawl_runs"].update(
            run_id, {"finished": now_iso(), "status": status, "pages": pages, "errors": errors, "message": message}
        )
        return self.db["crawl_runs"].get(run_id)

    # -- articles -------------------------------------------------------------------------------------

    @_friendly_errors
    def save_articles(self, articles: Iterable[dict[str, Any]], run_id: int | None = None) -> dict[str, int]:
        """Insert or update a batch of articles in one transaction; returns counts by outcome.

        A changed title or body keeps the previous version in ``article_versions``; an unchanged article
        only has ``last_seen`` moved on. The same URL twice never makes two rows.
        """
        counts = {"new": 0, "updated": 0, "unchanged": 0}
        with self.db.atomic():
            for article in articles:
                counts[self._save_one(article, run_id)] += 1
            if run_id is not None:
                self.db.execute(
                    "UPDATE crawl_runs SET new = new + ?, updated = updated + ?, unchanged = unchanged + ? "
                    "WHERE id = ?",
                    [counts["new"], counts["updated"], counts["unchanged"], run_id],
                )
        return counts

    def _save_one(self, article: dict[str, Any], run_id: int | None) -> str:
        seen = article.get("fetched_at") or now_iso()
        digest = content_hash(article.get("title"), article["body"])
        row = {
            "url": article["url"],
            "site": article["site"],
            "category": article.get("category"),
            "party": int(bool(article.get("party"))),
            "title": article.get("title"),
            "published": article.get("published"),
            "author": article.get("author"),
            "body": article["body"],
            "images": json.dumps(article.get("images") or [], ensure_ascii=False),
            "word_count": len(article["body"].split()),
            "content_hash": digest,
            "fetched_url": article.get("fetched_url"),
            "last_seen": seen,
            "last_run": run_id,
        }
        existing = self.db.execute(
            "SELECT id, title, body, content_hash, first_seen, last_seen FROM articles WHERE url = ?", [row["url"]]
        ).fetchone()
        if existing is None:
            row["first_seen"] = seen
            article_id = self.db["articles"].insert(row).last_pk
            self._index(article_id, row)
            save_facts(self.db, article_id, row)
            return "new"
        article_id, old_title, old_body, old_hash, _first_seen, old_last_seen = existing
        if old_hash == digest:
            self.db["articles"].update(article_id, {"last_seen": seen, "last_run": run_id})
            return "unchanged"
        self.db["article_versions"].insert(
            {
                "article_id": article_id,
                "url": row["url"],
                "title": old_title,
                "body": old_body,
                "content_hash": old_hash,
                "first_seen": old_last_seen,
                "replaced": seen,
            }
        )
        self.db["articles"].update(article_id, row)
        self._index(article_id, row)
        save_facts(self.db, article_id, row)
        return "updated"

    def _index(self, article_id: int, row: dict[str, Any]) -> None:
        title, body = row.get("title") or "", row["body"]
        self.db.execute("DELETE FROM articles_fts WHERE rowid = ?", [article_id])
        self.db.execute(
            "INSERT INTO articles_fts (rowid, title, body, title_folded, body_folded) VALUES (?, ?, ?, ?, ?)",
            [article_id, title, body, fold(title), fold(body)],
        )

    # -- reading --------------------------------------------------------------------------------------

    def count(self, site: str | None = None) -> int:
        if site:
            return self.db.execute("SELECT count(*) FROM articles WHERE site = ?", [site]).fetchone()[0]
        return self.db.execute("SELECT count(*) FROM articles").fetchone()[0]

    def search(self, query: str, limit: int = 20) -> list[dict]:
        """Articles matching a query typed with or without diacritics, best match first (see archive/search.py)."""
        if search.parse_query(query).empty:
            return []
        return list(self.db.query(search.ranked_sql(limit=True), {"q": query, "limit": limit}))

    def iter_rows(self, sql: str, params: list | None = None) -> Iterator[dict]:
        """Stream rows of a query without loading them all (exports use this)."""
        cursor = self.db.execute(sql, params or [])
        columns = [d[0] for d in cursor.description]
        for values in cursor:
            yield dict(zip(columns, values, strict=True))


def describe_sqlite_error(path: Path, exc: sqlite3.DatabaseError) -> str:
    """One line a user can act on, for the SQLite errors an archive file can raise."""
    text = str(exc)
    if "locked" in text or "busy" in text:
        return f"{path}: database is locked by another process (another crawl?); try again when it has finished"
    if "readonly" in text or "read-only" in text:
        return f"{path}: database is read-only; check the file's permissions"
    if "unable to open" in text:
        return f"{path}: cannot open the database file (is the folder writable?)"
    if "not a database" in text or "malformed" in text:
        return f"{path}: not a valid SQLite archive ({text})"
    return f"{path}: database error: {text}"
