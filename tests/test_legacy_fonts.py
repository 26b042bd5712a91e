"""Vietnamese typed in legacy 8-bit fonts (TCVN3/.VnTime, VNI) inside Western-charset pages comes out as NFC Unicode."""

import unicodedata

from scraper.extract import extract_article

# TCVN3 and VNI text as such pages show it when read as Latin-1 / cp1252 (docs/vietnamese.md).
TCVN3 = "Céng hoµ x· héi chñ nghÜa ViÖt Nam. §¶ng bé BÖnh viÖn tæ chøc Héi nghÞ s¬ kÕt c«ng t¸c §¶ng n¨m 2024."
VNI = "Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam. Ñaûng boä Beänh vieän toå chöùc Hoäi nghò sô keát coâng taùc Ñaûng."


def page(body: str, charset: str, title: str = "Tin tuc") -> bytes:
    html = (
        f'<html><head><meta charset="{charset}"><title>{title}</title></head><body>'
        f"<h1>{title}</h1><div class='content'><p>{body}</p><p>{body}</p></div></body></html>"
    )
    return html.encode("cp1252" if charset == "windows-1252" else "latin-1")


def test_tcvn3_page_is_converted_including_the_soft_hyphen_letter():
    # "tr\xadêng" is "trường": TCVN3 writes "ư" as 0xAD, the soft hyphen every text cleaner deletes.
    fields = extract_article(page(TCVN3 + " C¸n bé tr\xadêng", "iso-8859-1"), "http://bv.example/tin/1.html")
    assert fields["body"].startswith("Cộng hoà xã hội chủ nghĩa Việt Nam. Đảng bộ Bệnh viện tổ chức Hội nghị sơ kết")
    assert "Cán bộ trường" in fields["body"]
    assert unicodedata.is_normalized("NFC", fields["body"])


def test_vni_page_is_converted():
    fields = extract_article(page(VNI, "windows-1252"), "http://bv.example/tin/2.html")
    assert fields["body"].startswith("Cộng hòa xã hội chủ nghĩa Việt Nam. Đảng bộ Bệnh viện tổ chức Hội nghị sơ kết")


def test_unicode_vietnamese_and_french_are_left_alone():
    text = "Bác sĩ Lê Văn Bé phát biểu tại hội nghị; the café « Vélo » remained open à côté de l'hôpital."
    html = f"<html><head><meta charset='utf-8'></head><body><div><p>{text}</p><p>{text}</p></div></body></html>"
    assert extract_article(html.encode("utf-8"), "http://bv.example/a.html")["body"].startswith(text)
