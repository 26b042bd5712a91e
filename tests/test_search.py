"""Vietnamese search semantics on a real SQLite archive (archive/search.py through ``Archive.search``).

Each case is one query a Vietnamese reader would type and what they expect back: which articles (exactly),
and which comes first. The corpus mixes old and new tone placement, đ/Đ, upper-case titles, phrases that
appear only as scattered syllables, and the word "đang" ("currently") beside "Đảng" (the Party).
"""

from __future__ import annotations

import unicodedata

import pytest

from archive.search import (
    accent_key,
    match_expression,
    normalize_tone_placement,
    parse_query,
    ranked_sql,
    top_ranked_sql,
)
from archive.store import Archive
from scraper.profiles import load_profile

CORPUS = {
    "so-ket": (
        "HỘI NGHỊ SƠ KẾT CÔNG TÁC ĐẢNG 6 THÁNG ĐẦU NĂM 2024",
        "Chiều ngày 12/7/2024, Đảng bộ Bệnh viện Đa khoa Bạc Liêu tổ chức Hội nghị sơ kết công tác Đảng. "
        "Tham dự có đồng chí Mã Quốc Thiện - Bí thư Đảng bộ, Giám đốc Bệnh viện.",
    ),
    "ket-nap": (
        "Chi bộ Khoa Nội kết nạp đảng viên mới",
        "Ngày 08/11/2019, Chi bộ Khoa Nội tổ chức Lễ kết nạp đảng viên mới. "
        "Dự buổi lễ có đồng chí Trần Quốc Sử - Phó Bí thư Đảng ủy.",
    ),
    "tong-ket": (
        "Đảng ủy Bệnh viện tổng kết công tác năm 2023",
        "Sáng 12/01/2024, Bệnh viện tổ chức hội nghị tổng kết. Nhiều ý kiến đóng góp cho sơ đồ tổ chức; "
        "kết quả đạt được khả quan.",
    ),
    "thanh-hoa-moi": (
        "Đoàn công tác tỉnh Thanh Hoá thăm Bệnh viện",
        "Đoàn cán bộ y tế tỉnh Thanh Hoá trao đổi kinh nghiệm về chăm sóc sức khoẻ nhân dân.",
    ),
    "thanh-hoa-cu": (
        "Hội thảo y học tại Thanh Hóa",
        "Bệnh viện cử bác sĩ dự hội thảo ở Thanh Hóa về sức khỏe sinh sản.",
    ),
    "thuy-moi": (
        "Trao Huy hiệu 30 năm tuổi Đảng",
        "Đồng chí Nguyễn Thị Thuý, đảng viên Chi bộ Dược, nhận Huy hiệu 30 năm tuổi Đảng.",
    ),
    "thuy-cu": (
        "Chi bộ Nhi sinh hoạt chuyên đề",
        "Đồng chí Lê Thị Thúy - Bí thư Chi bộ Nhi chủ trì buổi sinh hoạt chuyên đề.",
    ),
    "uy-ban": (
        "ỦY BAN KIỂM TRA ĐẢNG ỦY KIỂM TRA CHI BỘ HÀNH CHÍNH",
        "Uỷ ban Kiểm tra Đảng uỷ làm việc với Chi bộ Hành chính - Tổng hợp về việc thực hiện Quy định số 69-QĐ/TW.",
    ),
    "dang-hoc": (
        "Bác sĩ trẻ đang học tập nâng cao chuyên môn",
        "Nhiều bác sĩ đang theo học chuyên khoa I tại Thành phố Hồ Chí Minh.",
    ),
    "the-thao": (
        "Hội thao thể dục thể thao ngành y tế",
        "Thế hệ đoàn viên trẻ của Bệnh viện tham gia đông đủ.",
    ),
    "hoa-binh": (
        "Khám bệnh miễn phí tại huyện Hòa Bình",
        "Đoàn y, bác sĩ khám cho người dân xã Vĩnh Hậu, huyện Hoà Bình.",
    ),
    "nghi-quyet-57": (
        "Triển khai Nghị quyết 57-NQ/TW",
        "Đảng bộ quán triệt Nghị quyết số 57-NQ/TW của Bộ Chính trị về đột phá phát triển khoa học, công nghệ.",
    ),
    "hoc-tap": (
        "Học tập Nghị quyết Trung ương",
        "Đảng ủy Bệnh viện tổ chức hội nghị học tập, quán triệt nghị quyết.",
    ),
}

