"""The API's description (issue 20): an OpenAPI 3.1 file served beside the API and made from the same code,
a readable reference page without scripts from elsewhere, and the ingestion endpoints of before in it."""

import pytest

from tests.helpers import assert_no_live_markup

pytestmark = pytest.mark.usefixtures("english")


def test_the_openapi_file_is_served_and_lists_every_area(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.1")
    paths = set(schema["paths"])
    assert {
        "/api/v1/cases",
        "/api/v1/cases/{number}",
        "/api/v1/cases/{number}/replies",
        "/api/v1/cases/{number}/accept",
        "/api/v1/cases/{number}/reject",
        "/api/v1/blocklists/status",
        "/api/v1/blocklists/events",
        "/api/v1/authentication",
        "/api/v1/warmup/plans",
        "/api/v1/warmup/plans/{plan_id}",
        "/api/v1/availability/months/{month}",
        "/api/v1/availability/attempts",
        "/api/v1/warmup/{plan_id}/actuals",
    } <= paths
    assert "BearerAuth" in str(schema["components"]["securitySchemes"]) or schema["components"]["securitySchemes"]


def test_the_reference_page_reads_without_a_sign_in_and_loads_nothing_from_elsewhere(client, db):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "POST /api/v1/cases" in html and "Idempotency-Key" in html and "Retry-After" in html
    assert "cdn" not in html.lower() and "swagger" not in html.lower()
    assert_no_live_markup(html)


def test_every_operation_has_a_written_summary(client, db):
    """django-ninja names an operation without a summary after its function ("Read Event"): the reference page
    would show that to a customer."""
    schema = client.get("/api/v1/openapi.json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            generated = operation["operationId"].split("_", 2)[-1].replace("_", " ").title()
            assert operation["summary"] != generated, f"{method.upper()} {path} has no written summary"
