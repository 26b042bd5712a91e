"""A real Chromium (Debian's package, driven by chromedriver) uses the archive as a researcher would.

It loads the articles table, types "dang uy" into the search box, narrows by a site facet, opens an article,
downloads the CSV and looks at the charts. Screenshots go to artifacts/screenshots/ (kept out of git).
.ci/run installs chromium and chromium-driver; elsewhere the test is skipped when they are missing.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import time
from pathlib import Path

import pytest

from scraper.extract.text import fold

from .conftest import ROOT

SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHROMEDRIVER = shutil.which("chromedriver")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

if not (CHROMEDRIVER and CHROMIUM) and not os.environ.get("CI"):
    pytest.skip(
        "chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)",
        allow_module_level=True,
    )

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as ec  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    downloads = tmp_path_factory.mktemp("downloads")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1600"):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads)})
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=CHROMEDRIVER))
    driver.downloads = downloads
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()


def shot(browser, name: str) -> None:
    browser.save_screenshot(str(SCREENSHOTS / f"{name}.png"))


def wait_for(browser, condition, seconds: float = 20):
    return WebDriverWait(browser, seconds).until(condition)


def result_titles(browser) -> list[str]:
    return [cell.text for cell in browser.find_elements(By.CSS_SELECTOR, "table.rows-and-columns td.col-title")]


def test_a_researcher_searches_facets_reads_and_downloads(browser, datasette_url):
    browser.get(f"{datasette_url}/archive/articles")
    shot(browser, "01-articles")
    everything = browser.find_element(By.CSS_SELECTOR, "h3").text  # "78 rows"

    box = browser.find_element(By.NAME, "_search")
    box.send_keys("dang uy")
    box.submit()
    wait_for(browser, ec.url_contains("_search=dang+uy"))
    titles = result_titles(browser)
    assert titles and browser.find_element(By.CSS_SELECTOR, "h3").text != everything
    page = fold(browser.find_element(By.CSS_SELECTOR, "table.rows-and-columns").text)
    assert page.count("dang uy") >= len(titles)
    shot(browser, "02-search-dang-uy")

    # The site facet shows hospital names (the sites table's label column).
    facet = browser.find_element(By.XPATH, "//div[@id='facet-site']//a[contains(., 'Ô Môn')]")
    facet.click()
    wait_for(browser, ec.url_contains("site=omon"))
    sites = [cell.text for cell in browser.find_elements(By.CSS_SELECTOR, "td.col-site")]
    assert sites and all("omon" in s or "Ô Môn" in s for s in sites)
    assert len(sites) < len(titles)
    shot(browser, "03-facet-omon")

    browser.find_element(By.CSS_SELECTOR, "td.col-id a").click()
    wait_for(browser, ec.presence_of_element_located((By.CSS_SELECTOR, "td.col-body p")))
    paragraphs = browser.find_elements(By.CSS_SELECTOR, "td.col-body p")
    assert len(paragraphs) >= 2 and all(p.text.strip() for p in paragraphs)
    assert not browser.find_elements(By.CSS_SELECTOR, "td.col-body script")
    shot(browser, "04-article")

    # The archived copy: the page as crawled, under a banner saying so.
    title = browser.find_element(By.CSS_SELECTOR, "td.col-title").text
    browser.find_element(By.CSS_SELECTOR, "td.col-url a.archived-copy").click()
    banner = wait_for(browser, ec.visibility_of_element_located((By.ID, "hospital-news-archived-banner")))
    assert "Bản lưu trữ / Archived copy" in banner.text and "UTC" in banner.text
    assert title in browser.find_element(By.TAG_NAME, "body").text
    shot(browser, "04b-archived-copy")

    # Datasette's advanced export: download the file, every row streamed.
    browser.get(f"{datasette_url}/archive/articles?_search=dang+uy&_size=10")
    total = int(browser.find_element(By.CSS_SELECTOR, "h3").text.split()[0])
    form = browser.find_element(By.CSS_SELECTOR, "#export form")
    for name in ("_dl", "_stream"):
        form.find_element(By.NAME, name).click()
    form.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    csv_file = wait_for_download(browser.downloads)
    rows = list(csv.DictReader(io.StringIO(csv_file.read_text(encoding="utf-8"))))
    assert len(rows) == total > 10  # every hit, not the 10 on screen
    assert all("dang uy" in fold(r["title"] + " " + r["body"]) for r in rows)
    assert any("Đảng ủy" in r["body"] for r in rows)


def wait_for_download(folder: Path, seconds: float = 20) -> Path:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        done = [p for p in folder.glob("*.csv") if p.stat().st_size]
        if done and not list(folder.glob("*.crdownload")):
            return done[0]
        time.sleep(0.2)
    raise AssertionError(f"no CSV downloaded into {folder}")


def test_charts_are_visible(browser, datasette_url):
    browser.get(f"{datasette_url}/-/charts")
    charts = browser.find_elements(By.CSS_SELECTOR, "svg.hn-chart")
    assert len(charts) == 2 and all(c.size["width"] > 300 and c.size["height"] > 80 for c in charts)
    shot(browser, "05-charts")