NFD = "NFD"
TITLES_DANG_UY = {"tong-ket", "uy-ban"}  # "Đảng ủy" in the title; in the body only: ket-nap, hoc-tap
ALL_DANG = {"so-ket", "ket-nap", "tong-ket", "thuy-moi", "uy-ban", "nghi-quyet-57", "hoc-tap", "dang-hoc"}

# (query, exactly the articles found (None: not checked), the one(s) that may come first (None: any), why)
CASES = [
    # -- no diacritics finds accented text, đ included ------------------------------------------------------
    ("dang uy", {"ket-nap", "tong-ket", "uy-ban", "hoc-tap"}, TITLES_DANG_UY, "đ folds to d; title phrase first"),
    ("DANG UY", {"ket-nap", "tong-ket", "uy-ban", "hoc-tap"}, TITLES_DANG_UY, "upper case without marks"),
    ("Dang Uy", {"ket-nap", "tong-ket", "uy-ban", "hoc-tap"}, TITLES_DANG_UY, "title case without marks"),
    ("hoi nghi so ket", {"so-ket", "tong-ket"}, "so-ket", "stacked marks (ộ, ị); phrase beats scattered"),
    ("HOI NGHI SO KET", {"so-ket", "tong-ket"}, "so-ket", "upper case, stacked marks"),
    ("ket nap dang vien", {"ket-nap"}, "ket-nap", "four syllables, all present"),
    ("ma quoc thien", {"so-ket"}, "so-ket", "a person's name without marks"),
    ("dang bo", {"so-ket", "thuy-moi", "uy-ban", "ket-nap", "nghi-quyet-57"}, "so-ket", "Đảng bộ; chi bộ + đảng viên"),
    ("bi thu dang bo", {"so-ket", "ket-nap"}, "so-ket", "role phrase first; scattered syllables after"),
    ("thanh hoa", {"thanh-hoa-moi", "thanh-hoa-cu"}, None, "both tone placements, folded"),
    ("suc khoe", {"thanh-hoa-moi", "thanh-hoa-cu"}, None, "khoẻ and khỏe, folded"),
    ("thuy", {"thuy-moi", "thuy-cu"}, None, "Thuý and Thúy, folded"),
    ("hoa binh", {"hoa-binh"}, "hoa-binh", "Hòa Bình and Hoà Bình in one article"),
    ("bac lieu", {"so-ket"}, "so-ket", "place name"),
    ("uy ban kiem tra", {"uy-ban"}, "uy-ban", "Ủy ban / Uỷ ban"),
    # -- with diacritics: same words, exact hits first -----------------------------------------------------
    ("Đảng ủy", {"ket-nap", "tong-ket", "uy-ban", "hoc-tap"}, TITLES_DANG_UY, "typed as written"),
    ("đảng ủy", {"ket-nap", "tong-ket", "uy-ban", "hoc-tap"}, TITLES_DANG_UY, "lower case with marks"),
    ("ĐẢNG ỦY", {"ket-nap", "tong-ket", "uy-ban", "hoc-tap"}, TITLES_DANG_UY, "upper case with marks"),
    ("Đảng uỷ", {"ket-nap", "tong-ket", "uy-ban", "hoc-tap"}, TITLES_DANG_UY, "new-style tone placement uỷ"),
    ("Hội nghị sơ kết", {"so-ket", "tong-ket"}, "so-ket", "phrase with marks"),
    ("Mã Quốc Thiện", {"so-ket"}, "so-ket", "name with marks"),
    ("Thanh Hoá", {"thanh-hoa-moi", "thanh-hoa-cu"}, None, "new-style: both found"),
    ("Thanh Hóa", {"thanh-hoa-moi", "thanh-hoa-cu"}, None, "old-style: both found"),
    ("sức khoẻ", {"thanh-hoa-moi", "thanh-hoa-cu"}, None, "khoẻ = khỏe"),
    ("sức khỏe", {"thanh-hoa-moi", "thanh-hoa-cu"}, None, "khỏe = khoẻ"),
    ("Thuý", {"thuy-moi", "thuy-cu"}, None, "thuý = thúy"),
    ("Thúy", {"thuy-moi", "thuy-cu"}, None, "thúy = thuý"),
    ("Hoà Bình", {"hoa-binh"}, "hoa-binh", "new-style"),
    ("Hòa Bình", {"hoa-binh"}, "hoa-binh", "old-style"),
    ("Ủy ban Kiểm tra", {"uy-ban"}, "uy-ban", "upper-case title, mixed tone placement in body"),
    ("Đảng", None, {"so-ket", "thuy-moi"}, "the Party (in a title) ranks above 'đang' (currently)"),
    ("đang học", {"dang-hoc", "hoc-tap", "nghi-quyet-57"}, "dang-hoc", "'đang học' as typed first"),
    ("thể thao", {"the-thao"}, "the-thao", "thể/thế fold alike; the typed word is here"),
    # -- NFD queries behave like NFC ------------------------------------------------------------------------
    ((NFD, "Đảng ủy"), {"ket-nap", "tong-ket", "uy-ban", "hoc-tap"}, TITLES_DANG_UY, "decomposed marks"),
    ((NFD, "Hội nghị sơ kết"), {"so-ket", "tong-ket"}, "so-ket", "decomposed stacked marks"),
    ((NFD, "Thanh Hoá"), {"thanh-hoa-moi", "thanh-hoa-cu"}, None, "decomposed, new style"),
    ((NFD, "Mã Quốc Thiện"), {"so-ket"}, "so-ket", "decomposed name"),
    ((NFD, "kết nạp đảng viên"), {"ket-nap"}, "ket-nap", "decomposed phrase"),
    # -- phrases and title above body ------------------------------------------------------------------------
    ("hoc tap", {"dang-hoc", "hoc-tap"}, "hoc-tap", "title 'Học tập' before title 'đang học tập'? both titles"),
    ("nghi quyet", {"nghi-quyet-57", "hoc-tap"}, None, "both titles"),
    ('"so ket"', {"so-ket"}, "so-ket", "a quoted phrase must match as a phrase"),
    ("57-NQ/TW", {"nghi-quyet-57"}, "nghi-quyet-57", "a Party document number"),
    ("57 nq tw", {"nghi-quyet-57"}, "nghi-quyet-57", "the same number typed loosely"),
    ("69-QĐ/TW", {"uy-ban"}, "uy-ban", "Đ inside a document number"),
    ("69 qd tw", {"uy-ban"}, "uy-ban", "Đ folded inside a document number"),
    (
        "chi bo",
        {"ket-nap", "thuy-moi", "thuy-cu", "uy-ban", "so-ket"},
        {"ket-nap", "thuy-cu", "uy-ban"},
        "Chi bộ in a title first; 'đồng chí … bộ' last",
    ),
    ("chuyen de", {"thuy-cu"}, "thuy-cu", "title and body"),
    # -- what must not be found ----------------------------------------------------------------------------
    ("benh vien ha noi", set(), None, "Hà Nội is nowhere"),
    ("tuyen the", set(), None, "absent word"),
    ("", set(), None, "empty query finds nothing, quietly"),
    ('"', set(), None, "a lone quote is not an FTS syntax error"),
    ("AND OR NOT", set(), None, "FTS operators are plain words, not syntax"),
    ("đảng*", ALL_DANG, {"so-ket", "thuy-moi"}, "a star is ignored, never a syntax error"),
]


