"""Markup of the Bệnh viện Đa khoa Bạc Liêu mirror (modern div-based CMS).

URLs: ``/`` home, ``/hoat-dong-cong-tac-dang`` and ``/tin-tuc-su-kien`` listings
(``?page=N`` for N >= 2), articles ``/{category}/{slug}-{id}.html``.
"""

from __future__ import annotations

import re

from .render import Article, BaseRenderer, dmy, esc, parse_page, parse_query, parse_when, vn_weekday

ARTICLE_RE = re.compile(r"^(/[a-z0-9-]+)/([a-z0-9-]+)-(\d+)\.html$")

STYLE = """
body{margin:0;font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#222;background:#f3f6f9}
.container{max-width:1140px;margin:0 auto;padding:0 12px}
.site-header{background:#fff;border-bottom:3px solid #0a6ebd}
.site-header .container{display:flex;align-items:center;gap:16px;padding:10px 12px}
.site-name .agency{margin:0;color:#0a6ebd;font-weight:bold}
.site-name .hospital{margin:0;color:#c00;font-size:24px;font-weight:bold}
.main-menu{background:#0a6ebd}.main-menu ul{list-style:none;margin:0 auto;padding:0;max-width:1140px;display:flex}
.main-menu a{display:block;padding:10px 14px;color:#fff;text-decoration:none;font-weight:bold}
.main{display:flex;gap:20px;padding-top:16px}.content{flex:1}.sidebar{width:300px}
.box{background:#fff;margin-bottom:16px;padding:10px}.box h3{margin:0 0 8px;color:#0a6ebd}
.news-item{background:#fff;padding:10px;margin-bottom:10px}.news-title{font-weight:bold;color:#0a6ebd}
.news-date{display:block;color:#888;font-size:12px}.pagination{list-style:none;display:flex;gap:6px;padding:0}
.pagination .active{font-weight:bold;color:#c00}.news-detail{background:#fff;padding:16px}
.news-detail-meta{color:#888;font-size:12px;display:flex;gap:16px}
.site-footer{background:#0a6ebd;color:#fff;text-align:center;padding:16px;margin-top:20px}
""".strip()

ANALYTICS = """<script>
window.dataLayer = window.dataLayer || [];
function gtag(){dataLayer.push(arguments);}
gtag('js', new Date());
gtag('config', 'G-BVDKBL2019');
</script>"""

STATIC_PAGES = {
    "/gioi-thieu": (
        "Giới thiệu",
        [
            "Bệnh viện Đa khoa Bạc Liêu là bệnh viện đa khoa hạng I trực thuộc Sở Y tế tỉnh Bạc Liêu, "
            "thực hiện chức năng khám bệnh, chữa bệnh, đào tạo, nghiên cứu khoa học và chỉ đạo tuyến "
            "cho các cơ sở y tế trong tỉnh.",
            "Bệnh viện có các khoa lâm sàng, cận lâm sàng và các phòng chức năng, với đội ngũ bác sĩ, "
            "điều dưỡng, kỹ thuật viên được đào tạo bài bản, không ngừng nâng cao chất lượng phục vụ người bệnh.",
        ],
    ),
    "/chi-dao-tuyen": (
        "Chỉ đạo tuyến",
        [
            "Phòng Chỉ đạo tuyến phối hợp với các khoa, phòng tổ chức chuyển giao kỹ thuật, đào tạo "
            "liên tục và hỗ trợ chuyên môn cho Trung tâm Y tế các huyện, thị xã trong tỉnh.",
        ],
    ),
    "/lien-he": (
        "Liên hệ",
        [
            "Bệnh viện Đa khoa Bạc Liêu - Số 06 Nguyễn Huệ, Phường 3, TP. Bạc Liêu, tỉnh Bạc Liêu.",
            "Điện thoại: 0291.3822.285 - Fax: 0291.3824.225 - Email: bvdkbaclieu@baclieu.gov.vn",
        ],
    ),
}

MENU = [
    ("/", "Trang chủ"),
    ("/gioi-thieu", "Giới thiệu"),
    ("/tin-tuc-su-kien", "Tin tức - Sự kiện"),
    ("/hoat-dong-cong-tac-dang", "Hoạt động công tác Đảng"),
    ("/chi-dao-tuyen", "Chỉ đạo tuyến"),
    ("/lien-he", "Liên hệ"),
]


