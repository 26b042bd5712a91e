"""What hospital templates repeat around an article, as data.

Two nets: containers recognised by their class/id (menus, breadcrumbs, sidebars, related lists, counters,
footers), and single lines recognised by their wording when a template puts them inside the content block.
The same lists let tests assert that no body keeps any of them.
"""

from __future__ import annotations

import re

# class/id fragments of template containers, in English and in the Vietnamese ASCII names old CMSs use.
CONTAINER_PATTERN = re.compile(
    r"(^|[\s_\-])("
    r"menu|nav|navbar|breadcrumbs?|duongdan|sidebar|side-bar|cotphai|cottrai|widget|"
    r"footer|site-footer|chantrang|share|share-bar|social|addthis|related|related-news|"
    r"tincungloai|tin-cung-loai|tinlienquan|tin-lien-quan|tinkhac|othernews|other-news|"
    r"counter|visitor|bodem|thongke|pagination|phantrang|pager|comment|comments|banner|"
    r"tool-links|toolbar|print|tags|rating"
    r")($|[\s_\-])",
    re.IGNORECASE,
)

# Lines that are template, whatever element holds them. Anchored at the start of a paragraph.
LINE_PATTERNS = [
    r"tin cùng loại",
    r"tin liên quan",
    r"bài viết liên quan",
    r"các bài viết khác",
    r"các tin đã đưa",
    r"các tin khác",
    r"tin khác",
    r"tin xem nhiều",
    r"bài viết mới",
    r"trang chủ\b",
    r"\[?\s*trở về\s*\]?",
    r"\[?\s*in trang\s*\]?",
    r"\[?\s*quay lại\s*\]?",
    r"chia sẻ\s*:?",
    r"lượt xem\s*:",
    r"số lượt truy cập",
    r"tổng lượt truy cập",
    r"đang truy cập",
    r"lượt truy cập",
    r"hôm nay\s*:\s*[\d.]+",
    r"design by",
    r"thiết kế bởi",
    r"bản quyền",
    r"copyright",
    r"©",
    r"địa chỉ\s*:",
    r"điện thoại\s*:",
    r"đt\s*:",
    r"fax\s*:",
    r"e-?mail\s*:",
    r"hotline\s*:",
    r"xem thêm\s*:?$",
    r"bản in$",
    r"gửi email$",
    r"lên đầu trang",
    # a line that is only a posting date: "Ngày đăng: 23/10/2020 - 10:30", "Thứ Sáu, 12/07/2024 - 16:45"
    r"(?:ngày đăng|ngày cập nhật|cập nhật|đăng lúc|đăng ngày|thời gian đăng)\s*:?[\s\d/:.\-–h]*$",
    r"(?:(?:thứ\s+\w+|chủ nhật)\s*,?\s*)?\d{1,2}/\d{1,2}/\d{4}[\s\d:.\-–h]*(?:am|pm|sa|ch)?$",
]
LINE_PATTERN = re.compile(r"^\s*(?:" + "|".join(LINE_PATTERNS) + ")", re.IGNORECASE)
# Counters glued to a date by inline markup ("14/06/2019 15:20Lượt xem: 2131"): template anywhere in a short line.
SHORT_LINE_PATTERN = re.compile(r"lượt xem\s*:|lượt truy cập|lượt đọc\s*:|số lần đọc", re.IGNORECASE)
SHORT_LINE_CHARS = 100

# Strings that must never survive into a stored body (checked by tests and the benchmark).
FORBIDDEN_IN_BODY = [
    "Trang chủ",
    "Tin cùng loại",
    "Design by",
    "Lượt xem",
    "Số lượt truy cập",
    "[Trở về]",
    "[In trang]",
    "Chia sẻ:",
    "Tin xem nhiều",
    "Tổng lượt truy cập",
]


def is_template_container(class_and_id: str) -> bool:
    """True when a class/id string names a template block (menu, sidebar, related list, footer...)."""
    return bool(class_and_id) and bool(CONTAINER_PATTERN.search(class_and_id))


def is_template_line(text: str) -> bool:
    """True when a paragraph is a template line (counter, footer contact, back/print link...)."""
    return bool(LINE_PATTERN.match(text)) or (len(text) <= SHORT_LINE_CHARS and bool(SHORT_LINE_PATTERN.search(text)))
