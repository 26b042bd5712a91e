"""Extraction, field by field, on every page of both mirrors against the articles they were rendered from.

With the site profile every field must be exact. The generic path (no profile, no listing context) is held
to floors: it is the fallback for a single page, and partial dates ("Chiều 22/5") can't always get a year.
"""

import unicodedata
import urllib.request

import pytest

from scraper.extract import extract_article
from scraper.extract.boilerplate import FORBIDDEN_IN_BODY
from scraper.profiles import load_profile

FIELDS = ("title", "published", "author", "body", "captions")


def expected(article: dict) -> dict:
    return {
        "title": article["title"],
        "published": article["published"],
        "author": article["author"],
        "body": "\n\n".join(article["paragraphs"]),
        "captions": [image["caption"] for image in article["images"]],
    }


def extracted(fields: dict) -> dict:
    return {**{k: fields[k] for k in FIELDS if k != "captions"}, "captions": [i["caption"] for i in fields["images"]]}


@pytest.fixture(scope="module")
def pages(mirrors, gold):
    """(site, article, html bytes) for every article page, fetched over HTTP from the mirrors."""
    result = []
    for site, articles in gold.items():
        for article in articles:
            with urllib.request.urlopen(mirrors[site].url + article["path"], timeout=10) as response:
                result.append((site, article, response.read()))
    return result


def test_profile_path_is_exact_on_every_field(pages, mirrors):
    mismatches = []
    for site, article, html in pages:
        fields = extract_article(
            html, mirrors[site].url + article["path"], load_profile(site), listed=article["listed"]
        )
        got, want = extracted(fields), expected(article)
        mismatches += [(site, article["id"], k, got[k], want[k]) for k in FIELDS if got[k] != want[k]]
    assert mismatches == []


def test_generic_path_floors(pages, mirrors):
    correct = dict.fromkeys(FIELDS, 0)
    for site, article, html in pages:
        got, want = extracted(extract_article(html, mirrors[site].url + article["path"])), expected(article)
        for key in FIELDS:
            correct[key] += got[key] == want[key]
        for needle in FORBIDDEN_IN_BODY:
            assert needle not in got["body"], (site, article["id"], needle)
    share = {k: v / len(pages) for k, v in correct.items()}
    assert share["title"] == 1.0 and share["body"] >= 0.95 and share["author"] >= 0.9, share
    assert share["published"] >= 0.75, share


def test_every_extracted_text_is_nfc(pages, mirrors):
    for site, article, html in pages:
        fields = extract_article(html, mirrors[site].url + article["path"], load_profile(site))
        for key in ("title", "body", "author"):
            assert fields[key] is None or unicodedata.is_normalized("NFC", fields[key])


def test_canonical_url_maps_to_the_real_site(pages, mirrors):
    site, article, html = next(p for p in pages if p[0] == "baclieu")
    fields = extract_article(html, mirrors[site].url + article["path"], load_profile(site))
    assert fields["canonical_url"] == article["url"]
