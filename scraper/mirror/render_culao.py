"""Markup of the Trung tâm Y tế huyện Cù Lao mirror (a flat-URL news portal theme; synthetic test site).

URLs: ``/`` home, category pages ``/cong-tac-dang.html`` and ``/tin-hoat-dong.html`` (``/cong-tac-dang/
trang-N.html`` for N >= 2), articles ``/{slug}-{id}.html``: a category and an article are both one ``.html``
segment. The categories sit in a drop-down under "Tin tức"; the title is an ``<h2 class="title-detail">``, the
date "Thứ Hai, 15/07/2024, 09:41 (GMT+7)", images in VnExpress-style caption tables, the author line
``p.author_mail``; every article ends with the same app-promotion line inside the content, and the sidebar
boxes ("Tin xem nhiều", "Bài viết mới") are titled with ``div.title-box``.
"""

from __future__ import annotations

import re

from .render import Article, BaseRenderer, dmy, esc, parse_when, vn_weekday

LISTING_RE = re.compile(r"^/([a-z0-9-]+?)(?:/trang-(\d+))?\.html$")
ARTICLE_RE = re.compile(r"^/([a-z0-9-]+)-(\d+)\.html$")
PROMO = "Tải ứng dụng Sổ sức khỏe điện tử để đặt lịch khám, xem kết quả xét nghiệm tại nhà."


