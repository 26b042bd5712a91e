"""The archive's own Datasette plugin, loaded with ``--plugins-dir`` by ``hospital-news serve``.

- Vietnamese search (archive/search.py) on every connection: ``vn_match``/``vn_accent_hit``/``vn_excerpt`` for
  the ranked canned query ``search``, and ``escape_fts`` replaced so the table's search box folds the query
  (đ→d, NFD→NFC, any tone placement) and matches it as a phrase.
- Article bodies shown as escaped paragraphs (full on the article's page, a short excerpt in tables) and photos
  as a list of captions: crawled text never reaches the page as HTML.
- ``/robots.txt`` asks every robot to stay away: a public archive should not be crawled page by page.
- ``/-/charts``: articles per month per hospital and membership over time, as SVG (archive/charts.py).
"""

from __future__ import annotations

import json
from contextvars import ContextVar

from datasette import Response, hookimpl
from markupsafe import Markup, escape

from archive import charts, search

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


@hookimpl
def render_cell(value, column, table):
    if table == "articles" and column == "images" and isinstance(value, str):
        return images_html(value)
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
    name = request.args.get("db") or next(iter(datasette.databases.keys() - {"_internal", "_memory"}), None)
    if name not in datasette.databases:
        return Response.html("Không có cơ sở dữ liệu / no such database", status=404)
    html = await datasette.get_database(name).execute_fn(lambda conn: charts.charts_page(conn, name))
    return Response.html(html)


@hookimpl
def register_routes():
    return [(r"^/robots\.txt$", robots_txt), (r"^/-/charts$", charts_page)]


@hookimpl
def menu_links(datasette):
    return [{"href": datasette.urls.path("/-/charts"), "label": "Biểu đồ / Charts"}]
