"""Health rules: a crawl that archived nothing, or half-empty articles, must not pass as "ok"."""

from archive.health import RunFigures, Thresholds, assess, summary_line
from archive.notify import notify

HEALTHY_BEFORE = [{"id": 1, "started": "2026-05-01T02:00:00Z", "new": 30, "updated": 0, "unchanged": 0}]


def test_a_healthy_run_is_ok():
    verdict = assess(RunFigures("omon", pages=45, archived=39), HEALTHY_BEFORE)
    assert verdict.status == "ok" and verdict.warnings == []


def test_some_failed_requests_make_partial_not_a_warning():
    verdict = assess(RunFigures("omon", pages=45, archived=39, errors=2, http_errors=2), HEALTHY_BEFORE)
    assert verdict.status == "partial"


def test_site_that_used_to_yield_articles_and_yields_none_fails():
    verdict = assess(RunFigures("omon", pages=6, archived=0), HEALTHY_BEFORE)
    assert verdict.status == "failed"
    assert "no articles this time, 30 on 2026-05-01" in verdict.warnings[0]


def test_new_site_that_yields_nothing_fails_with_the_layout_hint():
    verdict = assess(RunFigures("hong", pages=6, archived=0), [])
    assert verdict.status == "failed" and "no article found on 6 pages" in verdict.warnings[0]


def test_redirect_to_another_domain_fails_even_if_articles_came():
    verdict = assess(RunFigures("omon", pages=10, archived=3, redirected_to="soyte.cantho.gov.vn"), HEALTHY_BEFORE)
    assert verdict.status == "failed" and "redirects to soyte.cantho.gov.vn" in verdict.warnings[0]


def test_http_errors_dominating_is_a_warning():
    verdict = assess(RunFigures("omon", pages=20, archived=5, errors=15, http_errors=15), HEALTHY_BEFORE)
    assert verdict.status == "warning" and verdict.warnings == ["HTTP errors dominate: 15 of 20 responses"]


def test_missing_bodies_titles_dates_above_threshold_warn():
    run = RunFigures("omon", pages=40, archived=30, extraction_failures=10, missing_titles=7, missing_dates=16)
    verdict = assess(run, HEALTHY_BEFORE)
    assert verdict.status == "warning"
    assert verdict.warnings == [
        "no body found on 10 of 40 article pages",
        "titles missing on 7 of 30 articles",
        "dates missing on 16 of 30 articles",
    ]


def test_missing_below_threshold_is_fine_and_threshold_is_configurable():
    run = RunFigures("omon", pages=40, archived=30, missing_dates=5)
    assert assess(run, HEALTHY_BEFORE).status == "ok"
    assert assess(run, HEALTHY_BEFORE, Thresholds(missing_share=0.1)).status == "warning"


def test_interrupted_run_stays_interrupted():
    assert assess(RunFigures("omon", pages=3, archived=0, reason="shutdown"), HEALTHY_BEFORE).status == "interrupted"


def test_summary_is_one_line_with_the_reason():
    row = {"id": 7, "site": "omon", "status": "failed", "warnings": "no articles this time", "pages": 6, "new": 0}
    line = summary_line(row)
    assert "\n" not in line and line.startswith("hospital-news: omon failed - no articles this time")


def test_webhook_receives_the_summary_as_json(webhook):
    url, received = webhook
    assert notify("hospital-news: omon failed - Đảng bộ trang trống", url=url, details={"site": "omon"})
    assert received == [{"text": "hospital-news: omon failed - Đảng bộ trang trống", "site": "omon"}]


def test_command_gets_summary_on_stdin_and_env(tmp_path):
    out = tmp_path / "n.txt"
    assert notify("omon failed", command=f'cat > {out}; echo "$HOSPITAL_NEWS_SUMMARY" >> {out}')
    assert out.read_text(encoding="utf-8") == "omon failed\nomon failed\n"


def test_failing_notification_is_reported_not_raised(free_port_url="http://127.0.0.1:9/none"):
    assert notify("x", command="exit 4") is False
    assert notify("x", url=free_port_url) is False
