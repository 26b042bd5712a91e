"""Canonical URLs: the spellings of one article that hospital sites and share buttons produce map to one key."""

import pytest

from scraper.urls import canonical_url

ARTICLE = "https://bvdkbaclieu.vn/hoat-dong-cong-tac-dang/hoi-nghi-so-ket-cong-tac-dang-123.html"
OMON = "https://bvdkomon.cantho.gov.vn/Chi-tiet-tin.aspx?ID=5&CatID=2"


@pytest.mark.parametrize(
    "variant",
    [
        ARTICLE,
        ARTICLE + "?utm_source=zalo&utm_medium=social&utm_campaign=dai-hoi-dang",
        ARTICLE + "?fbclid=IwAR0x9Đảng",
        ARTICLE + "?zarsrc=30&gclid=abc",
        ARTICLE + "#binh-luan",
        ARTICLE + "/",
        ARTICLE.replace("https://", "http://"),
        ARTICLE.replace("bvdkbaclieu.vn", "BVDKBacLieu.VN"),
        ARTICLE.replace("bvdkbaclieu.vn", "bvdkbaclieu.vn:443"),
        ARTICLE + "?print=1",
        ARTICLE + "?view=print&utm_source=facebook",
        ARTICLE + "/print",
        ARTICLE + "/in-bai",
    ],
)
def test_spellings_of_one_article_share_a_canonical_url(variant):
    assert canonical_url(variant, scheme="https") == ARTICLE


@pytest.mark.parametrize(
    "variant",
    [OMON, OMON + "&utm_source=zalo", "http://bvdkomon.cantho.gov.vn/Chi-tiet-tin.aspx?utm_campaign=x&ID=5&CatID=2"],
)
def test_query_parameters_that_choose_the_page_are_kept_in_order(variant):
    assert canonical_url(variant, scheme="https") == OMON


def test_different_articles_stay_different():
    assert canonical_url(OMON) != canonical_url(OMON.replace("ID=5", "ID=6"))
    assert canonical_url("https://a.vn/Tin-Tuc/1") != canonical_url("https://a.vn/tin-tuc/1")  # case matters in paths


def test_the_scheme_is_kept_unless_one_is_given():
    assert canonical_url("http://127.0.0.1:8101/tin/1/?utm_source=x") == "http://127.0.0.1:8101/tin/1"
    assert canonical_url("http://a.vn/", scheme="https") == "https://a.vn/"


def test_a_real_value_of_a_print_like_parameter_is_kept():
    assert canonical_url("https://a.vn/tin?view=list&in=0") == "https://a.vn/tin?view=list&in=0"


def test_raw_query_spelling_is_kept():
    url = "https://a.vn/tim-kiem.aspx?q=%C4%90%E1%BA%A3ng+%E1%BB%A7y&utm_term=x"
    assert canonical_url(url) == "https://a.vn/tim-kiem.aspx?q=%C4%90%E1%BA%A3ng+%E1%BB%A7y"
