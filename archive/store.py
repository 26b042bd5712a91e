"""The archive: one SQLite file, its schema in one place, and every write to it.

Tables (a contract other tools read):
- ``articles``: one row per article URL, the newest version;
- ``article_versions``: earlier versions, kept whenever a re-crawl finds a title or body changed;
- ``article_aliases``: the other URLs an article was reached through (tracking parameters, print view ...);
- ``sites``: the profiles known when crawls ran;
- ``crawl_runs``: one row per crawl of one site;
- ``articles_fts``: FTS5 over title and body folded for search (``title_folded``, ``body_folded``; see
  ``archive.search.index_form``), so that "dang uy" finds "Đảng ủy" (semantics: archive/search.py); its
  ``title`` and ``body`` columns are empty since m009;
- ``people``, ``documents_cited``, ``member_counts``: Party facts read from each article's text
  (scraper/facts.py), rewritten whenever the article's text changes.

Writes are batched in transactions (``save_articles``) and the file is in WAL mode, so Datasette can read
while a crawl writes. Schema changes are sqlite-utils migrations: an old archive is upgraded in place.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlite_utils import Database, Migrations

from archive import search
from scraper.facts import COUNT_FIELDS, Facts, extract_facts, is_party_office

BUSY_TIMEOUT_MS = 5000
FTS_TOKENIZER = "unicode61 remove_diacritics 2"
migrations = Migrations("hospital_news")


class ArchiveError(RuntimeError):
    """The archive cannot be opened or written; the message is one line for the user."""


def now_iso() -> str:
    """The current UTC time to the second; time.strftime, 3x cheaper than datetime's, as it runs per article."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def default_warc_dir(db_path: str | Path) -> Path:
    """``archive.db`` → ``archive-warc/`` beside it: raw captures travel with the database they belong to."""
    db = Path(db_path)
    return db.with_name(f"{db.stem}-warc")


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
def m002_capture_and_aliases(db: Database) -> None:
    """Where each article's raw capture is, when it went missing from its site, and its other URLs."""
    articles = db["articles"]
    articles.add_column("warc_file", str)  # file name inside the WARC folder (default: <db stem>-warc/)
    articles.add_column("warc_offset", int)  # byte offset of the page's response record in that file
    articles.add_column("gone_since", str)  # first time the site answered 404/410 for it; NULL while online
    db["article_aliases"].create(
        {"url": str, "article_id": int, "first_seen": str},
        pk="url",
        foreign_keys=[("article_id", "articles", "id")],
    )
    db["article_aliases"].create_index(["article_id"])


@migrations()
def m003_incremental(db: Database) -> None:
    """Validators for conditional re-crawls (ETag, Last-Modified per article URL) and each site's last full pass."""
    db["http_validators"].create({"url": str, "etag": str, "last_modified": str, "checked": str}, pk="url")
    db["sites"].add_column("last_full_pass", str)  # when a crawl last walked every listing page and article


@migrations()
def m004_crawl_history(db: Database) -> None:
    """What the issue's crawl history asks for beyond m001, and what health checks read.

    ``errors`` stays every failed request; ``http_errors`` is the part the server answered with 4xx/5xx.
    ``extraction_failures`` counts article pages with no body found; ``missing_titles``/``missing_dates``
    the archived articles without one. ``gone`` is articles of the site this run no longer found.
    """
    table = db["crawl_runs"]
    for column in ("gone", "http_errors", "extraction_failures", "missing_titles", "missing_dates"):
        table.add_column(column, int, not_null_default=0)
    table.add_column("redirected_to", str)
    table.add_column("warnings", str)
    table.create_index(["site", "started"])


@migrations()
def m005_schedule_state(db: Database) -> None:
    """When the scheduler last fired each site, so a restarted scheduler does not run a site twice."""
    db["schedule_state"].create({"site": str, "cron": str, "last_fire": str, "launched": str}, pk="site")