def _text(query) -> str:
    if isinstance(query, tuple):
        form, text = query
        return unicodedata.normalize(form, text)
    return query


def _label(query) -> str:
    return f"NFD:{query[1]}" if isinstance(query, tuple) else query or "(empty)"


@pytest.fixture(scope="module")
def corpus_archive(tmp_path_factory):
    path = tmp_path_factory.mktemp("search") / "archive.db"
    with Archive(path) as archive:
        archive.register_site(load_profile("baclieu"))
        archive.save_articles(
            {"url": f"https://bvdkbaclieu.vn/{key}.html", "site": "baclieu", "title": title, "body": body}
            for key, (title, body) in CORPUS.items()
        )
    with Archive(path) as archive:
        yield archive


def _keys(rows: list[dict]) -> list[str]:
    return [row["url"].rsplit("/", 1)[1].removesuffix(".html") for row in rows]


@pytest.mark.parametrize(("query", "found", "first", "why"), CASES, ids=[_label(c[0]) for c in CASES])
def test_query(corpus_archive, query, found, first, why):
    keys = _keys(corpus_archive.search(_text(query), limit=100))
    if found is not None:
        assert set(keys) == found, why
    if first is not None:
        assert keys[0] in ({first} if isinstance(first, str) else first), why


def test_there_are_at_least_forty_query_cases():
    assert len(CASES) >= 40


