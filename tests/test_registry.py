"""`hospital-news sites show | validate | disable | enable` and profile schedules."""

import shutil

import pytest

from scraper.profiles import ProfileError, default_schedule, load_profile
from scraper.registry import set_enabled

from .conftest import ROOT, run_cli
from .test_cli_errors import assert_one_line_error


@pytest.fixture
def sites(tmp_path):
    folder = tmp_path / "sites"
    shutil.copytree(ROOT / "scraper" / "sites", folder)
    return folder


def test_show_prints_the_profile_in_vietnamese(sites):
    result = run_cli("sites", "show", "omon", "--sites-dir", str(sites))
    assert result.returncode == 0, result.stderr
    assert "Bệnh viện Đa khoa Quận Ô Môn" in result.stdout
    assert f"{default_schedule('omon')} (default" in result.stdout
    assert "Hoạt động công tác Đảng /Tin-tuc.aspx?CatID=5 (party)" in result.stdout


def test_show_unknown_site(sites):
    assert_one_line_error(run_cli("sites", "show", "khong-co", "--sites-dir", str(sites)), "unknown site 'khong-co'")


def test_disable_then_enable_edits_only_the_enabled_line(sites):
    path = sites / "baclieu.toml"
    before = path.read_text(encoding="utf-8")
    result = run_cli("sites", "disable", "baclieu", "--sites-dir", str(sites))
    assert result.returncode == 0 and "baclieu: disabled" in result.stdout
    after = path.read_text(encoding="utf-8")
    assert after == before.replace("enabled = true", "enabled = false")
    assert "# ASSUMED (not checked from here" in after  # comments kept
    listed = run_cli("sites", "list", "--sites-dir", str(sites)).stdout
    assert "baclieu\tdisabled" in listed
    assert run_cli("sites", "enable", "baclieu", "--sites-dir", str(sites)).returncode == 0
    assert path.read_text(encoding="utf-8") == before


def test_disable_adds_the_line_when_absent_and_keeps_trailing_comment(sites):
    path = sites / "omon.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("enabled = true\n", ""), encoding="utf-8")
    set_enabled("omon", False, sites)
    assert load_profile("omon", sites).enabled is False
    text = path.read_text(encoding="utf-8")
    text = text.replace("enabled = false", "enabled = false  # tạm dừng: trang đang bảo trì")
    path.write_text(text, encoding="utf-8")
    set_enabled("omon", True, sites)
    assert "enabled = true  # tạm dừng: trang đang bảo trì" in path.read_text(encoding="utf-8")


def test_disabled_site_is_not_crawled_by_default(sites, tmp_path):
    set_enabled("baclieu", False, sites)
    set_enabled("omon", False, sites)
    result = run_cli("crawl", "--sites-dir", str(sites), "--db", str(tmp_path / "a.db"))
    assert_one_line_error(result, "no enabled site profiles")


def test_validate_lists_every_broken_file_with_its_line(sites):
    (sites / "hong.toml").write_text(
        (sites / "omon.toml").read_text(encoding="utf-8").replace('name = "omon"', 'name = "hong"')
        .replace("enabled = true", 'enabled = true\nschedule = "giờ 2 hằng đêm"'),
        encoding="utf-8",
    )  # fmt: skip
    (sites / "vo.toml").write_text("[site\nname = 'vo'\n", encoding="utf-8")
    result = run_cli("sites", "validate", "--sites-dir", str(sites))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "ok   " in result.stdout and "omon" in result.stdout
    assert "hong.toml:12: schedule is not a valid cron expression: 'giờ 2 hằng đêm'" in result.stdout
    assert "vo.toml:1: invalid TOML" in result.stdout
    assert "Error: 2 of 4 profiles have problems" in result.stderr


def test_validate_all_good(sites):
    result = run_cli("sites", "validate", "--sites-dir", str(sites))
    assert result.returncode == 0 and result.stdout.count("ok   ") == 2


def test_profile_schedule_and_spread_default(sites):
    path = sites / "omon.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("enabled = true", 'enabled = true\nschedule = "30 2 * * 1"')
    )
    assert load_profile("omon", sites).cron == "30 2 * * 1"
    assert load_profile("baclieu", sites).cron == default_schedule("baclieu")
    assert default_schedule("baclieu") == default_schedule("baclieu")  # stable: no salted hash()
    spread = {default_schedule(name) for name in ("baclieu", "omon", "camau", "soctrang", "vinhlong", "travinh")}
    assert len(spread) >= 5  # sites do not all start at once
    for cron in spread:
        minute, hour, *rest = cron.split()
        assert 1 <= int(hour) <= 5 and 0 <= int(minute) < 60 and rest == ["*", "*", "*"]


def test_bad_schedule_raises_with_file_and_line(sites):
    path = sites / "omon.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("enabled = true", 'enabled = true\nschedule = "61 * * * *"')
    )
    with pytest.raises(ProfileError, match=r"omon.toml:12: schedule is not a valid cron"):
        load_profile("omon", sites)


def test_help_for_every_new_command():
    for command in (
        ["sites", "show"], ["sites", "validate"], ["sites", "disable"], ["sites", "enable"],
        ["status"], ["scheduler"], ["schedule", "install"],
    ):  # fmt: skip
        result = run_cli(*command, "--help")
        assert result.returncode == 0 and "Example:" in result.stdout, command
