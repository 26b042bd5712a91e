"""The gold set: every article page of every offline mirror, fetched over HTTP, with what it must give back.

The expected fields come from the content files the mirrors render (``scraper/mirror/data``), so the gold
set grows with the mirrors and needs no hand labelling.
"""

from __future__ import annotations

import urllib.request
from dataclasses import dataclass, field

from scraper.mirror import SITES, load_articles, serve_mirrors


@dataclass
class GoldPage:
    site: str
    url: str  # where it was fetched (the mirror)
    html: bytes
    title: str
    published: str | None
    author: str | None
    paragraphs: list[str]
    listed: str  # the date the listing shows beside the article: what a crawl knows, a single page does not
    captions: list[str] = field(default_factory=list)

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)


def template_strings(site: str) -> list[str]:
    """Strings of a site's template (footer lines, widget titles...) that a clean body never holds."""
    footer = SITES[site]["footer"]
    return [footer["address"], footer["phone"], footer["email"], footer["design"]]


def fetch_gold(sites: list[str] | None = None) -> tuple[list[GoldPage], dict]:
    """Serve the mirrors, fetch every article page; returns the pages and the (still running) servers."""
    servers = serve_mirrors(sites or list(SITES))
    pages = []
    for site, server in servers.items():
        for article in load_articles(site):
            url = server.url + article["path"]
            with urllib.request.urlopen(url, timeout=10) as response:
                html = response.read()
            pages.append(
                GoldPage(
                    site=site,
                    url=url,
                    html=html,
                    title=article["title"],
                    published=article["published"],
                    author=article["author"],
                    paragraphs=article["paragraphs"],
                    listed=article["listed"],
                    captions=[image["caption"] for image in article["images"] if image["caption"]],
                )
            )
    return pages, servers