def test_exact_phrase_ranks_above_scattered_syllables(corpus_archive):
    keys = _keys(corpus_archive.search("hoi nghi so ket"))
    assert keys.index("so-ket") < keys.index("tong-ket")


def test_title_hit_ranks_above_body_hit(corpus_archive):
    keys = _keys(corpus_archive.search("dang uy"))
    assert keys[:2] in (["tong-ket", "uy-ban"], ["uy-ban", "tong-ket"])
    assert set(keys[2:]) == {"ket-nap", "hoc-tap"}


def test_accented_query_ranks_its_own_word_first(corpus_archive):
    """'đang' (currently) and 'Đảng' (Party) fold alike: the one typed comes first."""
    assert _keys(corpus_archive.search("đang"))[0] == "dang-hoc"
    assert _keys(corpus_archive.search("Đảng"))[-1] == "dang-hoc"


@pytest.mark.parametrize(
    ("old", "new"), [("hòa", "hoà"), ("Thanh Hóa", "Thanh Hoá"), ("thúy", "thuý"), ("khỏe", "khoẻ"), ("ủy", "uỷ")]
)
def test_tone_placement_is_one_word(old, new):
    assert normalize_tone_placement(new) == old
    assert accent_key(unicodedata.normalize("NFD", new)) == accent_key(old)


@pytest.mark.parametrize("word", ["quý", "hoàng", "thuở", "khuya", "quỳnh", "hoạt"])
def test_tone_placement_leaves_other_words(word):
    assert normalize_tone_placement(word) == word


def test_query_parsing():
    parsed = parse_query('"sơ kết" Đảng ủy')
    assert parsed.syllables == ("so", "ket", "dang", "uy")
    assert parsed.phrases == (("so", "ket"),)
    assert parsed.accented
    assert not parse_query("dang uy").accented
    assert match_expression("dang uy", "phrase") == '{title_folded body_folded}: "dang uy"'


# The canned query ``search`` shows the best hits only, at a cost bounded by the page, not by the matches
# (bench.query: 1,000,000 articles). These check that the page is the complete ranking's head.
PAGE_QUERIES = ["dang uy", "Đảng ủy", "dang bo", "đảng", "hoi nghi so ket", "bi thu dang bo", "thanh hoa", "chi bo"]


def _page(archive: Archive, query: str, hits: int) -> list[int]:
    return [row["id"] for row in archive.db.query(top_ranked_sql("articles.id", hits), {"q": query})]


def _complete(archive: Archive, query: str) -> list[int]:
    return [row["id"] for row in archive.db.query(ranked_sql("articles.id"), {"q": query})]


@pytest.mark.parametrize("query", PAGE_QUERIES)
def test_search_page_is_the_head_of_the_complete_ranking(corpus_archive, query):
    assert _page(corpus_archive, query, 100) == _complete(corpus_archive, query)


def test_a_short_page_keeps_an_old_title_hit_before_newer_body_hits(tmp_path):
    """The page looks at each tier's newest hits only, yet an old "Đảng ủy" title still beats ten newer bodies."""
    with Archive(tmp_path / "archive.db") as archive:
        archive.register_site(load_profile("baclieu"))
        body = "Đảng ủy Bệnh viện họp thường kỳ."
        old = {"url": "https://bvdkbaclieu.vn/cu.html", "site": "baclieu", "title": "Hội nghị Đảng ủy", "body": "Họp."}
        newer = [
            {"url": f"https://bvdkbaclieu.vn/moi-{n}.html", "site": "baclieu", "title": f"Tin số {n}", "body": body}
            for n in range(10)
        ]
        archive.save_articles([old, *newer])
        page = [row["url"] for row in archive.db.query(top_ranked_sql("articles.url", 3), {"q": "dang uy"})]
        complete = [row["url"] for row in archive.db.query(ranked_sql("articles.url"), {"q": "dang uy"})]
    assert page == complete[:3] == [old["url"], newer[9]["url"], newer[8]["url"]]
