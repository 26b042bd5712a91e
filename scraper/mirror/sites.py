"""Site definitions for the offline mirrors and the loader of their content files.

Content lives in ``data/<site>.json`` (see SPEC.md). ``load_articles`` returns the
articles augmented with the mirror ``path`` of each article page and the ``url`` the
page has on the real site.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"

SITES: dict[str, dict[str, Any]] = {
    "baclieu": {
        "key": "baclieu",
        "name": "Bệnh viện Đa khoa Bạc Liêu",
        "name_upper": "BỆNH VIỆN ĐA KHOA BẠC LIÊU",
        "agency": "SỞ Y TẾ TỈNH BẠC LIÊU",
        "province": "Bạc Liêu",
        "base_url": "https://bvdkbaclieu.vn",
        "per_page": 9,
        "categories": {
            "party": {"label": "Hoạt động công tác Đảng", "path": "/hoat-dong-cong-tac-dang"},
            "news": {"label": "Tin tức - Sự kiện", "path": "/tin-tuc-su-kien"},
        },
        "footer": {
            "agency": "SỞ Y TẾ TỈNH BẠC LIÊU",
            "name": "BỆNH VIỆN ĐA KHOA BẠC LIÊU",
            "address": "Địa chỉ: Số 06 Nguyễn Huệ, Phường 3, TP. Bạc Liêu, tỉnh Bạc Liêu",
            "phone": "Điện thoại: 0291.3822.285 - Fax: 0291.3824.225",
            "email": "Email: bvdkbaclieu@baclieu.gov.vn",
            "design": "Design by VNPT Bạc Liêu",
        },
    },
    "omon": {
        "key": "omon",
        "name": "Bệnh viện Đa khoa Quận Ô Môn",
        "name_upper": "BỆNH VIỆN ĐA KHOA QUẬN Ô MÔN",
        "agency": "SỞ Y TẾ THÀNH PHỐ CẦN THƠ",
        "province": "Cần Thơ",
        "base_url": "https://bvdkomon.cantho.gov.vn",
        "per_page": 8,
        "categories": {
            "party": {"label": "Hoạt động công tác Đảng", "cat_id": 5},
            "news": {"label": "Tin hoạt động", "cat_id": 2},
        },
        "footer": {
            "agency": "SỞ Y TẾ THÀNH PHỐ CẦN THƠ",
            "name": "BỆNH VIỆN ĐA KHOA QUẬN Ô MÔN",
            "address": "Địa chỉ: Số 83, CMT8, P. Châu Văn Liêm, Q. Ô Môn, TP. Cần Thơ",
            "phone": "Điện thoại: 02923.861.946 - Fax: 02923.860.305",
            "email": "Email: bvdk_omon@cantho.gov.vn",
            "design": "Design by Tính Sử",
        },
    },
    # The next two are synthetic test sites in other CMS styles. They re-render the Bạc Liêu and Ô Môn
    # articles (``source``) under their own hospital names, templates and URLs; no real hospital is meant.
    "songxanh": {
        "key": "songxanh",
        "source": "baclieu",
        "name": "Bệnh viện Đa khoa huyện Sông Xanh",
        "name_upper": "BỆNH VIỆN ĐA KHOA HUYỆN SÔNG XANH",
        "agency": "SỞ Y TẾ TỈNH HẬU GIANG",
        "province": "Hậu Giang",
        "base_url": "https://bvdksongxanh.vn",
        "per_page": 7,
        "categories": {
            "party": {"label": "Đảng - Đoàn thể", "slug": "dang-doan-the"},
            "news": {"label": "Tin tức", "slug": "tin-tuc"},
        },
        "footer": {
            "agency": "SỞ Y TẾ TỈNH HẬU GIANG",
            "name": "BỆNH VIỆN ĐA KHOA HUYỆN SÔNG XANH",
            "address": "Địa chỉ: Số 12 đường 3 Tháng 2, thị trấn Sông Xanh, tỉnh Hậu Giang",
            "phone": "Điện thoại: 0293.3870.115",
            "email": "Email: bvdksongxanh@haugiang.gov.vn",
            "design": "Design by WebViet Solutions",
        },
    },
    "nuiben": {
        "key": "nuiben",
        "source": "omon",
        "charset": "windows-1258",
        "name": "Bệnh viện Đa khoa huyện Núi Bén",
        "name_upper": "BỆNH VIỆN ĐA KHOA HUYỆN NÚI BÉN",
        "agency": "SỞ Y TẾ TỈNH AN GIANG",
        "province": "An Giang",
        "base_url": "http://bvnuiben.angiang.gov.vn",
        "per_page": 10,
        "categories": {
            "party": {"label": "Hoạt động Đảng", "nhom": 3},
            "news": {"label": "Tin hoạt động bệnh viện", "nhom": 1},
        },
        "footer": {
            "agency": "SỞ Y TẾ TỈNH AN GIANG",
            "name": "BỆNH VIỆN ĐA KHOA HUYỆN NÚI BÉN",
            "address": "Địa chỉ: Quốc lộ 91, thị trấn Núi Bén, tỉnh An Giang",
            "phone": "Điện thoại: (076) 3.850.115",
            "email": "Email: bvnuiben@angiang.gov.vn",
            "design": "Design by Trung tâm Tin học An Giang",
        },
    },
    "culao": {
        "key": "culao",
        "source": "omon",
        "name": "Trung tâm Y tế huyện Cù Lao",
        "name_upper": "TRUNG TÂM Y TẾ HUYỆN CÙ LAO",
        "agency": "SỞ Y TẾ TỈNH BẾN TRE",
        "province": "Bến Tre",
        "base_url": "https://ttytculao.bentre.gov.vn",
        "per_page": 6,
        "categories": {
            "party": {"label": "Công tác Đảng", "slug": "cong-tac-dang"},
            "news": {"label": "Tin hoạt động", "slug": "tin-hoat-dong"},
        },
        "footer": {
            "agency": "SỞ Y TẾ TỈNH BẾN TRE",
            "name": "TRUNG TÂM Y TẾ HUYỆN CÙ LAO",
            "address": "Địa chỉ: Khu phố 2, thị trấn Cù Lao, tỉnh Bến Tre",
            "phone": "Điện thoại: 0275.3861.115",
            "email": "Email: ttytculao@bentre.gov.vn",
            "design": "Thiết kế bởi VNPT Bến Tre",
        },
    },
}


def data_file(site: str) -> Path:
    """Path of the JSON content file of ``site``."""
    if site not in SITES:
        raise KeyError(f"unknown mirror site {site!r} (known: {', '.join(SITES)})")
    return DATA_DIR / f"{site}.json"


def category_path(site: str, category: str) -> str:
    """Mirror path (with query) of page 1 of a category listing."""
    cat = SITES[site]["categories"][category]
    if site == "baclieu":
        return cat["path"]
    if site == "songxanh":
        return f"/chuyen-muc/{cat['slug']}/"
    if site == "nuiben":
        return f"/tin.asp?nhom={cat['nhom']}"
    if site == "culao":
        return f"/{cat['slug']}.html"
    return f"/Tin-tuc.aspx?CatID={cat['cat_id']}"


def listing_page_path(site: str, category: str, page: int) -> str:
    """Mirror path (with query) of page ``page`` (1-based) of a category listing."""
    base = category_path(site, category)
    if page <= 1:
        return base
    if site == "baclieu":
        return f"{base}?page={page}"
    if site == "songxanh":
        return f"{base}page/{page}/"
    if site == "nuiben":
        return f"{base}&page={page}"
    if site == "culao":
        return f"{base[: -len('.html')]}/trang-{page}.html"
    return f"{base}&Page={page}"


def article_path(site: str, article: dict[str, Any]) -> str:
    """Mirror path (with query) of an article page."""
    cat = SITES[site]["categories"][article["category"]]
    if site == "baclieu":
        return f"{cat['path']}/{article['slug']}-{article['id']}.html"
    if site == "songxanh":  # WordPress "day and name" permalinks; slugs are unique per site
        return f"/{article.get('listed', '2000-01-01').replace('-', '/')}/{article['slug']}/"
    if site == "nuiben":
        return f"/xem.asp?nhom={cat['nhom']}&id={article['id']}"
    if site == "culao":  # flat: an article and a category are both one .html segment
        return f"/{article['slug'][:60].rstrip('-')}-{article['id']}.html"
    return f"/Chi-tiet-tin.aspx?ID={article['id']}&CatID={cat['cat_id']}"


def read_data(site: str) -> dict[str, Any]:
    """The raw content file of ``site`` (raises FileNotFoundError when absent)."""
    with data_file(site).open(encoding="utf-8") as fh:
        return json.load(fh)


def load_articles(site: str) -> list[dict[str, Any]]:
    """Articles of ``site`` in file order, each with ``path`` and ``url`` added."""
    base_url = SITES[site]["base_url"]
    articles = []
    for raw in read_data(site)["articles"]:
        art = dict(raw)
        art["path"] = article_path(site, art)
        art["url"] = base_url + art["path"]
        articles.append(art)
    return articles
