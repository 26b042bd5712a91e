"""Markup of the Bệnh viện Đa khoa huyện Sông Xanh mirror (a WordPress theme, synthetic test site).

URLs: ``/`` home, category archives ``/chuyen-muc/dang-doan-the/`` and ``/chuyen-muc/tin-tuc/``
(``page/N/`` for N >= 2), posts ``/YYYY/MM/DD/{slug}/`` (the listing date), pages ``/gioi-thieu/``
and ``/lien-he/``. Dates come as ``<time datetime>`` and ``article:published_time``; the theme puts a
hotline box, a share bar and Jetpack's related posts *inside* ``.entry-content``, as many WordPress
plugins do, and the sidebar has "Bài viết mới", "Tin xem nhiều" and a visitor counter widget.
"""

from __future__ import annotations

import re

from .render import Article, BaseRenderer, dmy, esc, parse_page, parse_when

POST_RE = re.compile(r"^/(\d{4})/(\d{2})/(\d{2})/([a-z0-9-]+)/$")
LISTING_RE = re.compile(r"^/chuyen-muc/([a-z0-9-]+)/(?:page/(\d+)/)?$")

PAGES = {
    "/gioi-thieu/": (
        "Giới thiệu",
        [
            "Bệnh viện Đa khoa huyện Sông Xanh là bệnh viện hạng III trực thuộc Sở Y tế, khám và điều trị "
            "cho nhân dân trong huyện và các xã lân cận.",
        ],
    ),
    "/lien-he/": ("Liên hệ", ["Mọi thông tin xin liên hệ Phòng Kế hoạch tổng hợp của Bệnh viện."]),
}


def iso_with_zone(value: str) -> str:
    """ "2024-07-12T16:45" -> "2024-07-12T16:45:00+07:00", "2024-07-12" -> "2024-07-12"."""
    return f"{value}:00+07:00" if "T" in value else value


