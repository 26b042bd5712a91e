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
