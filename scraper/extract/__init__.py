"""Article extraction: HTML of one page → clean NFC fields.

    from scraper.extract import extract_article
    fields = extract_article(html_bytes, "https://bvdkbaclieu.vn/...", profile)

The stages, one module each: ``encoding`` (bytes → text), ``legacy`` (TCVN3/VNI text → Unicode), ``clean``
(tree, template removal), ``locate`` (where the content is, when no profile says), ``body`` (paragraphs,
captions, author), ``metadata`` (title, date, canonical URL), ``dates`` and ``text`` (Vietnamese dates, NFC and
white space). ``boilerplate`` knows template wording page by page; ``sitelearn`` learns what a site repeats.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .body import read_body
from .clean import parse, remove_link_lists, remove_selectors, remove_template_containers, select, strip_scripts
from .dates import date_in_url, parse_iso
from .encoding import decode_html
from .legacy import repair_legacy_text
from .locate import locate_content
from .metadata import find_canonical, find_lead_date, find_stated_date, find_title, first_text, template_text
from .sitelearn import SiteTemplate, template_for_profile
from .text import join_paragraphs

if TYPE_CHECKING:
    from scraper.profiles import Profile

__all__ = ["extract_article"]


def extract_article(
    html: str | bytes,
    url: str,
    profile: Profile | None = None,
    *,
    listed: str | None = None,
    header_charset: str | None = None,
    template: SiteTemplate | None = None,
) -> dict[str, Any]:
    """Extract one article page.

    Returns a dict with ``title``, ``body`` (paragraphs separated by a blank line), ``published`` (ISO 8601 or
    None), ``author``, ``images`` (``src``, ``caption``, ``after_paragraph``), plus ``paragraphs``,
    ``canonical_url`` and ``date_partial`` (True when the year was completed from context). ``listed`` is
    the date a listing page showed for this article: context for dates written without a year.
    With ``profile=None`` this is the generic single-page path. ``template`` is what repeats across the site's
    pages (see ``sitelearn``); by default it is read from beside the profile file, when there is one.
    """
    if template is None:
        template = template_for_profile(profile.path if profile else None)
    text = decode_html(html, header_charset)
    root = parse(text)
    repair_legacy_text(root)
    strip_scripts(root)
    rules = profile.article if profile else None
    title = find_title(root, rules.title if rules else None, avoid=template.not_titles, use_page_title=False)
    stated = find_stated_date(root, rules.date if rules else None)
    hint = listed or date_in_url(url)
    # The template's dates (related lists...) are context only for a lead date with no other clue to its year;
    # read them, before the template goes, only then: on most pages the page or its listing dates the article.
    context_text = template_text(root) if stated is None and parse_iso(hint) is None else ""

    matches = select(root, rules.body) if rules and rules.body else []
    content = matches[0] if matches else None
    if rules:
        remove_selectors(root, rules.remove)
    remove_template_containers(root, keep=content)
    if content is None:
        content = locate_content(root)
    if title is None:
        title = find_title(root, None, template.not_titles, content)
    remove_link_lists(content)
    body = read_body(content, url, title, template.lines)

    author = first_text(root, rules.author) if rules and rules.author else None
    published = stated or find_lead_date(body.paragraphs, context_text, hint)
    hosts = {profile.host} if profile else set()
    return {
        "title": title or None,
        "body": join_paragraphs(body.paragraphs),
        "published": published.iso() if published else None,
        "author": author or body.author,
        "images": body.images,
        "paragraphs": body.paragraphs,
        "canonical_url": find_canonical(root, url, hosts),
        "date_partial": bool(published and published.partial),
    }
