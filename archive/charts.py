"""Charts as plain SVG, drawn on the server: articles per month per hospital, Party membership over time.

No JavaScript and no chart library: the page works in any browser, prints, and needs nothing from the
network. Every label is escaped (hospital names and titles come from crawled pages).
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from datetime import date
from html import escape

WIDTH, HEIGHT, MARGIN = 760, 260, 44
COLOURS = ("#b91c1c", "#1d4ed8", "#15803d", "#a16207", "#7e22ce", "#0f766e")

ARTICLES_PER_MONTH = """
SELECT coalesce(sites.hospital, articles.site) AS series, substr(articles.published, 1, 7) AS x, count(*) AS y
FROM articles LEFT JOIN sites ON sites.name = articles.site
WHERE articles.published IS NOT NULL GROUP BY series, x ORDER BY x"""
MEMBERSHIP = """
SELECT coalesce(sites.hospital, member_counts.site) AS series, member_counts.date AS x, max(member_counts.total) AS y
FROM member_counts LEFT JOIN sites ON sites.name = member_counts.site
WHERE member_counts.level = 'đảng bộ' AND member_counts.total IS NOT NULL AND member_counts.date IS NOT NULL
GROUP BY series, x ORDER BY x"""


def series_of(conn: sqlite3.Connection, sql: str) -> dict[str, list[tuple[str, int]]]:
    """{series name: [(x, y), ...]} from a query returning series, x, y."""
    series: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for name, x, y in conn.execute(sql):
        series[name].append((x, y))
    return dict(series)


def day_of(label: str) -> int:
    """An ISO date or month ("2024-07-12", "2024-07") as a day number, so the x axis keeps time to scale."""
    parts = [int(p) for p in label[:10].split("-")] + [1, 1]
    return date(parts[0], parts[1] or 1, parts[2] or 1).toordinal()


def months_between(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:7])
    months = []
    while f"{year:04d}-{month:02d}" <= last[:7]:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def with_empty_months(series: dict[str, list[tuple[str, int]]]) -> dict[str, list[tuple[str, int]]]:
    """Months without an article count as 0, so a line never jumps over a silent year."""
    labels = sorted({x for points in series.values() for x, _ in points})
    if not labels:
        return series
    months = months_between(labels[0], labels[-1])
    return {name: [(m, dict(points).get(m, 0)) for m in months] for name, points in series.items()}


def line_chart(title: str, series: dict[str, list[tuple[str, int]]], y_label: str) -> str:
    """One SVG line chart, time to scale on x, one line and colour per series, with a legend."""
    xs = sorted({x for points in series.values() for x, _ in points})
    if not xs:
        return f"<figure><figcaption>{escape(title)}</figcaption><p>Chưa có số liệu / no data yet</p></figure>"
    top = max(y for points in series.values() for _, y in points) or 1
    plot_w, plot_h = WIDTH - 2 * MARGIN, HEIGHT - 2 * MARGIN
    first, span = day_of(xs[0]), max(day_of(xs[-1]) - day_of(xs[0]), 1)

    def at(x: str, y: int) -> tuple[float, float]:
        px = MARGIN + (day_of(x) - first) / span * plot_w
        return round(px, 1), round(MARGIN + plot_h - y / top * plot_h, 1)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" class="hn-chart">',
        f'<line x1="{MARGIN}" y1="{MARGIN + plot_h}" x2="{WIDTH - MARGIN}" y2="{MARGIN + plot_h}" stroke="#999"/>',
        f'<line x1="{MARGIN}" y1="{MARGIN}" x2="{MARGIN}" y2="{MARGIN + plot_h}" stroke="#999"/>',
        f'<text x="4" y="{MARGIN - 8}" font-size="11">{escape(y_label)} (max {top})</text>',
        f'<text x="{MARGIN}" y="{HEIGHT - 8}" font-size="11">{escape(xs[0])}</text>',
        f'<text x="{WIDTH - MARGIN}" y="{HEIGHT - 8}" font-size="11" text-anchor="end">{escape(xs[-1])}</text>',
    ]
    legend = []
    for index, (name, points) in enumerate(sorted(series.items())):
        colour = COLOURS[index % len(COLOURS)]
        coords = [at(x, y) for x, y in points]
        path = " ".join(f"{x},{y}" for x, y in coords)
        parts.append(f'<polyline class="series" fill="none" stroke="{colour}" stroke-width="2" points="{path}"/>')
        for (x, y), (label, value) in zip(coords, points, strict=True):
            parts.append(
                f'<circle cx="{x}" cy="{y}" r="3" fill="{colour}"><title>{escape(name)}: {escape(label)} → '
                f"{value}</title></circle>"
            )
        legend.append(f'<li><span style="color:{colour}">■</span> {escape(name)}</li>')
    parts.append("</svg>")
    return f"<figure><figcaption>{escape(title)}</figcaption>{''.join(parts)}<ul>{''.join(legend)}</ul></figure>"


def charts_page(conn: sqlite3.Connection, database: str) -> str:
    """The whole HTML page of charts for one archive database."""
    articles = line_chart(
        "Số bài mỗi tháng của từng bệnh viện / Articles per month per hospital",
        with_empty_months(series_of(conn, ARTICLES_PER_MONTH)),
        "bài / articles",
    )
    members = line_chart(
        "Số đảng viên toàn đảng bộ theo thời gian / Party membership over time",
        series_of(conn, MEMBERSHIP),
        "đảng viên / members",
    )
    name = escape(database)
    return (
        '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Biểu đồ / Charts</title>'
        "<style>body{font-family:sans-serif;max-width:820px;margin:2em auto}svg{width:100%;height:auto}"
        "figure{margin:0 0 2em}figcaption{font-weight:bold;margin-bottom:.5em}ul{list-style:none;padding:0}</style>"
        f'</head><body><p><a href="/{name}">← {name}</a></p><h1>Biểu đồ / Charts</h1>{articles}{members}'
        f'<p>Số liệu: <a href="/{name}/articles_per_month">articles_per_month</a>, '
        f'<a href="/{name}/membership_over_time">membership_over_time</a>.</p></body></html>'
    )
