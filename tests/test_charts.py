"""Charts (archive/charts.py): SVG drawn on the server, time to scale, every label escaped."""

import re

from archive.charts import line_chart, with_empty_months


def test_silent_months_count_as_zero():
    filled = with_empty_months({"Bạc Liêu": [("2023-11", 2), ("2024-02", 1)], "Ô Môn": [("2024-01", 3)]})
    assert filled["Bạc Liêu"] == [("2023-11", 2), ("2023-12", 0), ("2024-01", 0), ("2024-02", 1)]
    assert filled["Ô Môn"] == [("2023-11", 0), ("2023-12", 0), ("2024-01", 3), ("2024-02", 0)]


def test_time_is_to_scale_on_the_x_axis():
    svg = line_chart("Đảng viên", {"Ô Môn": [("2020-01-01", 150), ("2020-01-11", 160), ("2021-01-01", 170)]}, "n")
    xs = [float(x) for x in re.findall(r'<circle cx="([\d.]+)"', svg)]
    assert xs[1] - xs[0] < (xs[2] - xs[1]) / 10  # ten days apart, then a year


def test_labels_from_crawled_pages_are_escaped():
    svg = line_chart("<b>t</b>", {'Bệnh viện <script>alert("x")</script>': [("2024-01", 1)]}, "n")
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_no_data_is_said_not_drawn():
    assert "no data yet" in line_chart("Số bài", {}, "n")
