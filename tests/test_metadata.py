"""datasette_metadata.json explains every table and column of the archive, in Vietnamese and English."""

import json

import pytest

from archive.serve import METADATA_FILE, metadata_for
from archive.store import Archive

HIDDEN_PREFIXES = ("articles_fts", "_sqlite_migrations")


@pytest.fixture(scope="module")
def schema(tmp_path_factory) -> dict[str, list[str]]:
    """Every table and its columns in an archive with every migration applied."""
    with Archive(tmp_path_factory.mktemp("meta") / "archive.db") as archive:
        tables = [*archive.db.tables, *archive.db.views]
        return {t.name: [c.name for c in t.columns] for t in tables if not t.name.startswith(HIDDEN_PREFIXES)}


@pytest.fixture(scope="module")
def tables() -> dict:
    return json.loads(METADATA_FILE.read_text(encoding="utf-8"))["databases"]["archive"]["tables"]


def test_views_are_there(schema):
    assert {"monthly_articles", "party_roles_held", "documents_per_hospital", "membership_history"} <= set(schema)


def test_every_table_is_described_in_both_languages(schema, tables):
    for table in schema:
        assert " / " in tables[table]["description"], table


def test_every_column_is_described_in_both_languages(schema, tables):
    for table, columns in schema.items():
        described = tables[table].get("columns", {})
        for column in columns:
            if column == "id" and table != "articles":
                continue  # a row's own id needs no words
            assert column in described, f"{table}.{column}"
            assert " / " in described[column] or described[column].count(",") >= 2, f"{table}.{column}"


def test_facets_researchers_asked_for(tables):
    assert {"site", "category", "year", "event_type"} <= set(tables["articles"]["facets"])


def test_ranked_search_sql_comes_from_the_search_module(tmp_path):
    from archive.search import RANKED_SQL

    queries = metadata_for(tmp_path / "hospital.db")["databases"]["hospital"]["queries"]
    assert queries["search"]["sql"] == RANKED_SQL
    assert {"articles_per_month", "party_roles", "documents_by_hospital", "membership_over_time"} <= set(queries)
