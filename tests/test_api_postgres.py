"""The REST API on PostgreSQL: test_api.py's endpoint tests against a server store built from
the same fictional articles (PostgreSQL started by the tests, see pg.py)."""

from __future__ import annotations

import pytest

import test_api
from pg import postgres_server  # noqa: F401  (session fixture)
from conftest_browser import build_store

# Every endpoint test of test_api.py, collected again here with the PostgreSQL ``db`` below.
# Left out: tests that open the SQLite file itself or build their own file store.
_FILE_ONLY = {"test_huge_hit_sets_are_estimated_from_every_kth_hit", "test_store_migration_creates_the_api_indexes",
              "test_ingest_uploaded_file_without_analysis", "test_token_file_is_private_and_stable",
              "test_serve_command_prints_url_and_token_once", "test_seed_through_pipeline_and_api",
              "test_csv_cells_that_look_like_formulas_are_neutralised"}
globals().update({name: fn for name, fn in vars(test_api).items()
                  if name.startswith("test_") and name not in _FILE_ONLY})
client = test_api.client


@pytest.fixture(scope="module")
def db(postgres_server):  # noqa: F811
    return build_store(postgres_server.new_database())