@dataclass
class CrawlState:
    """What an incremental crawl of one site needs to know from the archive before it starts."""

    validators: dict[str, tuple[str | None, str | None]]  # article URL → (ETag, Last-Modified)
    known: set[str]  # every archived URL of the site, canonical and aliases
    last_full_pass: str | None
    last_status: str | None  # status of the site's previous run


@migrations()
def m006_party_facts(db: Database) -> None:
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


@migrations()
def m007_ingested_feeds(db: Database) -> None:
    """Feed files (JSON lines of Article items from Scrapyd jobs) already merged, by content: each once."""
    db["ingested_feeds"].create(
        {"sha256": str, "path": str, "sites": str, "articles": int, "ingested": str}, pk="sha256"
    )


@migrations()
def m008_browse_indexes(db: Database) -> None:
    """Indexes for the Datasette table page of a big archive (bench.query, 1,000,000 articles): newest first
    without sorting every row (0.2 s → 0 ms), and the year and event_type facets, columns stored after the
    body and so read only through its overflow pages without an index (5.7 s → 0.15 s)."""
    for columns in (["published"], ["year"], ["event_type"]):
        db["articles"].create_index(columns, if_not_exists=True)


# One statement for what ``_find`` needs (canonical URL first, then an alias): it runs once per saved article.
_FIND_COLUMNS = "id, title, body, content_hash, first_seen, last_seen, url"
_FIND_ARTICLE = (
    f"SELECT {_FIND_COLUMNS} FROM articles WHERE id = coalesce("
    "(SELECT id FROM articles WHERE url = ?), (SELECT article_id FROM article_aliases WHERE url = ?))"
)
# sqlite-utils' upsert() introspects the table on every call; this is the same upsert in plain SQL.
_UPSERT_VALIDATORS = (
    "INSERT INTO http_validators (url, etag, last_modified, checked) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (url) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified, "
    "checked = excluded.checked"
)


@migrations()
def m009_fts_folded_only(db: Database) -> None:
    """``articles_fts`` indexes only the folded forms of title and body (``archive.search.index_form``); the
    ``title`` and ``body`` columns stay, empty, so that queries naming them still run.

    Every search rule (archive/search.py) matches the folded columns, and the ranking weighs the unfolded ones
    0; tokenising and storing them doubled the index and a good part of the cost of writing an article. The
    index is rebuilt from ``articles`` here, so an archive of any size keeps every article searchable.
    """
    db.execute("DROP TABLE articles_fts")
    db.execute(
        "CREATE VIRTUAL TABLE articles_fts USING fts5("
        f"title, body, title_folded, body_folded, tokenize='{FTS_TOKENIZER}')"
    )
    articles = db.conn.execute("SELECT id, title, body FROM articles ORDER BY id")
    db.conn.executemany(
        _INDEX_ARTICLE,
        ((i, search.index_form(title or ""), search.index_form(body or "")) for i, title, body in articles),
    )


@migrations()
def m010_facet_indexes(db: Database) -> None:
    """Indexes for the two configured facets m008 left out, category and party: at 1,000,000 articles each
    took 0.65–3 s without one, past Datasette's 200 ms facet limit, so the articles page silently dropped
    them; with one, 70–95 ms (python -m bench query)."""
    for column in ("category", "party"):
        db["articles"].create_index([column], if_not_exists=True)


@migrations()
def m011_run_writes(db: Database) -> None:
    """The writes a running crawl has committed, by number, with their outcome. The archive writer's process can
    die after a write's commit and before its answer; the crawl then sends that write again, and without this
    table the articles it had saved were counted a second time, as unchanged. Rows go when their run closes,
    or, for a run whose process was killed, when a later crawl starts. Write 0 is the run's start: its outcome
    is the token ``start_run`` was given (session 7; no schema change)."""
    db["run_writes"].create(
        {"run": int, "write": int, "outcome": str}, pk=("run", "write"), foreign_keys=[("run", "crawl_runs", "id")]
    )


# The unfolded title/body columns stay NULL (m009); OR REPLACE: one statement for a new and a changed article.
_INDEX_ARTICLE = "INSERT OR REPLACE INTO articles_fts (rowid, title_folded, body_folded) VALUES (?, ?, ?)"


