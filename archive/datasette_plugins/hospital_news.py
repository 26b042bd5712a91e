"""The archive's own Datasette plugin, loaded with ``--plugins-dir`` by ``hospital-news serve``.

- Vietnamese search (archive/search.py) on every connection: ``vn_match``/``vn_accent_hit``/``vn_excerpt`` for
  the ranked canned query ``search``, and ``escape_fts`` replaced so the table's search box folds the query
  (đ→d, NFD→NFC, any tone placement) and matches it as a phrase.
- The articles table's search box itself (``filters_from_request``, archive/table_search.py): Datasette's own
  SQL read every match of a common phrase whole and passed the time limit on a million articles.
- Article bodies shown as escaped paragraphs (full on the article's page, a short excerpt in tables) and photos
  as a list of captions: crawled text never reaches the page as HTML.
- ``/robots.txt`` asks every robot to stay away: a public archive should not be crawled page by page.
- ``/-/charts``: articles per month per hospital and membership over time, as SVG (archive/charts.py).
- ``/-/archived/<article id>``: the article's page as the crawler received it, read from its WARC record and
  served inert (archive/archived_copy.py); every article's ``url`` cell links to the original and to it.
  The WARC folder is the plugin setting ``warc_dir`` (``hospital-news serve --warc-dir``), by default
  ``<db stem>-warc/`` beside the database file.
- The CSV of a canned query (``/archive/search.csv?q=...``) or of ``/archive.csv?sql=...`` has every row,
  streamed (archive/query_csv.py); Datasette's own would stop at ``max_returned_rows``. For ``search``,
  whose page shows the best hits only (fast on a million articles), the CSV is every hit in the same order.
"""

from __future__ import annotations

import json
import re
import sqlite3
from contextvars import ContextVar
from pathlib import Path

from datasette import Forbidden, Response, hookimpl
from datasette.database import QueryInterrupted
from datasette.filters import FilterArguments
from datasette.utils import InvalidSql, derive_named_parameters, validate_sql_select
from datasette.utils.asgi import AsgiStream, BadRequest
from markupsafe import Markup, escape
from warcio.exceptions import ArchiveLoadFailed

from archive import archived_copy, charts, query_csv, search, table_search
from archive.reextract import read_capture
from archive.store import default_warc_dir

PLUGIN = "hospital-news"

EXCERPT_CHARS = 300
ROBOTS_TXT = "User-agent: *\nDisallow: /\n"
# Datasette 0.65's render_cell is not told which page it renders; the path of the request being served is
# kept here by asgi_wrapper so a cell can tell an article's own page (/db/articles/7) from a table page.
_request_path: ContextVar[str] = ContextVar("hospital_news_request_path", default="")


def table_search_expression(query: str) -> str:
    """What the table search box matches: the query folded, as one phrase over the folded columns."""
    return search.match_expression(query, "bare_phrase")


@hookimpl(trylast=True)
def prepare_connection(conn):
    # trylast: Datasette's own escape_fts is registered by its default plugin; ours must come after it.
    search.register_functions(conn)
    conn.create_function("escape_fts", 1, table_search_expression, deterministic=True)


@hookimpl(trylast=True)
def filters_from_request(request, database, table, datasette):
    """The articles table's search box (archive/table_search.py). trylast: its ``supports_search`` must win
    over the ``False`` Datasette's own search filter reports, the metadata naming no ``fts_table``."""
    if table != table_search.TABLE:
        return None

    async def inner() -> FilterArguments | None:
        db = datasette.get_database(database)
        if not await db.table_exists(table_search.FTS_TABLE):
            return None
        raw = request.args.get("_searchmode") == "raw"
        try:
            wanted = table_search.searches({key: request.args[key] for key in request.args})
        except ValueError as error:
            raise BadRequest(str(error)) from None
        params, clauses = {}, []
        enough = (await db.execute(table_search.threshold_sql())).first()[0] if wanted else 0
        for one in wanted:
            params[one.param] = one.text
            clauses.append(table_search.where_clause(one, raw, dense=await _is_dense(db, one, raw, enough)))
        context = {"supports_search": True, "search": wanted[-1].text if wanted else ""}  # what the box shows
        return FilterArguments(clauses, params, [one.describe() for one in wanted], context)

    return inner


async def _is_dense(db, one: table_search.Search, raw: bool, enough: int) -> bool:
    """False when the probe fails (a raw query's FTS5 syntax error): the table's own query then reports it."""
    try:
        hits = await db.execute(table_search.dense_sql(one, raw), {one.param: one.text, "enough": enough})
    except (sqlite3.DatabaseError, QueryInterrupted):
        return False
    return bool(hits.first()[0])


