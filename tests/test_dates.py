"""Vietnamese dates as hospital pages write them (table in docs/vietnamese.md), day first always."""

import unicodedata
from datetime import date
from urllib.parse import unquote, urlsplit

import pytest

from scraper.extract.clean import parse
from scraper.extract.dates import complete_partial, find_date, find_full_date
from scraper.extract.metadata import _short_text, find_stated_date
from scraper.extract.text import clean_text
from scraper.mirror import load_articles
from scraper.mirror.server import RENDERERS


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


def _plain_short_text(element, limit: int) -> str | None:
    """What ``_short_text`` stands for, read the slow way: the whole text, cleaned, then measured."""
    text = clean_text("".join(element.itertext()))
    return text if text and len(text) <= limit else None


def _mirror_article_pages() -> list[str]:
    pages = []
    for site, renderer_class in RENDERERS.items():
        renderer = renderer_class()
        for article in load_articles(site)[:12]:
            parts = urlsplit(article["path"])
            status, html = renderer.route(unquote(parts.path), parts.query)
            assert status == 200, article["path"]
            pages.append(html)
    return pages


EDGE_PAGES = [
    "<div>Cập<!-- 15/07/2024 -->nhật<?pi 1?>: <b>15/07/2024</b> 09:41</div>",  # no comment's text is read
    "<p>" + "&nbsp; " * 80 + "(12/7/2019)" + "\n" * 90 + "</p>",  # one piece, white space around a date
    "<p>" + "Đảng bộ " * 150 + "</p>",  # one long piece of prose
    # NFD "Đảng" (D + stroke is not decomposed; a + breve-like marks are), its marks across the 120th character
    "<p>" + unicodedata.normalize("NFD", "Đảng ủy ") * 20 + "</p>",
    "<td>" + "<span> </span>" * 70 + "<i>(12/7/2019)</i></td>",  # many white-space pieces, then the date
    "<td>Tin cùng loại<ul>" + "<li><a href='/a'>Hội nghị</a> (12/7/2019)</li>" * 8 + "</ul></td>",
    # large subtrees with little text: read by lxml's itertext() past the walk's budget
    "<div>" * 30 + "<i></i> " * 200 + "(12/7/2019)" + "</div>" * 30,
    "<div>" * 30 + "<i></i>" * 200 + "Cập nhật: 15/07/2024 09:41 " + "<b>Đảng bộ</b>" * 10 + "</div>" * 30,
]


def test_short_text_reads_what_the_whole_text_would_give():
    """The date line scan's shortcut (pieces read in Python, long texts settled by a prefix, large subtrees
    left to itertext()) gives the text, or None, that cleaning an element's whole text gives: on the mirrors'
    article pages and edge cases. (Not on every conceivable text: a mark that NFC composes with a letter of
    another text node, right at the limit, can make a prefix clean longer than the whole; no date line has one.)"""
    compared = 0
    for page in [*_mirror_article_pages(), *EDGE_PAGES]:
        for element in parse(page).iter():
            if isinstance(element.tag, str):
                assert _short_text(element, 60) == _plain_short_text(element, 60)  # the date line's limit
                compared += 1
    assert compared > 5000


def test_short_text_reads_an_entity_node_as_itertext_does():
    """lxml.html's parser makes no entity nodes, but a tree built by hand can hold one: its text is read."""
    from lxml import etree

    element = parse("<div>Ngày <b>12/7/2019</b></div>").find(".//div")
    entity = etree.Entity("nbsp")
    entity.tail = "(CN)"
    element.append(entity)
    assert _short_text(element, 60) == _plain_short_text(element, 60) == "Ngày 12/7/2019&nbsp;(CN)"
