"""Profile CSS selectors: the fast XPath written for a lone id or class selects what cssselect selects."""

from __future__ import annotations

import pytest
from lxml.cssselect import CSSSelector

from scraper.extract.clean import _TEMPLATE_CANDIDATES, css, parse, select

# Real markup is untidy: a repeated id, classes spread over tabs and newlines, a class that contains
# another's name, upper-case tags, names with hyphens and underscores.
PAGE = """<html><body>
<TABLE class="dstin"><tr><td class="tin">
  <span id="lblTitle" class="tieude">Đảng bộ Bệnh viện tổ chức Đại hội nhiệm kỳ 2025–2030</span>
  <span class="ngaydang">Ngày đăng: 12/07/2025</span>
</td></tr></TABLE>
<div id="divContent" class="  noidung\tbai-viet
   chi_tiet "><p>Chi bộ Khoa Nội kết nạp đảng viên mới.</p></div>
<div class="ngay">hôm nay</div><div class="tincungloai"><b>Tin cùng loại</b></div>
<span id="lblTitle">Tiêu đề lặp lại</span>
<div class="-lech">x</div><div class="NoiDung">chữ hoa</div>
</body></html>"""

SELECTORS = [
    "#lblTitle",  # twice in the page: both, in document order
    "span#lblTitle",
    "td#lblTitle",
    ".ngaydang",
    ".ngay",  # not "ngaydang"
    ".noidung",
    ".bai-viet",
    ".chi_tiet",
    "div.noidung",
    "p.noidung",
    ".NoiDung",  # class names keep their case
    ".-lech",
    "table",
    "TABLE",
    "span",
    "#nothing",
]


@pytest.mark.parametrize("selector", SELECTORS)
def test_a_lone_id_class_or_tag_selects_what_cssselect_selects(selector):
    root = parse(PAGE)
    assert not isinstance(css(selector), CSSSelector)  # the fast form is the one under test
    assert select(root, selector) == CSSSelector(selector, translator="html")(root)


def test_duplicate_ids_are_all_found_in_page_order():
    texts = [element.text_content() for element in select(parse(PAGE), "#lblTitle")]
    assert texts == ["Đảng bộ Bệnh viện tổ chức Đại hội nhiệm kỳ 2025–2030", "Tiêu đề lặp lại"]


@pytest.mark.parametrize("selector", ["table.dstin td.tin", "td.tin > span", "div.noidung p", "span.tieude, .ngay",
                                      "[id=lblTitle]", "div:first-child", "#lblTitle.tieude",
                                      "\xa0#lblTitle"])  # fmt: skip
def test_other_selectors_still_go_to_cssselect(selector):
    """Compound selectors, and a no-break space pasted from a browser (to CSS a part of the name, not white
    space), are cssselect's."""
    root = parse(PAGE)
    assert isinstance(css(selector), CSSSelector)
    assert select(root, selector) == CSSSelector(selector, translator="html")(root)


def test_template_candidates_are_every_element_with_a_class_or_an_id_and_the_template_tags_in_order():
    page = PAGE.replace("<TABLE", "<nav><a href='/'>Trang chủ</a></nav><header id='dau'>Bệnh viện</header><TABLE")
    page = page.replace("</body>", "<footer>Design by VNPT</footer><aside><p>Lượt truy cập: 1.234</p></aside></body>")
    root = parse(page)
    old = root.xpath("//*[@class or @id] | //nav | //footer | //aside | //header")
    assert _TEMPLATE_CANDIDATES(root) == old
    assert [e.tag for e in old][:4] == ["nav", "header", "table", "td"]
