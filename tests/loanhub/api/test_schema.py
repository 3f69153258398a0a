"""The OpenAPI schema is complete and the docs are served from our own static files."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(db) -> dict:
    response = APIClient().get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def test_every_operation_documents_its_bodies_and_errors(schema):
    operations = [(path, method, op) for path, item in schema["paths"].items() for method, op in item.items()]
    assert len(operations) >= 30
    assert all(path.startswith("/api/v1/") for path, _m, _o in operations)
    for path, method, op in operations:
        codes = set(op["responses"])
        assert any(c.startswith("2") for c in codes), (path, method)
        assert codes & {"400", "401", "403", "404", "429"}, (path, method)
        for code in codes - {"200", "201", "204"}:
            ref = op["responses"][code]["content"]["application/json"]["schema"]["$ref"]
            assert ref.endswith("/Error"), (path, method, code)
        if method in ("post", "patch") and not path.endswith(("/claim/", "/revoke/", "/withdraw/")):
            assert "requestBody" in op, (path, method)
    assert schema["components"]["securitySchemes"]["tokenAuth"]["name"] == "Authorization"


def test_docs_use_self_hosted_assets(client):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn" not in html.lower()
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and b"/api/schema/" in script.content
    # Redoc is not served (it would fetch Google Fonts and cdn.redoc.ly, refused by the CSP).
    assert client.get("/api/redoc/").status_code == 404


def test_errors_share_one_shape(world):
    client = world.client("sme_a")
    not_found = client.get("/api/v1/needs/999999/")
    wrong_method = client.put("/api/v1/needs/")
    not_json = client.post("/api/v1/needs/", "x", content_type="text/plain")
    broken_json = client.post("/api/v1/needs/", "{", content_type="application/json")
    for response, status, code in (
        (not_found, 404, "not_found"), (wrong_method, 405, "method_not_allowed"),
        (not_json, 415, "unsupported_media_type"), (broken_json, 400, "invalid"),
    ):  # fmt: skip
        assert response.status_code == status
        assert response.json()["error"]["code"] == code
        assert response.json()["error"]["message"]
