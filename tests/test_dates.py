"""Vietnamese dates as hospital pages write them (table in docs/vietnamese.md), day first always."""

from datetime import date

import pytest

from scraper.extract.clean import parse
from scraper.extract.dates import complete_partial, find_date, find_full_date
from scraper.extract.metadata import find_stated_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Chiều ngày 12/7/2024, Đảng bộ Bệnh viện Đa khoa Bạc Liêu tổ chức", "2024-07-12"),
        ("Thứ Hai, 15/07/2024 08:30", "2024-07-15T08:30"),
        ("Thứ Sáu, 12/07/2024 - 16:45", "2024-07-12T16:45"),
        ("Cập nhật lúc 08:30 15/07/2024", "2024-07-15T08:30"),
        ("ngày 12 tháng 7 năm 2024", "2024-07-12"),
        ("Ngày 03 tháng 02 năm 2024, Chi bộ Khối Nội", "2024-02-03"),
        ("12/07/2024 - 08:30 AM", "2024-07-12T08:30"),
        ("12/07/2024 - 08:30 PM", "2024-07-12T20:30"),
        ("Sáng ngày 15-8-2023, tại hội trường", "2023-08-15"),
        ("Ngày đăng: 24/05/2022", "2022-05-24"),
        ("(05/01/2024)", "2024-01-05"),
        ("Cập nhật lúc: 09:41:23 15/07/2024", "2024-07-15T09:41"),
        ("Thứ Hai, 15/07/2024, 09:41 (GMT+7)", "2024-07-15T09:41"),
        ("Ngày xuất bản: 2024-07-15 09:41", "2024-07-15T09:41"),
        ("(12/7/2019)", "2019-07-12"),
    ],
)
def test_full_dates(text, expected):
    assert find_full_date(text).iso() == expected


def test_never_month_first():
    # 12/07 is the 12th of July, not December 7th.
    assert find_full_date("12/07/2024").value == date(2024, 7, 12)


def test_impossible_dates_are_skipped():
    assert find_full_date("31/02/2024") is None
    assert find_full_date("Số 83/2024/QĐ") is None


def test_partial_date_takes_the_year_of_its_context():
    found = find_date("Chiều 22/5, Đảng bộ Bệnh viện Đa khoa sơ kết giữa nhiệm kỳ", reference=date(2022, 5, 24))
    assert found.value == date(2022, 5, 22) and found.partial


def test_partial_date_after_reference_belongs_to_the_previous_year():
    assert complete_partial(28, 12, date(2024, 1, 3)) == date(2023, 12, 28)


def test_partial_date_without_context_is_not_guessed():
    assert find_date("Chiều 22/5, Đảng bộ", reference=None) is None


def test_document_numbers_are_not_dates():
    # "21-KL/TW" and "nhiệm kỳ 2020-2025" look numeric but are no dates.
    assert find_date("Kết luận số 21-KL/TW, nhiệm kỳ 2020-2025", reference=date(2022, 5, 24)) is None


def test_a_date_line_under_the_title_is_the_stated_date_however_it_is_padded():
    """Legacy layouts write "(12/7/2019)" alone under the title, often padded with runs of &nbsp;.

    A longer line that only mentions a date (a title, a sentence) is not a date line, however short its
    start: the length is judged on the cleaned text, never on a prefix of it.
    """
    padding = "&nbsp; " * 40
    page = f"""<html><body><table><tr><td>
      <b>Đảng bộ Bệnh viện tổ chức Hội nghị kiểm điểm (20/10/2020)</b>
      <span>{padding}<i>(12/7/2019)</i>{padding}</span>
      <p>Chiều ngày 12/7/2019, Đảng bộ Bệnh viện Đa khoa Quận Ô Môn tổ chức hội nghị.</p>
    </td></tr></table></body></html>"""
    assert find_stated_date(parse(page), None).iso() == "2019-07-12"
    sentence_only = page.replace("<i>(12/7/2019)</i>", "")
    assert find_stated_date(parse(sentence_only), None) is None
    # Only dates, but 80 characters of them: a list of sessions, not the article's date line. The padding in
    # the middle makes the first 60 characters read look short.
    sessions = "<span>12/7/2019 <i>" + padding + "</i> 13/7/2019 – 14/7/2019 – 15/7/2019 – 16/7/2019 – 17/7/2019</span>"
    listing = page.replace("<i>(12/7/2019)</i>", "").replace("<p>", sessions + "<p>", 1)
    assert find_stated_date(parse(listing), None) is None