def paragraphs_html(body: str) -> Markup:
    paragraphs = [p.strip() for p in body.split("\n\n") if p.strip()]
    return Markup("".join(f"<p>{escape(p)}</p>" for p in paragraphs))


def is_row_page(path: str, table: str) -> bool:
    parts = path.strip("/").split("/")
    return len(parts) == 3 and parts[1] == table


@hookimpl
def asgi_wrapper():
    def wrap(app):
        async def remember_path(scope, receive, send):
            token = _request_path.set(scope.get("path", "") if scope.get("type") == "http" else "")
            try:
                await app(scope, receive, send)
            finally:
                _request_path.reset(token)

        return remember_path

    return wrap


def images_html(value: str) -> Markup | None:
    """Photos as a list of captions linking to the image; only http(s) links, every text escaped."""
    try:
        images = json.loads(value)
    except ValueError:
        return None
    items = []
    for image in images if isinstance(images, list) else []:
        src = str(image.get("src") or "")
        caption = escape(image.get("caption") or src.rsplit("/", 1)[-1] or "ảnh / photo")
        link = src.startswith(("http://", "https://"))
        items.append(f'<li><a href="{escape(src)}">{caption}</a></li>' if link else f"<li>{caption}</li>")
    return Markup(f"<ul>{''.join(items)}</ul>") if items else Markup("")


def archived_path(datasette, database: str, article_id: int) -> str:
    """Where an article's archived copy is served; ``?db=`` only when several databases are served."""
    served = [name for name in datasette.databases if name not in ("_internal", "_memory")]
    path = datasette.urls.path(f"/-/archived/{article_id}")
    return path if served == [database] else f"{path}?db={database}"


def url_html(datasette, database: str, row, url: str) -> Markup:
    """The original URL, linked, and a link to the archived copy when the row has a capture."""
    keys = row.keys() if hasattr(row, "keys") else []
    original = f'<a href="{escape(url)}">{escape(url)}</a>' if url.startswith(("http://", "https://")) else escape(url)
    if "id" not in keys or ("warc_file" in keys and not row["warc_file"]):
        return Markup(original)
    archived = escape(archived_path(datasette, database, row["id"]))
    return Markup(f'{original}<br><a href="{archived}" class="archived-copy">Bản lưu / archived copy</a>')


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if table == "articles" and column == "images" and isinstance(value, str):
        return images_html(value)
    if table == "articles" and column == "url" and isinstance(value, str):
        return url_html(datasette, database, row, value)
    if table not in ("articles", "article_versions") or column != "body" or not isinstance(value, str):
        return None
    if is_row_page(_request_path.get(), table):
        return paragraphs_html(value)
    short = value if len(value) <= EXCERPT_CHARS else value[:EXCERPT_CHARS].rsplit(" ", 1)[0] + " …"
    return escape(short.replace("\n\n", " ¶ "))


async def robots_txt():
    return Response.text(ROBOTS_TXT)


async def charts_page(datasette, request):
    """/-/charts: articles per month per hospital and membership over time, for the first (or ?db=) database."""
    name = served_database(datasette, request)
    if name is None:
        return Response.html("Không có cơ sở dữ liệu / no such database", status=404)
    html = await datasette.get_database(name).execute_fn(lambda conn: charts.charts_page(conn, name))
    return Response.html(html)


def served_database(datasette, request) -> str | None:
    """``?db=NAME``, or the one database ``hospital-news serve`` serves."""
    name = request.args.get("db") or next(iter(datasette.databases.keys() - {"_internal", "_memory"}), None)
    return name if name in datasette.databases else None


def warc_folder(datasette, database: str) -> Path:
    """The plugin's ``warc_dir`` setting (set by ``hospital-news serve``), else ``<db stem>-warc/`` beside it."""
    config = datasette.plugin_config(PLUGIN, database=database) or {}
    if config.get("warc_dir"):
        return Path(config["warc_dir"])
    return default_warc_dir(datasette.get_database(database).path)


def _missing(message: str, article_href: str | None = None) -> Response:
    return Response.html(archived_copy.missing_page(message, article_href), status=404, headers=archived_copy.HEADERS)


