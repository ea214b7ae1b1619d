"""Schemathesis over /openapi.json: generated requests to every operation never get a 5xx."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, ignored_auth, response_schema_conformance

from ingest.pipeline import ingest_paths
from rag.settings import Settings
from tests.conftest import PAGE
from tests.probes import bad_requests
from ui.api.app import create_app

MAX_EXAMPLES = 8
KEY = "schema-key"

# The schema is read when the module loads (schemathesis' fixture loader does not run on pytest 9);
# the app opens its index lazily, so the page is ingested by the fixture below, before any case runs.
DATA_DIR = Path(tempfile.mkdtemp(prefix="newsqa-schema-"))
APP = create_app(Settings(data_dir=DATA_DIR, api_key=KEY, max_auth_failures=100_000), with_ui=False)  # no throttle here
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module", autouse=True)
def page_ingested() -> Iterator[None]:
    """Its own index of the page: generated uploads and removals must not touch the shared one."""
    service = APP.state.service
    ingest_paths(service.index, [PAGE], show_progress=False)
    service.warm_up()
    yield
    shutil.rmtree(DATA_DIR, ignore_errors=True)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck)
)
def test_no_generated_request_gets_a_server_error(case: schemathesis.Case):
    """No 5xx; responses match their declared models; a missing or wrong key is always a 401."""
    case.call_and_validate(
        headers={"Authorization": f"Bearer {KEY}"},
        checks=[not_a_server_error, response_schema_conformance, content_type_conformance, ignored_auth],
    )


@pytest.mark.parametrize(("method", "path", "request_"), list(bad_requests()))
def test_issue_16_probes_get_no_server_error(method: str, path: str, request_: dict):
    """The bad bytes and dates of issue 16 as explicit cases: no 5xx (a server exception fails here too)."""
    media_type = "application/json" if "body" in request_ else None
    case = schema[path][method].Case(**request_, media_type=media_type)
    case.call_and_validate(
        headers={"Authorization": f"Bearer {KEY}"}, checks=[not_a_server_error, content_type_conformance]
    )
