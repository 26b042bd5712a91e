"""Facts of hand-written texts that walk along the edges of scraper/facts.py's speed shortcuts.

Each shortcut (str.find for the name triggers, a search for the document identifiers started near their "/",
sentences split at "\\.\\s" matches, roles ended without the ",?$" alternative but for the text's last
characters, str.isprintable() before the unclean-character search) must give what the plain regexes gave.
The expected values are those the module gave before the shortcuts; the whole mirror corpus with mutated
variants was compared too (identical), but that comparison needs the old module, so it is not kept here.
"""

from __future__ import annotations

import pytest

from scraper.facts import COUNT_FIELDS, documents, event_type, extract_facts, member_counts, people


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the widest identifier: its "/" 13 characters after its first digit
        ("Hướng dẫn 1234 - QĐiab / TWXYZ được ban hành", ["1234-QĐiab/TWXYZ"]),
        # a hint ("/" and two capitals) far before the first identifier
        (
            "Theo mẫu A/BC của " + "Ban Tuyên giáo, " * 15 + "thực hiện Kết luận 21-KL/TW và 35-CT/TW",
            ["21-KL/TW", "35-CT/TW"],
        ),
        # near misses: five digits, a letter before, a "/" after, a lower-case issuer
        ("12345-KL/TW, a1-KL/TW, 7-NQ/TW/2, 9 -X/ ĐU và 144-QĐi/Tw", ["9-X/ĐU"]),
    ],
)
def test_document_identifiers(text, expected):
    assert documents(text) == expected


def test_an_identifier_split_between_title_and_body():
    assert extract_facts("Quán triệt Chỉ thị 05-CT/", "TW của Bộ Chính trị").documents == ["05-CT/TW"]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Ngày 12/5, Chi bộ họp.\tĐảng bộ có 120 đảng viên.", {"total": 120}),  # a tab after the full stop
        ("Chi bộ đạt 1.300 điểm.\u00a0Chi bộ có 33 đảng viên.", {"total": 33}),  # a no-break space after it
        ("ĐẢNG BỘ CÓ 176 ĐẢNG VIÊN (CHÍNH THỨC 170, DỰ BỊ 06)", {"total": 176, "chinh_thuc": 170, "du_bi": 6}),
        ("Có 31/33 đảng viên tham dự hội nghị.", {"total": 33, "delegates": 31}),
        (
            "Sáng 12/3/2024, Chi bộ tổ chức Đại hội.\n\nĐại hội có 35/38 đảng viên tham dự. "
            "Chi bộ hiện có 38 đảng viên (chính thức 36, dự bị 2).",
            {"total": 38, "chinh_thuc": 36, "du_bi": 2, "delegates": 35},
        ),
    ],
)
def test_member_counts(body, expected):
    assert member_counts(body) == {**dict.fromkeys(COUNT_FIELDS), **expected}


@pytest.mark.parametrize(
    ("body", "captions", "expected"),
    [
        ("Đồng chí Nguyễn Văn An - Bí thư Chi bộ phát biểu.", None, [("Nguyễn Văn An", "Bí thư Chi bộ")]),
        ("xđồng chí Lê Văn Bình - Bí thư Chi bộ phát biểu.", None, []),  # a word, not a trigger
        # a role that runs to the end of the text, with and without a comma there
        (
            "Hội nghị diễn ra sáng nay.",
            ["Đồng chí Lê Minh Bạch - Bí thư Đảng ủy, Giám đốc bệnh viện,"],
            [("Lê Minh Bạch", "Bí thư Đảng ủy, Giám đốc bệnh viện")],
        ),
        (
            "Hội nghị diễn ra sáng nay.",
            ["Đồng chí Lê Minh Bạch - Bí thư Đảng ủy"],
            [("Lê Minh Bạch", "Bí thư Đảng ủy")],
        ),
        (
            "Dự có đồng chí Trần Văn Hùng - Bí thư Đảng ủy, "
            "đồng chí Phan Thị Mai - Phó Bí thư Đảng ủy, Giám đốc Bệnh viện.",
            None,
            [("Trần Văn Hùng", "Bí thư Đảng ủy"), ("Phan Thị Mai", "Phó Bí thư Đảng ủy, Giám đốc Bệnh viện")],
        ),
        (
            "đồng chí Võ Thanh Sơn - Phó Giám đốc Bệnh viện - chủ trì hội nghị",
            None,
            [("Võ Thanh Sơn", "Phó Giám đốc Bệnh viện")],
        ),
        (
            "Anh Nguyễn Văn Hậu, người nhà bệnh nhân, cùng Chị Hồ Thị Lan, hộ sinh Khoa Sản",
            None,
            [("Nguyễn Văn Hậu", None), ("Hồ Thị Lan", "hộ sinh Khoa Sản")],
        ),
        (
            "Chi bộ kết nạp quần chúng Lê Văn Tâm, hộ lý Khoa Sản; bác sĩ Đỗ Minh Trí, Trưởng khoa Nội và "
            "Bác sĩ chuyên khoa I Lâm Văn Tú, Phó khoa Ngoại.",
            None,
            [("Lê Văn Tâm", "hộ lý Khoa Sản"), ("Đỗ Minh Trí", "Trưởng khoa Nội"), ("Lâm Văn Tú", "Phó khoa Ngoại")],
        ),
        # the Party office first, however it was written, once per person
        (
            "đồng chí Cao Văn Khải - Giám đốc Bệnh viện, Bí thư Đảng ủy chủ trì. "
            "Đồng chí Cao Văn Khải, Giám đốc Bệnh viện phát biểu.",
            None,
            [("Cao Văn Khải", "Bí thư Đảng ủy, Giám đốc Bệnh viện")],
        ),
    ],
)
def test_people(body, captions, expected):
    assert [(p.name, p.role) for p in people(body, captions)] == expected


@pytest.mark.parametrize(
    ("title", "body", "party", "expected"),
    [
        ("Hội nghị học tập Nghị quyết", "x", True, "học tập nghị quyết"),
        ("Tin hoạt động", "Sáng 3/2, Chi bộ Khoa Nội tổ chức sơ kết 6 tháng. Sau đó", True, "hội nghị sơ kết"),
        ("Tin hoạt động", "Sáng 3/2, Chi bộ Khoa Nội tổ chức sơ kết 6 tháng.", False, "other"),  # lead not read
        ("Tin hoạt động", "", True, "other"),
        ("Tin hoạt động", "Chi bộ họp\n\nĐại hội Chi bộ", True, "other"),  # the lead is the first paragraph only
    ],
)
def test_event_type(title, body, party, expected):
    assert event_type(title, body, party) == expected
    assert extract_facts(title, body, party).event_type == expected


def test_level_from_the_title():
    assert extract_facts("ĐẠI HỘI CHI BỘ KHOA NỘI", "").level == "chi bộ"
    assert extract_facts("Đại hội Đảng bộ", "").level == "đảng bộ"
