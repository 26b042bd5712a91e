"""Site-level template learning on synthetic pages: what every page repeats is the site's, not the article's."""

from scraper.extract import extract_article
from scraper.extract.sitelearn import SiteTemplate, learn_template, sidecar_path, template_for_profile

TITLES = [
    "Chi bộ Khoa Nội kết nạp đảng viên mới năm 2024",
    "Hội nghị sơ kết công tác Đảng 6 tháng đầu năm",
    "Đảng bộ Bệnh viện trao Huy hiệu 30 năm tuổi Đảng",
    "Học tập, quán triệt Nghị quyết số 57-NQ/TW",
]


def page(i: int) -> tuple[bytes, str]:
    title = TITLES[i]
    text = " ".join(f"Câu thứ {n} của bài {i}, nói về công tác xây dựng Đảng trong bệnh viện." for n in range(6))
    html = (
        "<html><head><title>Cổng thông tin</title></head><body>"
        "<h1>BỆNH VIỆN ĐA KHOA HUYỆN THỬ NGHIỆM</h1>"
        f"<table><tr><td><b>{title}</b></td></tr><tr><td class='nd'>"
        f"<p>{text}</p><p>{text} Đoạn hai.</p><p align='right'><b>Văn phòng Đảng ủy</b></p>"
        "<p>Mọi thắc mắc xin gọi tổng đài 1900 1234 (miễn phí).</p>"
        "</td></tr></table></body></html>"
    )
    return html.encode("utf-8"), f"http://bv.example/tin/{i}.html"


def test_site_name_in_h1_and_closing_note_are_learned_and_dropped():
    pages = [page(i) for i in range(4)]
    single = extract_article(*pages[0])
    assert single["title"] == "BỆNH VIỆN ĐA KHOA HUYỆN THỬ NGHIỆM"  # alone, a page cannot tell
    template = learn_template(pages)
    assert template.not_titles == {"BỆNH VIỆN ĐA KHOA HUYỆN THỬ NGHIỆM"}
    assert template.lines == {"Mọi thắc mắc xin gọi tổng đài 1900 1234 (miễn phí)."}
    for i, (html, url) in enumerate(pages):
        fields = extract_article(html, url, template=template)
        assert fields["title"] == TITLES[i]
        assert fields["author"] == "Văn phòng Đảng ủy" and "tổng đài" not in fields["body"]


def test_too_few_pages_teach_nothing():
    assert not learn_template([page(0), page(1)])


def test_sidecar_round_trip_and_hand_edits(tmp_path):
    template = SiteTemplate(frozenset({"Đường dây nóng: 1900 1234"}), frozenset({"BỆNH VIỆN X"}))
    profile = tmp_path / "thu.toml"
    sidecar_path(profile).write_text(template.to_text() + "line: Bài viết mới\n", encoding="utf-8")
    loaded = template_for_profile(profile)
    assert loaded.lines == {"Đường dây nóng: 1900 1234", "Bài viết mới"} and loaded.not_titles == {"BỆNH VIỆN X"}
    assert not template_for_profile(tmp_path / "none.toml")