class SongXanhRenderer(BaseRenderer):
    site = "songxanh"

    # --- routing -----------------------------------------------------------------
    def route(self, path: str, query: str) -> tuple[int, str]:
        if not path.endswith("/"):
            path += "/"
        if path == "/":
            return 200, self.home()
        if path in PAGES:
            return 200, self.static_page(*PAGES[path])
        match = LISTING_RE.match(path)
        if match:
            cat = next((c for c, i in self.cfg["categories"].items() if i["slug"] == match[1]), None)
            page = parse_page(match[2])
            if cat is None or page is None or page > self.page_count(cat):
                return 404, self.not_found()
            return 200, self.listing(cat, page)
        match = POST_RE.match(path)
        if match:
            for art in self.articles:
                if art["slug"] == match[4] and art["listed"] == f"{match[1]}-{match[2]}-{match[3]}":
                    return 200, self.post(art)
        return 404, self.not_found()

    # --- layout ------------------------------------------------------------------
    def menu(self) -> str:
        items = [("/", "Trang chủ"), ("/gioi-thieu/", "Giới thiệu")]
        items += [(self.category_url(c), i["label"]) for c, i in self.cfg["categories"].items()]
        items.append(("/lien-he/", "Liên hệ"))
        lis = "".join(f'<li class="menu-item"><a href="{href}">{esc(label)}</a></li>' for href, label in items)
        return f'<ul id="primary-menu" class="menu">{lis}</ul>'

    def layout(self, title: str, main: str, head: str = "", body_class: str = "home") -> str:
        return f"""<!doctype html>
<html lang="vi">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<meta property="og:locale" content="vi_VN">
<meta property="og:site_name" content="{esc(self.cfg["name"])}">
{head}<link rel="stylesheet" id="twentyseventeen-style-css" href="/wp-content/themes/benhvien/style.css?ver=6.4.2" media="all">
<script src="/wp-includes/js/jquery/jquery.min.js?ver=3.7.1" id="jquery-core-js"></script>
</head>
<body class="{body_class}">
<div id="page" class="site">
<a class="skip-link screen-reader-text" href="#content">Chuyển đến nội dung</a>
<header id="masthead" class="site-header">
<div class="site-branding"><a href="/" rel="home"><img src="/uploads/logo-songxanh.png" class="custom-logo" alt=""></a>
<p class="site-title"><a href="/" rel="home">{esc(self.cfg["name_upper"])}</a></p>
<p class="site-description">{esc(self.cfg["agency"])}</p></div>
<nav id="site-navigation" class="main-navigation">{self.menu()}</nav>
</header>
<div id="content" class="site-content">
<div id="primary" class="content-area"><main id="main" class="site-main">
{main}
</main></div>
{self.sidebar()}
</div>
{self.footer()}
</div>
<script src="/wp-content/plugins/post-views-counter/js/frontend.js?ver=1.4.3" id="pvc-frontend-js"></script>
</body>
</html>
"""

    def sidebar(self) -> str:
        recent = "".join(f'<li><a href="{a["path"]}">{self.t(a, a["title"])}</a></li>' for a in self.newest(None, 5))
        top = "".join(f'<li><a href="{a["path"]}">{self.t(a, a["title"])}</a></li>' for a in self.most_viewed(5))
        cats = "".join(
            f'<li class="cat-item"><a href="{self.category_url(c)}">{esc(i["label"])}</a></li>'
            for c, i in self.cfg["categories"].items()
        )
        return f"""<aside id="secondary" class="widget-area">
<section id="search-2" class="widget widget_search"><form role="search" method="get" class="search-form" action="/"><label><span class="screen-reader-text">Tìm kiếm:</span><input type="search" class="search-field" name="s"></label></form></section>
<section id="recent-posts-2" class="widget widget_recent_entries"><h2 class="widget-title">Bài viết mới</h2><ul>{recent}</ul></section>
<section id="top-posts-2" class="widget widget_top-posts"><h2 class="widget-title">Tin xem nhiều</h2><ul>{top}</ul></section>
<section id="categories-2" class="widget widget_categories"><h2 class="widget-title">Chuyên mục</h2><ul>{cats}</ul></section>
<section id="custom_html-3" class="widget_text widget widget_custom_html"><div class="textwidget custom-html-widget"><p>Đang truy cập: 7</p><p>Hôm nay: 215</p><p>Tổng lượt truy cập: 486.120</p></div></section>
</aside>"""

    def footer(self) -> str:
        f = self.cfg["footer"]
        return f"""<footer id="colophon" class="site-footer">
<div class="site-info"><p><strong>{esc(f["name"])}</strong></p><p>{esc(f["address"])}</p>
<p>{esc(f["phone"])} - {esc(f["email"])}</p><p>{esc(f["design"])}</p></div>
</footer>"""

    def page_title(self, text: str) -> str:
        return f"{text} – {esc(self.cfg['name'])}"

    # --- pages -------------------------------------------------------------------
    def home(self) -> str:
        posts = "".join(self.summary(a) for a in self.newest(None, 6))
        return self.layout(esc(self.cfg["name"]) + " – " + esc(self.cfg["agency"]), posts)

    def static_page(self, title: str, paragraphs: list[str]) -> str:
        body = "".join(f"<p>{esc(p)}</p>" for p in paragraphs)
        main = (
            f'<article class="page type-page"><header class="entry-header"><h1 class="entry-title">{esc(title)}'
            f'</h1></header><div class="entry-content">{body}</div></article>'
        )
        return self.layout(self.page_title(esc(title)), main, body_class="page-template-default page")

    def summary(self, a: Article) -> str:
        words = a["paragraphs"][0].split() if a["paragraphs"] else []
        sapo = " ".join(words[:40]) + (" […]" if len(words) > 40 else "")
        return (
            f'<article class="post type-post status-publish format-standard hentry">'
            f'<header class="entry-header"><h2 class="entry-title"><a href="{a["path"]}" rel="bookmark">'
            f"{self.t(a, a['title'])}</a></h2>"
            f'<div class="entry-meta"><span class="posted-on"><time class="entry-date published" '
            f'datetime="{a["listed"]}">{dmy(a["listed"])}</time></span></div></header>'
            f'<div class="entry-summary"><p>{self.t(a, sapo)}</p></div></article>\n'
        )

    def listing(self, category: str, page: int) -> str:
        info = self.cfg["categories"][category]
        posts = "".join(self.summary(a) for a in self.page_items(category, page))
        main = (
            f'<header class="page-header"><h1 class="page-title">Chuyên mục: <span>{esc(info["label"])}</span>'
            f"</h1></header>\n{posts}{self.pager(category, page)}"
        )
        title = esc(info["label"]) + (f" – Trang {page}" if page > 1 else "")
        return self.layout(self.page_title(title), main, body_class="archive category")

    def pager(self, category: str, page: int) -> str:
        count = self.page_count(category)
        if count <= 1:
            return ""
        base = self.category_url(category)

        def href(n: int) -> str:
            return base if n == 1 else f"{base}page/{n}/"

        parts = []
        if page > 1:
            parts.append(f'<a class="prev page-numbers" href="{href(page - 1)}">« Trang trước</a>')
        shown = self.pager_pages(category, page)
        dots = '<span class="page-numbers dots">…</span>'
        if shown[0] > 1:  # a long listing, as WordPress's paginate_links shows it: 1 … 4 5 6 7 8 … 100
            parts += [f'<a class="page-numbers" href="{href(1)}">1</a>', *([dots] if shown[0] > 2 else [])]
        for n in shown:
            if n == page:
                parts.append(f'<span aria-current="page" class="page-numbers current">{n}</span>')
            else:
                parts.append(f'<a class="page-numbers" href="{href(n)}">{n}</a>')
        if shown[-1] < count:
            parts += [
                *([dots] if shown[-1] < count - 1 else []),
                f'<a class="page-numbers" href="{href(count)}">{count}</a>',
            ]
        if page < count:
            parts.append(f'<a class="next page-numbers" href="{href(page + 1)}">Trang sau »</a>')
        return (
            '<nav class="navigation pagination" aria-label="Phân trang bài viết"><div class="nav-links">'
            + "".join(parts)
            + "</div></nav>"
        )

    def post(self, a: Article) -> str:
        info = self.cfg["categories"][a["category"]]
        meta = ""
        head = (
            f'<link rel="canonical" href="{esc(a["url"])}">\n<meta property="og:type" content="article">\n'
            f'<meta property="og:title" content="{self.t(a, a["title"])}">\n'
        )
        if a.get("posted"):
            stamp = iso_with_zone(a["posted"])
            day, hm = parse_when(a["posted"])
            shown = day.strftime("%d/%m/%Y") + (f" lúc {hm}" if hm else "")
            meta = (
                f'<div class="entry-meta"><span class="posted-on">Đăng ngày <a href="{a["path"]}" rel="bookmark">'
                f'<time class="entry-date published" datetime="{stamp}">{shown}</time></a></span>'
                f'<span class="byline"> bởi <span class="author vcard"><a class="url fn n" href="/author/admin/">'
                f"admin</a></span></span></div>"
            )
            head += f'<meta property="article:published_time" content="{stamp}">\n'
        body = []
        for kind, value in self.body_blocks(a):
            if kind == "p":
                body.append(f"<p>{self.t(a, value)}</p>")
                continue
            caption = f"<figcaption>{self.t(a, value['caption'])}</figcaption>" if value.get("caption") else ""
            body.append(
                f'<figure class="wp-block-image aligncenter size-large"><img decoding="async" '
                f'src="/uploads/{esc(value["file"])}" alt="" class="wp-image-{a["id"]}">{caption}</figure>'
            )
        if a.get("author"):
            body.append(f'<p style="text-align: right;"><strong>{self.t(a, a["author"])}</strong></p>')
        related = "".join(
            f'<div class="jp-relatedposts-post"><h4 class="jp-relatedposts-post-title"><a href="{r["path"]}">'
            f'{self.t(r, r["title"])}</a></h4><p class="jp-relatedposts-post-date">{dmy(r["listed"])}</p></div>'
            for r in self.related(a, 3)
        )
        main = f"""<article id="post-{a["id"]}" class="post-{a["id"]} post type-post status-publish format-standard hentry category-{info["slug"]}">
<header class="entry-header">
<h1 class="entry-title">{self.t(a, a["title"])}</h1>
{meta}
</header>
<div class="entry-content">
{chr(10).join(body)}
<div class="hotline-box"><p>Đường dây nóng của Bệnh viện: 0293.3870.115 – Phản ánh về thái độ phục vụ xin gọi 0909.115.115</p></div>
<div class="sharedaddy sd-sharing-enabled"><div class="robots-nocontent sd-block sd-social sd-social-icon-text"><h3 class="sd-title">Chia sẻ:</h3><div class="sd-content"><ul><li><a class="share-facebook" href="#">Facebook</a></li><li><a class="share-zalo" href="#">Zalo</a></li><li><a class="share-print" href="#">In</a></li></ul></div></div></div>
<div id="jp-relatedposts" class="jp-relatedposts"><h3 class="jp-relatedposts-headline"><em>Bài viết liên quan</em></h3><div class="jp-relatedposts-items">{related}</div></div>
</div>
<footer class="entry-footer"><span class="cat-links">Chuyên mục: <a href="{self.category_url(a["category"])}" rel="category tag">{esc(info["label"])}</a></span></footer>
</article>
<nav class="navigation post-navigation" aria-label="Bài viết"><div class="nav-links"><a href="/">« Về trang chủ</a></div></nav>"""
        return self.layout(
            self.page_title(self.t(a, a["title"])),
            main,
            head,
            body_class=f"post-template-default single postid-{a['id']}",
        )

    def not_found(self) -> str:
        main = (
            '<section class="error-404 not-found"><header class="page-header"><h1 class="page-title">'
            "Không tìm thấy trang</h1></header><p>Có vẻ như không có gì ở đây.</p></section>"
        )
        return self.layout(self.page_title("Không tìm thấy trang"), main, body_class="error404")
