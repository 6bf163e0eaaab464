"""Schemathesis, every check, against the app: no server error, and every status, content type and
body the API returns is the one its OpenAPI document declares. Bounded and derandomized: a flaky
test is a failing test."""

from __future__ import annotations

import warnings

import pytest

warnings.filterwarnings("ignore", message=".*httpx.*")
schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402

from conftest_browser import build_store  # noqa: E402
from newsledger.api.app import create_app  # noqa: E402

TOKEN = "schema-token"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return create_app(build_store(tmp_path_factory.mktemp("schema") / "news.db"), token=TOKEN, allowed_hosts=["*"])


def test_api_keeps_its_openapi_contract(app):
    # Each operation is driven by its own bounded Hypothesis run (schemathesis's pytest plugin
    # does not load under this pytest); failures are collected so one run reports them all.
    # Positive data may also be refused with a documented 400 (and its message): the query language,
    # calendar dates and id prefixes are checked past what JSON Schema can say.
    config = schemathesis.config.SchemathesisConfig.from_dict({"checks": {
        "positive_data_acceptance": {"expected-statuses": ["2xx", "400", "401", "404"]}}})
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=config)
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=15, derandomize=True, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case):
            # Ingest is exercised up to its door (401 without the token): past it, generated bodies
            # would fetch URLs and load the analyzer, which is what test_api's ingest tests do.
            writes = case.operation.method.upper() != "GET"
            case.call_and_validate(headers={} if writes else {"Authorization": f"Bearer {TOKEN}"})

        try:
            check()
        except BaseException as e:  # noqa: BLE001  (hypothesis raises groups; reported below, with the operation)
            if isinstance(e, KeyboardInterrupt):
                raise
            failures.append(f"{operation.label}: {str(e)[:1500]}")
    assert not failures, "\n\n".join(failures)
