"""Markup of the Bệnh viện Đa khoa Quận Ô Môn mirror (old ASP.NET, table layout).

URLs: ``/`` and ``/Default.aspx`` home, ``/Tin-tuc.aspx?CatID=5`` (Party) and
``/Tin-tuc.aspx?CatID=2`` (news) listings (``&Page=N`` for N >= 2), articles
``/Chi-tiet-tin.aspx?ID={id}&CatID={cat}``. Paths and query keys are matched
case-insensitively, as IIS does.
"""

from __future__ import annotations

import base64
import hashlib

from .render import Article, BaseRenderer, dmy, esc, parse_page, parse_query, parse_when

MENU = [
    ("/Default.aspx", "Trang chủ"),
    ("/Gioi-thieu.aspx", "Giới thiệu"),
    ("/Tin-tuc.aspx?CatID=2", "Tin hoạt động"),
    ("/Tin-tuc.aspx?CatID=5", "Hoạt động công tác Đảng"),
    ("/Lien-he.aspx", "Liên hệ"),
]

STATIC_PAGES = {
    "/gioi-thieu.aspx": [
        "Bệnh viện Đa khoa Quận Ô Môn trực thuộc Sở Y tế thành phố Cần Thơ, thực hiện chức năng "
        "khám bệnh, chữa bệnh, phòng bệnh cho nhân dân quận Ô Môn và các vùng lân cận.",
    ],
    "/lien-he.aspx": [
        "Địa chỉ: Số 83, CMT8, P. Châu Văn Liêm, Q. Ô Môn, TP. Cần Thơ",
        "Điện thoại: 02923.861.946 - Fax: 02923.860.305 - Email: bvdk_omon@cantho.gov.vn",
    ],
}

STYLE = """
body{margin:0;font-family:Tahoma,Arial;font-size:12px;background:#e8f0e8}
.khung{background:#fff}.banner{background:#2a7a3a;color:#ff0;font-weight:bold;font-size:20px;text-align:center;height:110px}
.menu{background:#1c5c28;width:100%}.menu a{color:#fff;font-weight:bold;text-decoration:none;padding:0 8px}
.cotphai{background:#f4f9f4;border-right:1px solid #9c9}.tieudebox{background:#2a7a3a;color:#fff;font-weight:bold;padding:3px}
.tieude{color:#03c;font-size:15px;font-weight:bold}.ngaydang{color:#777;font-size:11px}.noidung{text-align:justify}
.tieudetin{color:#03c;font-weight:bold}.ngay{color:#888}.phantrang{text-align:center;padding:6px}
.footer{background:#2a7a3a;color:#fff;width:100%;text-align:center}
""".strip()

NOT_FOUND = """<!DOCTYPE html>
<html>
    <head>
        <title>The resource cannot be found.</title>
        <meta name="viewport" content="width=device-width" />
    </head>
    <body bgcolor="white">
            <span><H1>Server Error in '/' Application.<hr width=100% size=1 color=silver></H1>
            <h2> <i>The resource cannot be found.</i> </h2></span>
            <font face="Arial, Helvetica, Geneva, SunSans-Regular, sans-serif ">
            <b> Description: </b>HTTP 404. The resource you are looking for (or one of its dependencies) could have been removed, had its name changed, or is temporarily unavailable. &nbsp;Please review the following URL and make sure that it is spelled correctly.
            <br><br>
            <b> Requested URL: </b>{url}<br><br>
            <hr width=100% size=1 color=silver>
            <b>Version Information:</b>&nbsp;Microsoft .NET Framework Version:4.0.30319; ASP.NET Version:4.7.3930.0
            </font>
    </body>
</html>
"""


