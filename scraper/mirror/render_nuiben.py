"""Markup of the Bệnh viện Đa khoa huyện Núi Bén mirror (legacy ASP portal, windows-1258; synthetic test site).

URLs: ``/`` and ``/default.asp`` home, listings ``/tin.asp?nhom=3`` (Party, "Hoạt động Đảng") and
``/tin.asp?nhom=1`` (news) with ``&page=N``, articles ``/xem.asp?nhom=N&id=ID``. Pages are served in
windows-1258 (tone marks as combining characters) with the charset only in a ``<meta http-equiv>``; the
``<title>`` is always the portal's name; class names say nothing ("td1", "box_l"); the date is a bare
``(12/7/2019)`` or "Cập nhật: 15/07/2024 09:41" under the title; "[Trở về] [In trang] [Gửi email]", "Các tin
khác", a visitor counter and "Design by" surround the content, and every article ends with the same
editorial note inside the content cell.
"""

from __future__ import annotations

import unicodedata

from .render import Article, BaseRenderer, dmy, esc, parse_page, parse_query, parse_when

# Tone marks stay combining in windows-1258; the other marks (circumflex, breve, horn) are precomposed.
_TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def to_cp1258(text: str) -> bytes:
    """Encode NFC text as windows-1258 the way Vietnamese Windows software does (base letter + tone mark)."""
    out = bytearray()
    for char in text:
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", char)
        base = "".join(c for c in decomposed if c not in _TONE_MARKS)
        tones = "".join(c for c in decomposed if c in _TONE_MARKS)
        try:
            out += unicodedata.normalize("NFC", base).encode("cp1258") + tones.encode("cp1258")
        except UnicodeEncodeError:
            out += f"&#{ord(char)};".encode("ascii")
    return bytes(out)


MENU = [
    ("default.asp", "Trang chủ"),
    ("gioithieu.asp", "Giới thiệu"),
    ("tin.asp?nhom=1", "Tin hoạt động bệnh viện"),
    ("tin.asp?nhom=3", "Hoạt động Đảng"),
    ("lienhe.asp", "Liên hệ"),
]

EDITORIAL_NOTE = "Ý kiến đóng góp cho Ban biên tập xin gửi về hộp thư: bbt.bvnuiben@angiang.gov.vn"


