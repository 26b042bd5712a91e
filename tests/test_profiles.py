"""Site profiles load, and a broken one is reported with its file and line."""

from pathlib import Path

import pytest

from scraper.profiles import ProfileError, load_profile, load_profiles

GOOD = """
[site]
name = "test"
hospital = "Bệnh viện Đa khoa Thử"
base_url = "https://bv.example.vn"

[[categories]]
name = "Hoạt động Đảng"
url = "/hoat-dong-dang"
party = true

[listing]
article_url = '/tin/\\d+'
"""


def write(folder: Path, text: str, name: str = "test.toml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_bundled_profiles_load():
    profiles = load_profiles()
    assert {"baclieu", "omon"} <= set(profiles)
    assert profiles["baclieu"].party_categories[0].name == "Hoạt động công tác Đảng"
    assert profiles["omon"].is_article_url("https://bvdkomon.cantho.gov.vn/Chi-tiet-tin.aspx?ID=12&CatID=5")
    assert not profiles["omon"].is_article_url("https://bvdkomon.cantho.gov.vn/Tin-tuc.aspx?CatID=5&Page=2")


def test_minimal_profile(tmp_path):
    write(tmp_path, GOOD)
    profile = load_profile("test", tmp_path)
    assert profile.hospital == "Bệnh viện Đa khoa Thử"
    assert profile.absolute("/hoat-dong-dang") == "https://bv.example.vn/hoat-dong-dang"
    assert profile.absolute("/hoat-dong-dang", "http://127.0.0.1:9000") == "http://127.0.0.1:9000/hoat-dong-dang"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda t: t.replace('base_url = "https://bv.example.vn"', 'base_url = "bv.example.vn"'),
            r"test\.toml:5: base_url must be an http\(s\) URL",
        ),
        (
            lambda t: t.replace('hospital = "Bệnh viện Đa khoa Thử"\n', ""),
            r"test\.toml \[site\]: missing key 'hospital'",
        ),
        (lambda t: t.replace("party = true", "party = tru"), r"test\.toml:10: invalid TOML: Invalid value"),
        (
            lambda t: t.replace("article_url = '/tin/\\d+'", "article_url = '/tin/(\\d+'"),
            r"test\.toml:13: article_url is not a valid regex",
        ),
        (lambda t: t + '\n[article]\ntitle = "h1[[["\n', r"test\.toml:16: title is not a valid CSS selector"),
    ],
)
def test_broken_profile_names_file_and_line(tmp_path, change, message):
    write(tmp_path, change(GOOD))
    with pytest.raises(ProfileError, match=message):
        load_profile("test", tmp_path)


def test_unknown_site_lists_the_known_ones(tmp_path):
    write(tmp_path, GOOD)
    with pytest.raises(ProfileError, match=r"unknown site 'nope' \(known: test\)"):
        load_profile("nope", tmp_path)