def _insert(db: Database, table: str, row: dict[str, Any]) -> int:
    """INSERT one row with plain SQL and return its rowid.

    Not sqlite-utils' ``insert()``: it introspects the table on every call, and on the per-article write
    path that was most of the ingest time (``python -m bench ingest``).
    """
    columns = ", ".join(f'"{name}"' for name in row)
    sql = f'INSERT INTO "{table}" ({columns}) VALUES ({", ".join("?" * len(row))})'
    return db.conn.execute(sql, list(row.values())).lastrowid


def _insert_many(db: Database, table: str, rows: list[dict[str, Any]]) -> None:
    """INSERT rows that share their keys, in one executemany."""
    if rows:
        columns = ", ".join(f'"{name}"' for name in rows[0])
        sql = f'INSERT INTO "{table}" ({columns}) VALUES ({", ".join("?" * len(rows[0]))})'
        db.conn.executemany(sql, [list(row.values()) for row in rows])


def _update(db: Database, table: str, row_id: int, values: dict[str, Any]) -> None:
    """UPDATE one row by id with plain SQL (see ``_insert`` for why)."""
    if values:
        assignments = ", ".join(f'"{name}" = ?' for name in values)
        db.conn.execute(f'UPDATE "{table}" SET {assignments} WHERE id = ?', [*values.values(), row_id])


@dataclass
class ArticleFacts:
    """What :func:`read_facts` finds in one article: the columns it sets on ``articles`` and its facts."""

    event_type: str
    year: int | None
    date: str | None
    facts: Facts


def read_facts(row: dict[str, Any]) -> ArticleFacts:
    """The Party facts, event type and year of one article row (``images`` as stored: a JSON string)."""
    captions = [i.get("caption") for i in json.loads(row.get("images") or "[]") if i.get("caption")]
    facts = extract_facts(row.get("title"), row["body"], bool(row.get("party")), captions)
    date = (row.get("published") or "")[:10] or None
    year = int(date[:4]) if date and date[:4].isdigit() else None
    return ArticleFacts(facts.event_type, year, date, facts)


def _insert_facts(db: Database, article_id: int, site: str, found: ArticleFacts) -> None:
    """INSERT an article's fact rows (its old ones, if any, must be gone already)."""
    facts = found.facts
    common = {"article": article_id, "site": site, "date": found.date}
    _insert_many(
        db,
        "people",
        [
            {**common, "name": p.name, "role": p.role, "party_office": int(is_party_office(p.role))}
            for p in facts.people
        ],
    )
    _insert_many(
        db,
        "documents_cited",
        [
            {**common, "document": d, "kind": d.split("-", 1)[1].split("/")[0], "issuer": d.split("/", 1)[1]}
            for d in facts.documents
        ],
    )
    if any(v is not None for v in facts.member_counts.values()):
        _insert(db, "member_counts", {**common, "level": facts.level, **facts.member_counts})


def save_facts(db: Database, article_id: int, row: dict[str, Any]) -> None:
    """(Re)write the Party facts of one article: its previous facts go, what its current text states comes."""
    found = read_facts(row)
    _update(db, "articles", article_id, {"event_type": found.event_type, "year": found.year})
    _delete_facts(db, article_id)
    _insert_facts(db, article_id, row["site"], found)


def _delete_facts(db: Database, article_id: int) -> None:
    for table in ("people", "documents_cited", "member_counts"):
        db.conn.execute(f"DELETE FROM {table} WHERE article = ?", [article_id])


