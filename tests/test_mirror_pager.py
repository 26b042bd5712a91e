"""A large mirror's long listings show a windowed pager, as real CMSes do, and the crawl still walks them all.

Without the window every listing page of a 50,000-article mirror linked all 5,000 others (quadratic link
extraction); the bundled mirrors (at most 6 pages a listing) keep a pager with every number.
"""

import re
import urllib.request

from bench.crawl import scaled_articles
from scraper.mirror import MirrorServer
from scraper.mirror.sites import SITES

from .conftest import crawl_mirrors, rows

PAGER = re.compile(r'<div class="phantrang">(.*?)</div>', re.DOTALL)


def pager_links(url: str) -> list[str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        page = response.read().decode("utf-8")
    return re.findall(r">([^<]+)</a>", PAGER.search(page)[1])


def test_a_long_listing_shows_a_window_and_the_crawl_reaches_every_article(tmp_path):
    with MirrorServer("omon", articles=scaled_articles(400)) as server:
        pages = server.renderer.page_count("party")
        assert pages > 20
        middle = pager_links(f"{server.url}/Tin-tuc.aspx?CatID=5&Page=15")
        assert middle == ["« Đầu", "‹ Trước", *map(str, range(10, 15)), *map(str, range(16, 21)), "Sau ›", "Cuối »"]
        assert pager_links(f"{server.url}/Tin-tuc.aspx?CatID=5&Page={pages}")[-1] == str(pages - 1)

        db = tmp_path / "archive.db"
        result = crawl_mirrors(db, {"omon": server})
        assert result.returncode == 0, result.stderr
        archived = {r["url"] for r in rows(db, "SELECT url FROM articles")}
        real_site = SITES["omon"]["base_url"]  # scaled articles have new paths; their "url" is the source's
        assert archived == {real_site + article["path"] for article in server.articles}
        assert len(archived) == 400


def test_a_short_listing_still_numbers_every_page(mirrors):
    assert pager_links(f"{mirrors['omon'].url}/Tin-tuc.aspx?CatID=5&Page=2") == ["1", "3", "4"]