class OMonRenderer(BaseRenderer):
    site = "omon"

    # --- routing -----------------------------------------------------------------
    def route(self, path: str, query: str) -> tuple[int, str]:
        lower = path.lower()
        params = parse_query(query, ci=True)
        action = path + (f"?{query}" if query else "")
        if lower in ("/", "/default.aspx"):
            return 200, self.home()
        if lower in STATIC_PAGES:
            return 200, self.static_page(STATIC_PAGES[lower], action)
        if lower == "/tin-tuc.aspx":
            cat = self.category_for(params.get("catid"))
            page = parse_page(params.get("page"))
            if cat is None or page is None:
                return 404, self.not_found(path)
            return 200, self.listing(cat, page, action)
        if lower == "/chi-tiet-tin.aspx":
            art = None
            raw_id = params.get("id", "")
            if raw_id.isascii() and raw_id.isdigit():
                art = self.by_id.get(int(raw_id))
            catid = params.get("catid")
            if art is not None and (catid is None or self.category_for(catid) == art["category"]):
                return 200, self.article(art, action)
        return 404, self.not_found(path)

    def category_for(self, catid: str | None) -> str | None:
        for cat, info in self.cfg["categories"].items():
            if catid == str(info["cat_id"]):
                return cat
        return None

    # --- layout ------------------------------------------------------------------
    @staticmethod
    def viewstate(action: str) -> str:
        digest = hashlib.sha256(action.encode("utf-8")).digest()
        return "/wEPDwUKMTY1NDU2MTA1Mg9kFgICAw9kFgQCAQ8PFgIeBFRleHQF" + base64.b64encode(digest * 3).decode()

    def layout(self, main: str, action: str) -> str:
        menu = "".join(f'<td><a href="{href}">{esc(label)}</a></td>' for href, label in MENU)
        f = self.cfg["footer"]
        form_action = esc("." + action)
        return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head><meta http-equiv="Content-Type" content="text/html; charset=utf-8" /><title>
	{esc(self.cfg["name_upper"])}
</title>
<style type="text/css">{STYLE}</style>
</head>
<body>
<form name="form1" method="post" action="{form_action}" id="form1">
<div>
<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="{self.viewstate(action)}" />
</div>
<table class="khung" width="1000" align="center" border="0" cellpadding="0" cellspacing="0">
<tr><td colspan="2" class="banner"><img src="/uploads/banner_omon.jpg" width="120" height="100" align="left" alt="" />{esc(f["agency"])}<br />{esc(f["name"])}</td></tr>
<tr><td colspan="2"><table class="menu"><tr>{menu}</tr></table></td></tr>
<tr>
<td class="cotphai" width="220" valign="top">
{self.side_column()}
</td>
<td class="cotgiua" valign="top" style="padding:8px">
{main}
</td>
</tr>
<tr><td colspan="2">
<table class="footer" cellpadding="4">
<tr><td><b>{esc(f["agency"])}</b></td></tr>
<tr><td><b>{esc(f["name"])}</b></td></tr>
<tr><td>{esc(f["address"])}</td></tr>
<tr><td>{esc(f["phone"])}</td></tr>
<tr><td>{esc(f["email"])}</td></tr>
<tr><td><i>{esc(f["design"])}</i></td></tr>
</table>
</td></tr>
</table>
</form>
</body>
</html>
"""

    def side_column(self) -> str:
        return """<div class="box"><div class="tieudebox">Thông báo</div>
