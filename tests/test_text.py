"""NFC, white space and search folding on real Vietnamese strings."""

import unicodedata

from scraper.extract.text import clean_text, fold, join_paragraphs


def test_nfd_becomes_nfc():
    nfd = unicodedata.normalize("NFD", "Hội nghị sơ kết công tác Đảng")
    assert nfd != "Hội nghị sơ kết công tác Đảng"
    assert clean_text(nfd) == "Hội nghị sơ kết công tác Đảng"


def test_nbsp_indentation_and_runs_of_spaces_collapse():
    assert clean_text("\u00a0\u00a0\u00a0 Chiều 22/5,\u00a0 Đảng bộ \n\t Bệnh viện ") == "Chiều 22/5, Đảng bộ Bệnh viện"


def test_invisible_characters_are_dropped():
    assert clean_text("Đảng\u200b viên\u00ad mới\ufeff") == "Đảng viên mới"


def test_tone_placement_variants_are_kept_as_written():
    # "hoà" and "hòa" are both in use; storage keeps the page's spelling.
    assert clean_text("Thanh Hoá") == "Thanh Hoá"
    assert clean_text("Thanh Hóa") == "Thanh Hóa"


def test_fold_handles_d_bar_and_stacked_marks():
    assert fold("Đảng ủy") == "dang uy"
    assert fold("HỘI NGHỊ SƠ KẾT") == "hoi nghi so ket"
    assert fold(unicodedata.normalize("NFD", "Bí thư Đảng bộ")) == "bi thu dang bo"
    assert fold("Thanh Hoá") == fold("Thanh Hóa")


def test_paragraphs_are_separated_by_a_blank_line():
    assert join_paragraphs(["Đoạn một.", "", "Đoạn hai."]) == "Đoạn một.\n\nĐoạn hai."


def test_the_clean_text_shortcut_rests_on_what_python_calls_printable():
    """clean_text returns an already clean, printable text as it is (NFC aside): that is only right if no
    character it removes or collapses is printable. Checked for every code point, so a new Python (a new
    Unicode version) that made one printable would fail here, not archive a stray space."""
    import sys

    from scraper.extract.text import _INVISIBLE

    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if (char.isspace() and char != " ") or _INVISIBLE.fullmatch(char):
            assert not char.isprintable(), f"U+{code:04X}"
    # The shortcut and the full cleaning agree, on texts that take either path.
    for text in [
        "Đảng bộ Bệnh viện",
        "Chi bộ  Khoa Nội",
        " Bí thư",
        "Bí thư ",
        "Đảng\u00a0bộ",
        "Đảng\u200bbộ",
        unicodedata.normalize("NFD", "Nghị quyết số 21-NQ/TW"),
        "Hội nghị\tsơ kết",
        "Cấp ủy\n",
    ]:
        slow = unicodedata.normalize("NFC", " ".join(_INVISIBLE.sub("", text).split()))
        assert clean_text(text) == slow
