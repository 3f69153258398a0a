"""OPTIONS on every API endpoint, as every kind of caller: never a server error.

DRF's default metadata asked the views for a serializer class they do not have and
answered 500 to anyone allowed to call the endpoint; loanhub/api/metadata.py
describes the view's InputSerializer instead."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, reverse

from loanhub.api import urls as api_urls

pytestmark = pytest.mark.django_db

OPTIONS_ROLES = ["anonymous", "sme_a", "officer_a", "manager_a", "admin"]


def _object_ids(world) -> dict[str, int]:
    """A real object of the caller's world for each resource, so the walk reaches the
    views with ids that exist (OPTIONS must not depend on them either way)."""
    from loanhub.api.models import ApiToken

    return {
        "token_revoke": ApiToken.objects.first().pk, "product": world.product_a.pk,
        "consent_revoke": world.consent_a.pk, "lead": world.lead_a.pk, "need": world.need_a.pk,
        "webhook": world.webhook_a.pk,
        # No loan or alert in this world: OPTIONS does not read them (a 404 for GET, never a 5xx).
        "alert": 1, "loan": 1,
    }  # fmt: skip


def _api_urls(world) -> list[str]:
    ids = _object_ids(world)
    urls = []
    for pattern in api_urls.urlpatterns:
        if not isinstance(pattern, URLPattern) or not pattern.name:
            continue  # the catch-all JSON 404
        if "<id:pk>" in str(pattern.pattern):
            pk = next(v for k, v in ids.items() if pattern.name.startswith(k))
            urls.append(reverse(f"api:{pattern.name}", kwargs={"pk": pk}))
        elif "<report_number:number>" in str(pattern.pattern):
            # A well-formed number is enough: OPTIONS does not read the report.
            urls.append(reverse(f"api:{pattern.name}", kwargs={"number": "LH-0000"}))
        else:
            urls.append(reverse(f"api:{pattern.name}"))
    return urls


def test_the_walk_covers_every_v1_endpoint(world):
    assert len(_api_urls(world)) == len(api_urls.v1) + 2  # + schema, docs


@pytest.mark.parametrize("role", OPTIONS_ROLES)
def test_options_never_answers_5xx(world, role):
    client = world.client(role)
    answers = {url: client.options(url) for url in _api_urls(world)}
    errors = {url: r.status_code for url, r in answers.items() if r.status_code >= 500}
    assert not errors
    for url, response in answers.items():
        if url.startswith("/api/v1/") and response.status_code != 200:
            assert set(response.json()["error"]) == {"code", "message", "details"}, url


DESCRIBED = [  # (role, url name, method, one field it may send)
    ("sme_a", "needs", "POST", "amount"),
    ("sme_a", "consents", "POST", "categories"),
    ("sme_a", "need", "PATCH", "purpose"),
    ("officer_a", "lead_decision", "POST", "decision"),
    ("officer_a", "lead_disbursement", "POST", "date"),
    ("manager_a", "webhooks", "POST", "url"),
    ("anonymous", "token", "POST", "username"),
]


def test_options_describes_what_the_caller_may_send(world):
    ids = _object_ids(world)
    for role, name, method, field in DESCRIBED:
        pk = ids.get(name.split("_")[0])
        response = world.client(role).options(reverse(f"api:{name}", kwargs={"pk": pk} if pk else None))
        assert response.status_code == 200, name
        assert field in response.json()["actions"][method], name


def test_options_on_an_action_without_input_describes_no_fields(world):
    response = world.client("officer_a").options(reverse("api:lead_claim", kwargs={"pk": world.lead_a.pk}))
    assert response.status_code == 200
    assert response.json()["name"]
    assert "actions" not in response.json()


def test_options_tells_a_caller_of_the_wrong_kind_nothing(world):
    response = world.client("officer_a").options(reverse("api:needs"))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