async def archived_page(datasette, request):
    """/-/archived/<id>: the article's page from its WARC record, inert, under a banner (archive/archived_copy.py)."""
    name = served_database(datasette, request)
    article_id = int(request.url_vars["id"])
    if name is None:
        return _missing("Không có cơ sở dữ liệu này / no such database")
    db = datasette.get_database(name)
    sql = "SELECT id, url, title, warc_file, warc_offset, gone_since FROM articles WHERE id = ?"
    row = (await db.execute(sql, [article_id])).first()
    if row is None:
        return _missing(f"Không có bài số {article_id} trong kho / no article {article_id} in the archive")
    article_href = datasette.absolute_url(request, datasette.urls.row(name, "articles", str(article_id)))
    if not row["warc_file"]:
        return _missing(
            "Bài này được lưu trước khi có bản lưu trang gốc (WARC), nên không có bản lưu; nội dung vẫn ở trong "
            "kho. / This article was archived before raw-page capture (WARC) was on: it has no archived copy; "
            "its text is still in the archive.",
            article_href,
        )
    try:
        capture = await db.execute_fn(
            lambda _conn: read_capture(warc_folder(datasette, name), row["warc_file"], row["warc_offset"])
        )
    except (OSError, ValueError, ArchiveLoadFailed):
        return _missing(
            f"Không đọc được bản lưu trong tệp WARC {row['warc_file']} (thư mục WARC có đúng không? xem "
            f"--warc-dir) / the archived copy in WARC file {row['warc_file']} cannot be read (is the WARC folder "
            "right? see hospital-news serve --warc-dir)",
            article_href,
        )
    article = archived_copy.ArticleRef(row["url"], row["title"], article_href, row["gone_since"])
    return Response.html(archived_copy.archived_page(capture, article), headers=archived_copy.HEADERS)


async def _csv_response(datasette, request, database: str, sql: str, filename: str) -> AsgiStream:
    db = datasette.get_database(database)
    names = await derive_named_parameters(db, sql)
    params = {name: request.args.get(name, "") for name in names}
    headers = {"content-disposition": query_csv.download_name(filename)} if request.args.get("_dl") else {}
    content_type = "text/csv; charset=utf-8" if request.args.get("_dl") else "text/plain; charset=utf-8"

    async def stream(writer):
        try:
            await query_csv.stream_rows(
                db.path,
                sql,
                params,
                writer.write,
                header=request.args.get("_header") != "off",
                time_limit_ms=datasette.setting("sql_time_limit_ms"),
            )
        except sqlite3.Error as exc:  # the rows so far are sent; the error says the file is incomplete
            await writer.write(f"\nError: query stopped, this CSV is incomplete: {exc}\n")

    return AsgiStream(stream, headers=headers, content_type=content_type)


async def canned_query_csv(datasette, request):
    """/<db>/<canned query>.csv: every row, streamed (Datasette's own stops at max_returned_rows)."""
    database, name = request.url_vars["database"], request.url_vars["query"]
    query = await datasette.get_canned_query(database, name, request.actor) if database in datasette.databases else None
    if query is None or query.get("write"):
        return Response.text(f"No such canned query: {database}/{name}", status=404)
    try:
        await datasette.ensure_permissions(
            request.actor, [("view-query", (database, name)), ("view-database", database), "view-instance"]
        )
    except Forbidden as exc:
        return Response.text(str(exc), status=403)
    # The ranked page shows the best hits (search.TOP_HITS); its CSV has every hit, in the same order.
    sql = search.RANKED_SQL_ALL if query["sql"] == search.RANKED_SQL else query["sql"]
    return await _csv_response(datasette, request, database, sql, name)


async def sql_csv(datasette, request):
    """/<db>.csv?sql=...: every row of a read-only SELECT, streamed."""
    database = request.url_vars["database"]
    if database not in datasette.databases:
        return Response.text(f"No such database: {database}", status=404)
    sql = request.args.get("sql")
    if not sql:
        return Response.text("Add ?sql=SELECT ... to download a query as CSV", status=400)
    try:
        await datasette.ensure_permissions(
            request.actor, [("execute-sql", database), ("view-database", database), "view-instance"]
        )
    except Forbidden as exc:
        return Response.text(str(exc), status=403)
    try:
        validate_sql_select(sql)
    except InvalidSql as exc:
        return Response.text(f"Invalid SQL: {exc}", status=400)
    return await _csv_response(datasette, request, database, sql, database)


@hookimpl
def register_routes(datasette):
    routes = [
        (r"^/robots\.txt$", robots_txt),
        (r"^/-/charts$", charts_page),
        (r"^/-/archived/(?P<id>\d+)$", archived_page),
        (r"^/(?P<database>[^/.]+)\.csv$", sql_csv),
    ]
    names = {
        name
        for database in datasette.databases
        for name in (datasette.metadata("queries", database=database, fallback=False) or {})
    }
    if names:
        alternatives = "|".join(re.escape(name) for name in sorted(names))
        routes.append((rf"^/(?P<database>[^/.]+)/(?P<query>{alternatives})\.csv$", canned_query_csv))
    return routes


@hookimpl
def menu_links(datasette):
    return [{"href": datasette.urls.path("/-/charts"), "label": "Biểu đồ / Charts"}]