<ul><li>Thông báo lịch tiếp công dân</li><li>Thông báo tuyển dụng viên chức</li><li>Bảng giá dịch vụ kỹ thuật</li></ul></div>
<div class="box"><div class="tieudebox">Lịch công tác</div>
<ul><li>Lịch công tác tuần của Ban Giám đốc</li><li>Lịch trực lãnh đạo</li></ul></div>
<div class="box"><div class="tieudebox">Liên kết</div>
<select onchange="window.open(this.value)"><option value="">-- Liên kết website --</option>
<option value="https://moh.gov.vn">Bộ Y tế</option><option value="https://soyte.cantho.gov.vn">Sở Y tế Cần Thơ</option></select></div>
<div class="bodem">Số lượt truy cập: 0123456</div>"""

    def duongdan(self, category: str | None = None) -> str:
        html = '<div class="duongdan"><a href="/Default.aspx">Trang chủ</a>'
        if category is not None:
            label = self.cfg["categories"][category]["label"]
            html += f'<br><a href="{self.category_url(category)}">{esc(label)}</a>'
        return html + "</div>"

    # --- pages -------------------------------------------------------------------
    def home(self) -> str:
        rows = "".join(
            f'<li><a href="{a["path"]}">{self.t(a, a["title"])}</a> ({dmy(a["listed"])})</li>'
            for a in self.newest(None, 10)
        )
        main = f'{self.duongdan()}<div class="tinmoi"><b>TIN MỚI</b><ul>{rows}</ul></div>'
        return self.layout(main, "/Default.aspx")

    def static_page(self, paragraphs: list[str], action: str) -> str:
        body = "".join(f"<p>{esc(p)}</p>" for p in paragraphs)
        return self.layout(f'{self.duongdan()}<div class="noidung">{body}</div>', action)

    def listing(self, category: str, page: int, action: str = "") -> str:
        rows = "".join(
            f'<tr><td class="tin"><a class="tieudetin" href="{a["path"]}">{self.t(a, a["title"])}</a>'
            f' <span class="ngay">({dmy(a["listed"])})</span></td></tr>\n'
            for a in self.page_items(category, page)
        )
        main = (
            f'{self.duongdan(category)}\n<table class="dstin" width="100%" cellpadding="3">\n{rows}</table>\n'
            f'<div class="phantrang">Trang: {" ".join(self.pager_links(category, page))}</div>'
        )
        return self.layout(main, action or self.listing_url(category, page))

    def pager_links(self, category: str, page: int) -> list[str]:
        """Every page number on a short listing; on a long one « Đầu ‹ Trước, 11 numbers, Sau › Cuối »."""
        links = [
            f"<b>{n}</b>" if n == page else f'<a href="{self.listing_url(category, n)}">{n}</a>'
            for n in self.pager_pages(category, page)
        ]
        if not self.pager_windowed(category):
            return links
        last = self.page_count(category)
        if page > 1:
            links[:0] = [
                f'<a href="{self.listing_url(category, 1)}">« Đầu</a>',
                f'<a href="{self.listing_url(category, page - 1)}">‹ Trước</a>',
            ]
        if page < last:
            links += [
                f'<a href="{self.listing_url(category, page + 1)}">Sau ›</a>',
                f'<a href="{self.listing_url(category, last)}">Cuối »</a>',
            ]
        return links

    def article(self, a: Article, action: str = "") -> str:
        date_html = ""
        if a.get("posted"):
            day, hm = parse_when(a["posted"])
            text = "Ngày đăng: " + day.strftime("%d/%m/%Y") + (f" - {hm}" if hm else "")
            date_html = f'<br /><span class="ngaydang">{text}</span>'
        indent = "&nbsp;" * 10 if (a.get("quirks") or {}).get("nbsp_indent") else ""
        body = []
        for kind, value in self.body_blocks(a):
            if kind == "p":
                body.append(f"<p>{indent}{self.t(a, value)}</p>")
            else:
                body.append(f'<p align="center"><img src="/uploads/{esc(value["file"])}" width="500"></p>')
                if value.get("caption"):
                    body.append(f'<p align="center"><i>{self.t(a, value["caption"])}</i></p>')
        if a.get("author"):
            body.append(f'<p align="right">{"&nbsp;" * 50}<b>{self.t(a, a["author"])}</b></p>')
        related = "".join(
            f'<li><a href="{r["path"]}">{self.t(r, r["title"])}</a> ({dmy(r["listed"])})</li>' for r in self.related(a)
        )
        nl = "\n"
        main = f"""{self.duongdan(a["category"])}
<table width="100%" cellpadding="4"><tr><td>
<span id="lblTitle" class="tieude">{self.title_html(a)}</span>{date_html}
<div id="divContent" class="noidung">
{nl.join(body)}
</div>
</td></tr></table>
<div class="tincungloai"><b>Tin cùng loại</b><ul>{related}</ul></div>"""
        return self.layout(main, action or a["path"])

    def not_found(self, path: str = "") -> str:
        return NOT_FOUND.replace("{url}", esc(path))