class NuiBenRenderer(BaseRenderer):
    site = "nuiben"
    charset = "windows-1258"

    def encode(self, html: str) -> bytes:
        return to_cp1258(html)

    # --- routing -----------------------------------------------------------------
    def route(self, path: str, query: str) -> tuple[int, str]:
        lower = path.lower()
        params = parse_query(query, ci=True)
        if lower in ("/", "/default.asp"):
            return 200, self.home()
        if lower in ("/gioithieu.asp", "/lienhe.asp"):
            return 200, self.static_page()
        if lower == "/tin.asp":
            cat = self.category_for(params.get("nhom"))
            page = parse_page(params.get("page"))
            if cat is None or page is None or page > self.page_count(cat):
                return 404, self.not_found()
            return 200, self.listing(cat, page)
        if lower == "/xem.asp":
            raw_id = params.get("id", "")
            art = self.by_id.get(int(raw_id)) if raw_id.isascii() and raw_id.isdigit() else None
            if art is not None and self.category_for(params.get("nhom")) == art["category"]:
                return 200, self.article(art)
        return 404, self.not_found()

    def category_for(self, nhom: str | None) -> str | None:
        return next((c for c, i in self.cfg["categories"].items() if str(i["nhom"]) == nhom), None)

    # --- layout ------------------------------------------------------------------
    def layout(self, main: str) -> str:
        f = self.cfg["footer"]
        menu = " | ".join(f'<a href="{href}" class="menu">{esc(label)}</a>' for href, label in MENU)
        newest = "".join(
            f'<tr><td class="td2">&#8226; <a href="{a["path"][1:]}">{self.t(a, a["title"])}</a></td></tr>'
            for a in self.newest(None, 5)
        )
        top = "".join(
            f'<tr><td class="td2">&#8226; <a href="{a["path"][1:]}">{self.t(a, a["title"])}</a></td></tr>'
            for a in self.most_viewed(5)
        )
        return f"""<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=windows-1258">
<title>{esc(self.cfg["name_upper"])} - CỔNG THÔNG TIN ĐIỆN TỬ</title>
<link href="css/style.css" rel="stylesheet" type="text/css">
</head>
<body topmargin="0" leftmargin="0" bgcolor="#FFFFFF">
<table width="980" border="0" align="center" cellpadding="0" cellspacing="0">
<tr><td colspan="3"><img src="/uploads/banner_nuiben.jpg" width="980" height="120" border="0"></td></tr>
<tr><td colspan="3" bgcolor="#003399" height="26">&nbsp;{menu}</td></tr>
<tr>
<td width="190" valign="top" class="box_l">
<table width="100%" cellpadding="2"><tr><td class="td1"><b>DANH MỤC</b></td></tr>
<tr><td><a href="tin.asp?nhom=1">Tin hoạt động bệnh viện</a></td></tr>
<tr><td><a href="tin.asp?nhom=3">Hoạt động Đảng</a></td></tr></table>
<table width="100%" cellpadding="2"><tr><td class="td1"><b>Tin xem nhiều</b></td></tr>{top}</table>
<table width="100%" cellpadding="2"><tr><td class="td1"><b>THỐNG KÊ TRUY CẬP</b></td></tr>
<tr><td>Đang online: 5</td></tr><tr><td>Hôm nay: 132</td></tr><tr><td>Số người truy cập: 245.871</td></tr></table>
</td>
<td width="600" valign="top" class="box_c">
{main}
</td>
<td width="190" valign="top" class="box_r">
<table width="100%" cellpadding="2"><tr><td class="td1"><b>Bài viết mới</b></td></tr>{newest}</table>
<table width="100%" cellpadding="2"><tr><td class="td1"><b>Liên kết website</b></td></tr>
<tr><td><a href="https://moh.gov.vn">Bộ Y tế</a></td></tr><tr><td><a href="https://soyte.angiang.gov.vn">Sở Y tế An Giang</a></td></tr></table>
</td>
</tr>
<tr><td colspan="3" bgcolor="#003399" align="center"><font color="#FFFFFF">
Bản quyền thuộc {esc(f["name"])}<br>{esc(f["address"])}<br>{esc(f["phone"])} - {esc(f["email"])}<br>{esc(f["design"])}
</font></td></tr>
</table>
</body>
</html>
"""

    # --- pages -------------------------------------------------------------------
    def home(self) -> str:
        blocks = []
        for cat, info in self.cfg["categories"].items():
            rows = "".join(
                f'<tr><td class="td2">&#8226; <a href="{a["path"][1:]}">{self.t(a, a["title"])}</a> '
                f'<font color="#999999">({dmy(a["listed"])})</font></td></tr>'
                for a in self.newest(cat, 4)
            )
            blocks.append(
                f'<table width="100%" cellpadding="3"><tr><td class="td1"><a href="tin.asp?nhom={info["nhom"]}">'
                f"<b>{esc(info['label'].upper())}</b></a></td></tr>{rows}</table>"
            )
        return self.layout("".join(blocks))

    def static_page(self) -> str:
        return self.layout(
            '<table width="100%"><tr><td class="td3">Bệnh viện Đa khoa huyện Núi Bén trực thuộc Sở Y tế tỉnh '
            "An Giang, khám và điều trị cho nhân dân trong huyện.</td></tr></table>"
        )

    def listing(self, category: str, page: int) -> str:
        info = self.cfg["categories"][category]
        rows = "".join(
            f'<tr><td class="td3"><img src="/uploads/bullet.png" width="6"> <a href="{a["path"][1:]}" class="link1">'
            f'{self.t(a, a["title"])}</a> <font color="#999999">({dmy(a["listed"])})</font></td></tr>\n'
            for a in self.page_items(category, page)
        )
        count, windowed = self.page_count(category), self.pager_windowed(category)
        links = []
        if windowed and page > 1:  # a long listing: a window of numbers, first and previous, last
            links.append(f'<a href="tin.asp?nhom={info["nhom"]}&page=1">&lt;&lt; Đầu</a>')
            links.append(f'<a href="tin.asp?nhom={info["nhom"]}&page={page - 1}">&lt; Trước</a>')
        for n in self.pager_pages(category, page):
            links.append(f"<b>[{n}]</b>" if n == page else f'<a href="tin.asp?nhom={info["nhom"]}&page={n}">[{n}]</a>')
        if page < count:
            links.append(f'<a href="tin.asp?nhom={info["nhom"]}&page={page + 1}">Tiếp &gt;&gt;</a>')
        if windowed and page < count:
            links.append(f'<a href="tin.asp?nhom={info["nhom"]}&page={count}">Cuối &gt;&gt;</a>')
        main = (
            f'<table width="100%" cellpadding="3"><tr><td class="td1"><b>{esc(info["label"].upper())}</b></td></tr>\n'
            f'{rows}<tr><td align="center">Trang: {" ".join(links)}</td></tr></table>'
        )
        return self.layout(main)

    def date_line(self, a: Article) -> str:
        if not a.get("posted"):
            return ""
        day, hm = parse_when(a["posted"])
        text = f"Cập nhật: {day.strftime('%d/%m/%Y')} {hm}" if hm else f"({day.day}/{day.month}/{day.year})"
        return f'<tr><td><font size="1" color="#808080">{text}</font></td></tr>'

    def article(self, a: Article) -> str:
        info = self.cfg["categories"][a["category"]]
        indent = "&nbsp;" * 6 if (a.get("quirks") or {}).get("nbsp_indent") else ""
        body = []
        for kind, value in self.body_blocks(a):
            if kind == "p":
                body.append(f'<p align="justify">{indent}{self.t(a, value)}</p>')
                continue
            caption = f"<br><i>{self.t(a, value['caption'])}</i>" if value.get("caption") else ""
            body.append(f'<div align="center"><img src="/uploads/{esc(value["file"])}" width="450">{caption}</div>')
        if a.get("author"):
            body.append(f'<div align="right"><b>{self.t(a, a["author"])}</b></div>')
        body.append(f"<p><i>{esc(EDITORIAL_NOTE)}</i></p>")
        others = "".join(
            f'&raquo; <a href="{r["path"][1:]}">{self.t(r, r["title"])}</a> <font color="#999999">({dmy(r["listed"])})</font><br>'
            for r in self.related(a, 6)
        )
        nl = "\n"
        main = f"""<table width="100%" cellpadding="3">
<tr><td class="td4"><a href="default.asp">Trang chủ</a> &gt;&gt; <a href="tin.asp?nhom={info["nhom"]}">{esc(info["label"])}</a></td></tr>
<tr><td class="td5"><b>{self.title_html(a)}</b></td></tr>
{self.date_line(a)}
<tr><td class="td3">
{nl.join(body)}
</td></tr>
<tr><td align="right"><a href="javascript:history.back()">[Trở về]</a> <a href="javascript:window.print()">[In trang]</a> <a href="#">[Gửi email]</a></td></tr>
<tr><td class="td6"><b>Các tin khác:</b><br>{others}</td></tr>
</table>"""
        return self.layout(main)

    def not_found(self) -> str:
        return self.layout('<table width="100%"><tr><td class="td3">Không tìm thấy tin bài yêu cầu.</td></tr></table>')
