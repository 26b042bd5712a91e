"""Bytes in every encoding hospital pages arrive in come out as the same NFC text."""

import unicodedata

from scraper.extract import extract_article
from scraper.extract.encoding import decode_html

TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


def cp1258(text: str) -> bytes:
    """Encode as Windows does: precomposed base letters (ô, ư, ă...) followed by a combining tone mark."""
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            decomposed = unicodedata.normalize("NFD", char)
            tones = "".join(m for m in decomposed[1:] if m in TONE_MARKS)
            base = unicodedata.normalize("NFC", "".join(m for m in decomposed if m not in TONE_MARKS))
            out += (base + tones).encode("cp1258")
    return bytes(out)


TEXT = "Đảng bộ Bệnh viện Đa khoa tổ chức Hội nghị sơ kết công tác Đảng 6 tháng đầu năm"


def page(charset: str, body: str = TEXT) -> str:
    return (
        f'<html><head><meta charset="{charset}"><title>Tin</title></head><body>'
        f'<h1>Hội nghị sơ kết công tác Đảng</h1><div class="content"><p>{body}.</p><p>{body} lần hai.</p></div>'
        "</body></html>"
    )


def test_windows_1258_page_decodes_to_nfc():
    raw = cp1258(page("windows-1258"))
    text = decode_html(raw)
    assert TEXT in text
    assert unicodedata.is_normalized("NFC", text)


def test_utf8_page_declared_as_windows_1258_stays_right():
    # Strict UTF-8 first: a mislabelled UTF-8 page must not turn into "Ä\x90áº£ng".
    raw = page("windows-1258").encode("utf-8")
    assert TEXT in decode_html(raw, header_charset="cp1258")


def test_undeclared_cp1258_is_sniffed():
    raw = cp1258(page("x").replace('<meta charset="x">', ""))
    assert TEXT in decode_html(raw)


def test_byte_order_mark_is_dropped():
    assert decode_html("\ufeff<html></html>".encode()).startswith("<html>")


def test_nfd_page_is_extracted_as_nfc():
    html = unicodedata.normalize("NFD", page("utf-8")).encode("utf-8")
    fields = extract_article(html, "http://127.0.0.1/tin/1")
    assert fields["title"] == "Hội nghị sơ kết công tác Đảng"
    assert TEXT in fields["body"]
    assert unicodedata.is_normalized("NFC", fields["body"])


def test_cp1258_page_through_the_extractor():
    fields = extract_article(cp1258(page("windows-1258")), "http://127.0.0.1/tin/2")
    assert fields["body"].startswith(TEXT)