def _use_wal(db: Database, timeout_ms: int) -> None:
    """Put the file in WAL mode, which it keeps: in practice once, when the archive is new.

    The switch needs the file to itself, and SQLite does not wait for that with the busy timeout: two crawls
    creating one archive at once (the scheduler starting two sites) would fail with "locked". Retried until
    the timeout instead; a file already in WAL mode is not asked again.
    """
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        try:
            if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                db.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


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
            _use_wal(self.db, timeout_ms)
            self.db.execute("PRAGMA synchronous = NORMAL")
            self.db.execute("PRAGMA foreign_keys = ON")
            search.register_functions(conn)
            # Two processes opening a new archive at once migrate it once. All pending migrations are one
            # transaction, so each must be transactional (no VACUUM, no @migrations(transactional=False)).
            if migrations.pending(self.db):
                with self.writing():
                    migrations.apply(self.db)
        except sqlite3.DatabaseError as exc:
            raise ArchiveError(describe_sqlite_error(self.path, exc)) from None

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    @contextlib.contextmanager
    def writing(self) -> Iterator[Database]:
        """A write transaction that takes SQLite's write lock when it begins (``BEGIN IMMEDIATE``).

        Why not sqlite-utils' ``atomic()``: its plain ``BEGIN`` asks for the lock at the first write, and a
        transaction that has read by then cannot wait for it. When another process (the scheduler crawls two
        sites at once) commits in between, SQLite answers "database is locked" at once, since the reads are
        stale, and the run did not start or the batch was refused. Asked for first, the lock is waited for,
        up to the busy timeout. Nested, it is a savepoint of the transaction already open.

        SQLite's errors (the lock still held at the timeout, a failed commit) come out as one-line
        ``ArchiveError``s, as from the public methods.
        """
        conn = self.db.conn
        if conn.in_transaction:
            with self.db.atomic():
                yield self.db
            return
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.DatabaseError as exc:
            raise ArchiveError(describe_sqlite_error(self.path, exc)) from None
        try:
            yield self.db
            conn.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            self._roll_back()
            raise ArchiveError(describe_sqlite_error(self.path, exc)) from None
        except BaseException:
            self._roll_back()
            raise

    def _roll_back(self) -> None:
        """Undo the open transaction, if SQLite has not already; a failure here must not hide the first one."""
        if self.db.conn.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                self.db.conn.execute("ROLLBACK")

    # -- sites and runs -------------------------------------------------------------------------------

    @_friendly_errors
    def register_site(self, profile: Any) -> None:
        """Record (or refresh) the profile a crawl is about to use."""
        with self.writing():
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
    def start_run(self, site: str, trigger: str = "manual", *, sweep: bool = True, token: str | None = None) -> int:
        """Open a run; runs of the site left ``running`` by a killed process are closed as interrupted.

        That sweep is for a caller that holds the site's lock (a crawl): only then is a ``running`` run of the
        site sure to be dead. ``ingest`` holds none, and passes ``sweep=False``, so that merging feeds while the
        site is being crawled leaves that crawl's run alone.

        ``token``, unique to the caller, makes the start a write like the others: the crawl sends it again when
        its writer process died before answering, possibly after the commit, and the run opened then comes
        back instead of a second one (which would have closed the first as interrupted). It is kept as the
        run's write 0 in ``run_writes``, and goes with the others when the run closes.
        """
        with self.writing():
            if token is not None:
                sql = "SELECT run FROM run_writes WHERE write = 0 AND outcome = ?"
                opened = self.db.execute(sql, [json.dumps(token)]).fetchone()
                if opened is not None:
                    return opened[0]
            if sweep:
                self.db.execute(
                    "UPDATE crawl_runs SET status = 'interrupted', message = ? WHERE site = ? AND status = 'running'",
                    ["the crawl process ended without closing its run (killed?)", site],
                )
                self._forget_writes("run IN (SELECT id FROM crawl_runs WHERE status != 'running')", [])
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
            if token is not None:
                sql = "INSERT INTO run_writes (run, write, outcome) VALUES (?, 0, ?)"
                self.db.execute(sql, [table.last_pk, json.dumps(token)])
            return table.last_pk

    @_friendly_errors
    def finish_run(
        self, run_id: int, *, status: str, pages: int, errors: int, message: str | None = None, **figures: Any
    ) -> dict:
        """Close a run with its fetch figures; article counts come from what was saved under it.

        ``figures`` are further ``crawl_runs`` columns (``gone``, ``http_errors``, ``warnings``, ...).
        """
        row = {"finished": now_iso(), "status": status, "pages": pages, "errors": errors, "message": message}
        row.update(figures)
        with self.writing():
            self.db["crawl_runs"].update(run_id, row)
            self._forget_writes("run = ?", [run_id])
        return self.db["crawl_runs"].get(run_id)

    def _forget_writes(self, where: str, params: list) -> None:
        """Drop the numbered writes of closed runs: none of them can be sent again."""
        self.db.execute(f"DELETE FROM run_writes WHERE {where}", params)

    def _once(self, run_id: int | None, write: int | None, make: Callable[[], Any]) -> Any:
        """``make()``, inside the caller's transaction, recorded as write number ``write`` of run ``run_id``;
        or, when the run committed that write already, its outcome then and nothing done. The crawl sends a
        write again when its writer process died before answering, possibly after the commit."""
        if run_id is None or write is None:
            return make()
        if write < 1:
            raise ValueError(f"write {write}: writes are numbered from 1 (0 is the run's start, see start_run)")
        sql = "SELECT outcome FROM run_writes WHERE run = ? AND write = ?"
        committed = self.db.execute(sql, [run_id, write]).fetchone()
        if committed is not None:
            return json.loads(committed[0])
        outcome = make()
        sql = "INSERT INTO run_writes (run, write, outcome) VALUES (?, ?, ?)"
        self.db.execute(sql, [run_id, write, json.dumps(outcome)])
        return outcome

    def previous_runs(self, site: str, before: int, limit: int = 10) -> list[dict]:
        """The site's finished runs before run ``before``, newest first (what health compares against)."""
        sql = "SELECT * FROM crawl_runs WHERE site = ? AND id < ? AND finished IS NOT NULL ORDER BY id DESC LIMIT ?"
        return list(self.db.query(sql, [site, before, limit]))

    def site_summary(self, site: str) -> dict[str, Any]:
        """What ``hospital-news status`` prints for one site: last runs, article count, newest article."""
        last_run = next(
            iter(self.db.query("SELECT * FROM crawl_runs WHERE site = ? ORDER BY id DESC LIMIT 1", [site])), None
        )
        last_ok = self.db.execute(
            "SELECT max(finished) FROM crawl_runs WHERE site = ? AND status IN ('ok', 'partial', 'warning')", [site]
        ).fetchone()[0]
        newest = next(
            iter(
                self.db.query(
                    "SELECT title, published, first_seen FROM articles WHERE site = ? "
                    "ORDER BY first_seen DESC, published DESC LIMIT 1",
                    [site],
                )
            ),
            None,
        )
        return {"last_run": last_run, "last_success": last_ok, "articles": self.count(site), "newest": newest}

    def site_names(self) -> list[str]:
        return [row[0] for row in self.db.execute("SELECT name FROM sites ORDER BY name")]

    # -- articles -------------------------------------------------------------------------------------

    @_friendly_errors
    def save_articles(
        self,
        articles: Iterable[dict[str, Any]],
        run_id: int | None = None,
        *,
        sighting: bool = True,
        write: int | None = None,
    ) -> dict[str, int]:
        """Insert or update a batch of articles in one transaction; returns counts by outcome.

        A changed title or body keeps the previous version in ``article_versions``; an unchanged article
        only has ``last_seen`` moved on. The same URL twice never makes two rows. ``sighting=False`` is for
        text rebuilt from a capture (``reextract``): the site was not visited, so ``last_seen``,
        ``last_run`` and ``gone_since`` stay as they are. ``write`` numbers the batch within its run: a batch
        the run committed already under that number is not saved again, and its first counts come back.
        """
        with self.writing():
            return self._once(run_id, write, lambda: self._save_batch(articles, run_id, sighting))

    def _save_batch(self, articles: Iterable[dict[str, Any]], run_id: int | None, sighting: bool) -> dict[str, int]:
        counts = {"new": 0, "updated": 0, "unchanged": 0}
        for article in articles:
            counts[self._save_one(article, run_id, sighting)] += 1
        if run_id is not None:
            self.db.execute(
                "UPDATE crawl_runs SET new = new + ?, updated = updated + ?, unchanged = unchanged + ? WHERE id = ?",
                [counts["new"], counts["updated"], counts["unchanged"], run_id],
            )
        return counts

    def _save_one(self, article: dict[str, Any], run_id: int | None, sighting: bool = True) -> str:
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
            "gone_since": None,
        }
        capture = {k: article[k] for k in ("warc_file", "warc_offset") if article.get(k) is not None}
        row.update(capture)
        if article.get("etag") or article.get("last_modified"):
            validators = [row["url"], article.get("etag"), article.get("last_modified"), seen]
            self.db.conn.execute(_UPSERT_VALIDATORS, validators)
        existing = self._find(row["url"])
        if existing is None:
            found = read_facts(row)
            row.update(first_seen=seen, event_type=found.event_type, year=found.year)
            article_id = _insert(self.db, "articles", row)
            self._index(article_id, row)
            self._add_aliases(article_id, row["url"], article.get("aliases") or [], seen)
            _insert_facts(self.db, article_id, row["site"], found)  # a new id: no old facts to delete
            return "new"
        article_id, old_title, old_body, _stored_hash, _first_seen, old_last_seen, stored_url = existing
        old_hash = content_hash(old_title, old_body)  # from the text itself: a hand-edited body is not "unchanged"
        row["url"] = stored_url  # reached through an alias: keep its key
        self._add_aliases(article_id, row["url"], [article["url"], *(article.get("aliases") or [])], seen)
        sighted = {"last_seen": seen, "last_run": run_id, "gone_since": None} if sighting else {}
        if not sighting:
            for name in ("last_seen", "last_run", "gone_since"):
                row.pop(name)
        if old_hash == digest:
            _update(self.db, "articles", article_id, {**sighted, **capture})
            return "unchanged"
        _insert(
            self.db,
            "article_versions",
            {
                "article_id": article_id,
                "url": row["url"],
                "title": old_title,
                "body": old_body,
                "content_hash": old_hash,
                "first_seen": old_last_seen,
                "replaced": seen if sighting else now_iso(),
            },
        )
        found = read_facts(row)
        row.update(event_type=found.event_type, year=found.year)
        _update(self.db, "articles", article_id, row)
        self._index(article_id, row)
        _delete_facts(self.db, article_id)
        _insert_facts(self.db, article_id, row["site"], found)
        return "updated"

    @_friendly_errors
    def touch(
        self, urls: Iterable[str], run_id: int | None = None, seen: str | None = None, *, write: int | None = None
    ) -> int:
        """Articles the site confirmed unchanged (HTTP 304): ``last_seen`` moves on; returns how many.
        ``write``: as for ``save_articles``."""
        with self.writing():
            return self._once(run_id, write, lambda: self._touch_batch(urls, run_id, seen))

    def _touch_batch(self, urls: Iterable[str], run_id: int | None, seen: str | None) -> int:
        touched = 0
        for url in urls:
            found = self._find(url)
            if found is None:
                continue
            sighted = {"last_seen": seen or now_iso(), "last_run": run_id, "gone_since": None}
            self.db["articles"].update(found[0], sighted)
            touched += 1
        if run_id is not None:
            self.db.execute("UPDATE crawl_runs SET unchanged = unchanged + ? WHERE id = ?", [touched, run_id])
        return touched

    @_friendly_errors
    def crawl_state(self, site: str) -> CrawlState:
        validators = {
            url: (etag, modified)
            for url, etag, modified in self.db.execute(
                "SELECT v.url, v.etag, v.last_modified FROM http_validators v JOIN articles a ON a.url = v.url "
                "WHERE a.site = ?",
                [site],
            )
        }
        known = {url for (url,) in self.db.execute("SELECT url FROM articles WHERE site = ?", [site])}
        known |= {
            url
            for (url,) in self.db.execute(
                "SELECT l.url FROM article_aliases l JOIN articles a ON a.id = l.article_id WHERE a.site = ?", [site]
            )
        }
        full = self.db.execute("SELECT last_full_pass FROM sites WHERE name = ?", [site]).fetchone()
        last = self.db.execute(
            "SELECT status FROM crawl_runs WHERE site = ? AND status != 'running' ORDER BY id DESC LIMIT 1", [site]
        ).fetchone()
        return CrawlState(validators, known, full[0] if full else None, last[0] if last else None)

    @_friendly_errors
    def mark_unlisted(self, site: str, run_id: int, when: str | None = None, *, write: int | None = None) -> int:
        """After a complete full pass: flag the site's articles that no listing led to in run ``run_id``.

        Only a run that walked every listing and fetched every page without error may say that an article is
        gone from every listing; the row stays, with ``gone_since`` set. Returns how many were newly flagged.
        ``write``: as for ``save_articles``.
        """
        sql = (
            "UPDATE articles SET gone_since = ? WHERE site = ? AND gone_since IS NULL "
            "AND (last_run IS NULL OR last_run != ?)"
        )
        with self.writing():
            return self._once(run_id, write, lambda: self.db.execute(sql, [when or now_iso(), site, run_id]).rowcount)

    @_friendly_errors
    def record_full_pass(self, site: str, when: str | None = None) -> None:
        with self.writing():
            self.db.execute("UPDATE sites SET last_full_pass = ? WHERE name = ?", [when or now_iso(), site])

    def _find(self, url: str) -> tuple | None:
        """The stored article for ``url``, looked up by its canonical URL, then among known aliases."""
        return self.db.conn.execute(_FIND_ARTICLE, [url, url]).fetchone()

    def _add_aliases(self, article_id: int, url: str, aliases: Iterable[str], seen: str) -> None:
        for alias in dict.fromkeys(a for a in aliases if a and a != url):
            self.db.execute(
                "INSERT OR IGNORE INTO article_aliases (url, article_id, first_seen) VALUES (?, ?, ?)",
                [alias, article_id, seen],
            )

    @_friendly_errors
    def mark_gone(
        self, urls: Iterable[str], when: str | None = None, *, run_id: int | None = None, write: int | None = None
    ) -> int:
        """Flag the articles at ``urls`` (canonical or alias) as gone from their site; never deletes.

        ``gone_since`` keeps the first time it was seen gone; returns how many articles were newly flagged.
        ``run_id`` and ``write``: as for ``save_articles``.
        """
        with self.writing():
            return self._once(run_id, write, lambda: self._flag_gone(urls, when))

    def _flag_gone(self, urls: Iterable[str], when: str | None) -> int:
        flagged = 0
        for url in urls:
            found = self._find(url)
            if found is not None:
                flagged += self.db.execute(
                    "UPDATE articles SET gone_since = ? WHERE id = ? AND gone_since IS NULL",
                    [when or now_iso(), found[0]],
                ).rowcount
        return flagged

    def _index(self, article_id: int, row: dict[str, Any]) -> None:
        """(Re)index one article; OR REPLACE drops a row left under its id (an article deleted by hand)."""
        title, body = search.index_form(row.get("title") or ""), search.index_form(row["body"])
        self.db.conn.execute(_INDEX_ARTICLE, [article_id, title, body])

    # -- facts ----------------------------------------------------------------------------------------

    FACT_TABLES = ("people", "documents_cited", "member_counts")

    def fact_counts(self) -> dict[str, int]:
        """Rows in each facts table (what ``hospital-news facts`` reports before and after)."""
        return {t: self.db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in self.FACT_TABLES}

    @_friendly_errors
    def recompute_facts(self, batch_size: int = 200) -> int:
        """Read every article's Party facts (and event type, year) again with the current rules; returns how
        many articles were read. Batched transactions, so a reader (Datasette) is never blocked for long, and
        an interrupted run leaves each article with either its old or its new facts, never a mix."""
        columns = "id, site, category, party, title, published, body, images"
        done, last_id = 0, 0
        while True:
            rows = list(
                self.db.query(f"SELECT {columns} FROM articles WHERE id > ? ORDER BY id LIMIT ?", [last_id, batch_size])
            )
            if not rows:
                return done
            with self.writing():
                for row in rows:
                    save_facts(self.db, row["id"], row)
            done += len(rows)
            last_id = rows[-1]["id"]

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