class BacLieuRenderer(BaseRenderer):
    site = "baclieu"

    # --- routing -----------------------------------------------------------------
    def route(self, path: str, query: str) -> tuple[int, str]:
        if len(path) > 1:
            path = path.rstrip("/")
        if path in ("/", "/index.html"):
            return 200, self.home()
        if path in STATIC_PAGES:
            return 200, self.static_page(*STATIC_PAGES[path])
        for cat, info in self.cfg["categories"].items():
            if path == info["path"]:
                page = parse_page(parse_query(query).get("page"))
                if page is None or page > self.page_count(cat):
                    return 404, self.not_found()
                return 200, self.listing(cat, page)
        match = ARTICLE_RE.match(path)
        if match:
            art = self.by_id.get(int(match.group(3)))
            if (
                art is not None
                and self.cfg["categories"][art["category"]]["path"] == match.group(1)
                and art["slug"] == match.group(2)
            ):
                return 200, self.article(art)
        return 404, self.not_found()

    # --- layout ------------------------------------------------------------------
    def layout(self, title: str, main: str, head: str = "") -> str:
        name = self.cfg["name_upper"]
        menu = "".join(f'<li><a href="{href}">{esc(label)}</a></li>' for href, label in MENU)
        return f"""<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
{head}<link rel="icon" href="/uploads/favicon.png" type="image/png">
<style>{STYLE}</style>
</head>
<body>
<header class="site-header">
<div class="container">
<a class="logo" href="/"><img src="/uploads/logo.png" alt="Logo {esc(self.cfg["name"])}" width="80" height="80"></a>
<div class="site-name"><p class="agency">{esc(self.cfg["agency"])}</p><p class="hospital">{esc(name)}</p></div>
<form class="search-form" action="/tim-kiem" method="get"><input type="text" name="q" placeholder="Nhập từ khóa..."><button type="submit">Tìm kiếm</button></form>
</div>
</header>
<nav class="main-menu"><ul>{menu}</ul></nav>
<div class="container main">
<main class="content">
{main}
</main>
{self.sidebar()}
</div>
{self.footer()}
{ANALYTICS}
</body>
</html>
"""

    def sidebar(self) -> str:
        top = "".join(f'<li><a href="{a["path"]}">{self.t(a, a["title"])}</a></li>' for a in self.most_viewed(5))
        return f"""<aside class="sidebar">
<div class="box"><h3>Tin xem nhiều</h3><ul>{top}</ul></div>
<div class="box"><h3>Liên kết website</h3><ul>
<li><a href="https://moh.gov.vn" target="_blank" rel="noopener">Bộ Y tế</a></li>
<li><a href="https://syt.baclieu.gov.vn" target="_blank" rel="noopener">Sở Y tế tỉnh Bạc Liêu</a></li>
<li><a href="https://www.baclieu.gov.vn" target="_blank" rel="noopener">Cổng thông tin điện tử tỉnh Bạc Liêu</a></li>
</ul></div>
<div class="box visitor-counter">Đang truy cập: 12<br>Hôm nay: 345<br>Tổng lượt truy cập: 1.234.567</div>
</aside>"""

    def footer(self) -> str:
        f = self.cfg["footer"]
        return f"""<footer class="site-footer">
<p><strong>{esc(f["agency"])}</strong></p>
<p><strong>{esc(f["name"])}</strong></p>
<p>{esc(f["address"])}</p>
<p>{esc(f["phone"])}</p>
<p>{esc(f["email"])}</p>
<p class="copyright">{esc(f["design"])}</p>
</footer>"""

    def breadcrumb(self, category: str | None = None) -> str:
        parts = ['<a href="/">Trang chủ</a>']
        if category is not None:
            info = self.cfg["categories"][category]
            parts.append(f'<a href="{info["path"]}">{esc(info["label"])}</a>')
        return f'<div class="breadcrumb">{" » ".join(parts)}</div>'

    def page_title(self, text: str) -> str:
        return f"{text} - {esc(self.cfg['name'])}"

    # --- pages -------------------------------------------------------------------
    def home(self) -> str:
        blocks = []
        for cat in ("party", "news"):
            info = self.cfg["categories"][cat]
            items = "".join(
                f'<div class="home-item"><a class="home-title" href="{a["path"]}">{self.t(a, a["title"])}</a>'
                f' <span class="home-date">({dmy(a["listed"])})</span></div>'
                for a in self.newest(cat, 5)
            )
            blocks.append(
                f'<section class="home-block"><h2 class="block-title"><a href="{info["path"]}">'
                f"{esc(info['label'])}</a></h2>{items}"
                f'<a class="view-more" href="{info["path"]}">Xem thêm</a></section>'
            )
        return self.layout(self.cfg["name"], "\n".join(blocks))

    def static_page(self, title: str, paragraphs: list[str]) -> str:
        body = "".join(f"<p>{esc(p)}</p>" for p in paragraphs)
        main = f'{self.breadcrumb()}<div class="page-detail"><h1>{esc(title)}</h1>{body}</div>'
        return self.layout(self.page_title(esc(title)), main)

    def listing(self, category: str, page: int) -> str:
        info = self.cfg["categories"][category]
        items = []
        for a in self.page_items(category, page):
            words = a["paragraphs"][0].split() if a["paragraphs"] else []
            sapo = " ".join(words[:30]) + ("…" if len(words) > 30 else "")
            items.append(
                f'<div class="news-item"><a class="news-title" href="{a["path"]}">{self.t(a, a["title"])}</a>'
                f'<span class="news-date">{dmy(a["listed"])}</span>'
                f'<p class="news-sapo">{self.t(a, sapo)}</p></div>'
            )
        main = (
            f'{self.breadcrumb(category)}\n<h2 class="category-title">{esc(info["label"])}</h2>\n'
            f'<div class="news-list">\n' + "\n".join(items) + "\n</div>\n" + self.pager(category, page)
        )
        title = esc(info["label"]) + (f" - Trang {page}" if page > 1 else "")
        return self.layout(self.page_title(title), main)

    def pager(self, category: str, page: int) -> str:
        count = self.page_count(category)
        if count <= 1:
            return ""
        first = self.category_url(category)

        def href(n: int) -> str:
            return first if n == 1 else f"?page={n}"

        windowed = self.pager_windowed(category)  # a long listing: a window of numbers, first and last
        parts = []
        if windowed and page > 1:
            parts.append(f'<li><a class="first" href="{href(1)}">Đầu</a></li>')
        if page > 1:
            parts.append(f'<li><a class="prev" href="{href(page - 1)}">«</a></li>')
        for n in self.pager_pages(category, page):
            if n == page:
                parts.append(f'<li><span class="active">{n}</span></li>')
            else:
                parts.append(f'<li><a href="{href(n)}">{n}</a></li>')
        if page < count:
            parts.append(f'<li><a class="next" href="?page={page + 1}">»</a></li>')
        if windowed and page < count:
            parts.append(f'<li><a class="last" href="{href(count)}">Cuối</a></li>')
        return '<ul class="pagination">' + "".join(parts) + "</ul>"

    def posted_text(self, article: Article) -> str:
        day, hm = parse_when(article["posted"])
        d = day.strftime("%d/%m/%Y")
        if hm is None:
            return d
        variant = article["id"] % 3
        if variant == 0:
            return f"{vn_weekday(day)}, {d} - {hm}"
        if variant == 1:
            return f"{d} {hm}"
        return f"Cập nhật lúc {hm} {d}"

    def article(self, a: Article) -> str:
        meta = []
        if a.get("posted"):
            meta.append(f'<span class="date">{esc(self.posted_text(a))}</span>')
        meta.append(f'<span class="views">Lượt xem: {self.views(a)}</span>')
        indent = "&nbsp;" * 10 if (a.get("quirks") or {}).get("nbsp_indent") else ""
        body = []
        for kind, value in self.body_blocks(a):
            if kind == "p":
                body.append(f'<p style="text-align: justify;">{indent}{self.t(a, value)}</p>')
            else:
                body.append(f'<p style="text-align:center"><img src="/uploads/{esc(value["file"])}" alt=""></p>')
                if value.get("caption"):
                    body.append(f'<p style="text-align:center"><em>{self.t(a, value["caption"])}</em></p>')
        if a.get("author"):
            body.append(f'<p style="text-align:right"><strong>{self.t(a, a["author"])}</strong></p>')
        related = "".join(
            f'<li><a href="{r["path"]}">{self.t(r, r["title"])}</a> <span>({dmy(r["listed"])})</span></li>'
            for r in self.related(a)
        )
        main = f"""{self.breadcrumb(a["category"])}
<article class="news-detail">
<h1 class="news-detail-title">{self.title_html(a)}</h1>
<div class="news-detail-meta">{"".join(meta)}</div>
<div class="news-detail-content">
{chr(10).join(body)}
</div>
<div class="share-bar">Chia sẻ: <a>Facebook</a> <a>Zalo</a></div><div class="tool-links"><a href="javascript:history.back()">[Trở về]</a> <a href="javascript:window.print()">[In trang]</a></div></article>
<div class="related-news"><h3>Tin cùng loại</h3><ul>{related}</ul></div>"""
        canonical = esc(a["url"])
        head = (
            f'<link rel="canonical" href="{canonical}">\n'
            f'<meta property="og:type" content="article">\n'
            f'<meta property="og:url" content="{canonical}">\n'
            f'<meta property="og:title" content="{self.t(a, a["title"])}">\n'
        )
        return self.layout(self.page_title(self.t(a, a["title"])), main, head)

    def not_found(self) -> str:
        main = (
            f'{self.breadcrumb()}<div class="page-detail not-found"><h1>404 - Không tìm thấy trang</h1>'
            '<p>Trang bạn yêu cầu không tồn tại hoặc đã bị xóa.</p><p><a href="/">Quay về trang chủ</a></p></div>'
        )
        return self.layout(self.page_title("Không tìm thấy trang"), main)