class CuLaoRenderer(BaseRenderer):
    site = "culao"

    # --- routing -----------------------------------------------------------------
    def route(self, path: str, query: str) -> tuple[int, str]:
        if path in ("/", "/index.html"):
            return 200, self.home()
        if path == "/gioi-thieu.html":
            return 200, self.layout("Giới thiệu", '<div class="detail"><p>Trung tâm Y tế huyện Cù Lao.</p></div>')
        match = LISTING_RE.match(path)
        if match:
            cat = next((c for c, i in self.cfg["categories"].items() if i["slug"] == match[1]), None)
            if cat is not None:
                page = int(match[2] or 1)
                if not 1 <= page <= self.page_count(cat) or match[2] == "1":
                    return 404, self.not_found()
                return 200, self.listing(cat, page)
        match = ARTICLE_RE.match(path)
        if match:
            art = self.by_id.get(int(match[2]))
            if art is not None and art["path"] == path:
                return 200, self.article(art)
        return 404, self.not_found()

    # --- layout ------------------------------------------------------------------
    def layout(self, title: str, main: str, head: str = "") -> str:
        cats = "".join(
            f'<li><a href="{self.category_url(c)}">{esc(i["label"])}</a></li>'
            for c, i in self.cfg["categories"].items()
        )
        newest = "".join(f'<li><a href="{a["path"]}">{self.t(a, a["title"])}</a></li>' for a in self.newest(None, 5))
        top = "".join(f'<li><a href="{a["path"]}">{self.t(a, a["title"])}</a></li>' for a in self.most_viewed(5))
        f = self.cfg["footer"]
        return f"""<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<title>{title}</title>
{head}<link rel="stylesheet" href="/templates/culao/css/style.css">
</head>
<body>
<div class="wrapper">
<div class="top-header"><a href="/"><img src="/uploads/logo-culao.png" alt="logo"></a><span class="unit">{esc(self.cfg["agency"])}</span><strong class="unit-name">{esc(self.cfg["name_upper"])}</strong></div>
<ul class="nav-main"><li><a href="/">Trang chủ</a></li><li><a href="/gioi-thieu.html">Giới thiệu</a></li>
<li class="has-sub"><a href="#">Tin tức</a><ul class="sub-menu">{cats}</ul></li><li><a href="/gioi-thieu.html">Liên hệ</a></li></ul>
<div class="container">
<div class="col-left">
{main}
</div>
<div class="col-right">
<div class="box-right"><div class="title-box">Tin xem nhiều</div><ul class="list-right">{top}</ul></div>
<div class="box-right"><div class="title-box">Bài viết mới</div><ul class="list-right">{newest}</ul></div>
<div class="box-right"><div class="title-box">Thống kê truy cập</div><p>Đang truy cập: 3</p><p>Tổng lượt truy cập: 98.765</p></div>
</div>
</div>
<div class="bottom"><p>{esc(f["agency"])} - {esc(f["name"])}</p><p>{esc(f["address"])}</p><p>{esc(f["phone"])} - {esc(f["email"])}</p><p>{esc(f["design"])}</p></div>
</div>
</body>
</html>
"""

    # --- pages -------------------------------------------------------------------
    def item(self, a: Article) -> str:
        words = a["paragraphs"][0].split() if a["paragraphs"] else []
        sapo = " ".join(words[:25]) + ("..." if len(words) > 25 else "")
        return (
            f'<div class="item-news"><h3 class="title-news"><a href="{a["path"]}">{self.t(a, a["title"])}</a></h3>'
            f'<span class="time-public">{dmy(a["listed"])}</span><p class="description">{self.t(a, sapo)}</p></div>\n'
        )

    def home(self) -> str:
        items = "".join(self.item(a) for a in self.newest(None, 6))
        main = (
            f'<div class="box-home"><div class="title-box">Tin nổi bật</div><div class="list-home">{items}</div></div>'
        )
        return self.layout(esc(self.cfg["name"]), main)

    def listing(self, category: str, page: int) -> str:
        info = self.cfg["categories"][category]
        items = "".join(self.item(a) for a in self.page_items(category, page))
        count = self.page_count(category)
        windowed = self.pager_windowed(category)  # a long listing: a window of numbers, first and last
        links = []
        if windowed and page > 1:
            links.append(f'<a class="first" href="{self.listing_url(category, 1)}">« Đầu</a>')
            links.append(f'<a class="prev" href="{self.listing_url(category, page - 1)}">‹ Trước</a>')
        for n in self.pager_pages(category, page):
            href = self.listing_url(category, n)
            links.append(f'<span class="active">{n}</span>' if n == page else f'<a href="{href}">{n}</a>')
        if page < count:
            links.append(f'<a class="next" href="{self.listing_url(category, page + 1)}">Xem tiếp »</a>')
        if windowed and page < count:
            links.append(f'<a class="last" href="{self.listing_url(category, count)}">Cuối »</a>')
        pager = f'<div class="page-list">{" ".join(links)}</div>' if count > 1 else ""
        main = f'<div class="title-cate">{esc(info["label"])}</div><div class="list-news">{items}</div>{pager}'
        return self.layout(f"{esc(info['label'])} - {esc(self.cfg['name'])}", main)

    def date_text(self, a: Article) -> str:
        day, hm = parse_when(a["posted"])
        return f"{vn_weekday(day)}, {day.strftime('%d/%m/%Y')}" + (f", {hm} (GMT+7)" if hm else "")

    def article(self, a: Article) -> str:
        body = []
        for kind, value in self.body_blocks(a):
            if kind == "p":
                body.append(f'<p class="Normal">{self.t(a, value)}</p>')
                continue
            caption = (
                f'<tr><td><p class="Image">{self.t(a, value["caption"])}</p></td></tr>' if value.get("caption") else ""
            )
            body.append(
                f'<table class="tplCaption" align="center"><tr><td><img src="/uploads/{esc(value["file"])}" alt="">'
                f"</td></tr>{caption}</table>"
            )
        if a.get("author"):
            body.append(
                f'<p class="author_mail" style="text-align:right;"><strong>{self.t(a, a["author"])}</strong></p>'
            )
        body.append(f'<p class="Normal"><a href="/gioi-thieu.html">{esc(PROMO)}</a></p>')
        date = f'<span class="date">{esc(self.date_text(a))}</span>' if a.get("posted") else ""
        main = f"""<div class="detail">
<div class="breadcrumb"><a href="/">Trang chủ</a> / <a href="{self.category_url(a["category"])}">{esc(self.cfg["categories"][a["category"]]["label"])}</a></div>
<h2 class="title-detail">{self.title_html(a)}</h2>
{date}
<article class="fck_detail">
{chr(10).join(body)}
</article>
<div class="footer-content"><span>Chia sẻ bài viết:</span> <a href="#">Facebook</a> <a href="#">Zalo</a> <span>Bình luận (0)</span></div>
</div>"""
        return self.layout(f"{self.t(a, a['title'])} - {esc(self.cfg['name'])}", main)

    def not_found(self) -> str:
        return self.layout("Lỗi 404", '<div class="detail"><p>Trang không tồn tại.</p></div>')
