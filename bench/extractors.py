"""The extractors compared: ours (generic single page, and with site-level template learning) and trafilatura."""

from __future__ import annotations

from collections.abc import Callable

from scraper.extract import extract_article
from scraper.extract.sitelearn import SiteTemplate, learn_template

from .gold import GoldPage

Extractor = Callable[[GoldPage], dict]


def ours_generic(page: GoldPage) -> dict:
    return extract_article(page.html, page.url)


def ours_learned(templates: dict[str, SiteTemplate], *, with_listing: bool = False) -> Extractor:
    """Ours with the site's learned template; ``with_listing`` adds the listing date, as in a crawl."""

    def run(page: GoldPage) -> dict:
        listed = page.listed if with_listing else None
        return extract_article(page.html, page.url, template=templates.get(page.site), listed=listed)

    return run


def learn_templates(pages: list[GoldPage], sample: int) -> dict[str, SiteTemplate]:
    """What ``sites add`` learns: a site's template from its first ``sample`` article pages."""
    by_site: dict[str, list[GoldPage]] = {}
    for page in pages:
        by_site.setdefault(page.site, []).append(page)
    return {
        site: learn_template([(p.html, p.url) for p in site_pages[:sample]]) for site, site_pages in by_site.items()
    }


def trafilatura_extractor() -> Extractor | None:
    """trafilatura's ``bare_extraction`` with metadata, given the page bytes and exact URL (None if not installed)."""
    try:
        import trafilatura
    except ImportError:
        return None

    def run(page: GoldPage) -> dict:
        doc = trafilatura.bare_extraction(page.html, url=page.url, with_metadata=True, as_dict=True) or {}
        return {
            "title": doc.get("title"),
            "published": doc.get("date"),
            "author": doc.get("author"),
            "body": "\n\n".join((doc.get("text") or "").split("\n")),
        }

    return run
