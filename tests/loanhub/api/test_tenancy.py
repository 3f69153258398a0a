"""The access matrix: every role × every resource × own / other tenant's object.

Asserts the status code and that no other tenant's data appears in any answer."""

from __future__ import annotations

import pytest

from .conftest import ROLES

pytestmark = pytest.mark.django_db

SME_ONLY = {
    "anonymous": 401,
    "sme_a": 200,
    "sme_b": 200,
    "officer_a": 403,
    "officer_b": 403,
    "manager_a": 403,
    "admin": 403,
}
BANK_ONLY = {
    "anonymous": 401,
    "sme_a": 403,
    "sme_b": 403,
    "officer_a": 200,
    "officer_b": 200,
    "manager_a": 200,
    "admin": 403,
}
MANAGER_ONLY = {**dict.fromkeys(ROLES, 403), "anonymous": 401, "manager_a": 200}
ADMIN_ONLY = {**dict.fromkeys(ROLES, 403), "anonymous": 401, "admin": 200}
ANY_USER = {**dict.fromkeys(ROLES, 200), "anonymous": 401}
PUBLIC = dict.fromkeys(ROLES, 200)

LISTS = {
    "/api/v1/products/": PUBLIC,
    "/api/v1/products/{product_a}/": PUBLIC,
    "/api/v1/enterprises/me/": SME_ONLY,
    "/api/v1/consents/": SME_ONLY,
    "/api/v1/access-log/": SME_ONLY,
    "/api/v1/needs/": SME_ONLY,
    "/api/v1/applications/": SME_ONLY,
    "/api/v1/disputes/": SME_ONLY,
    "/api/v1/leads/": BANK_ONLY,
    "/api/v1/webhooks/": MANAGER_ONLY,
    "/api/v1/stats/": ADMIN_ONLY,
    "/api/v1/auth/tokens/": ANY_USER,
}

# Objects of tenant A: A's own users get them, everyone else a refusal.
A_OBJECTS = {
    ("get", "/api/v1/needs/{need_a}/"): {**SME_ONLY, "sme_b": 404},
    ("get", "/api/v1/needs/{need_a}/matches/"): {**SME_ONLY, "sme_b": 404},
    ("patch", "/api/v1/needs/{need_a}/"): {**SME_ONLY, "sme_a": None, "sme_b": 404},
    ("post", "/api/v1/needs/{need_a}/withdraw/"): {**SME_ONLY, "sme_a": None, "sme_b": 404},
    ("post", "/api/v1/needs/{need_a}/apply/"): {**SME_ONLY, "sme_a": None, "sme_b": 404},
    ("post", "/api/v1/consents/{consent_a}/revoke/"): {**SME_ONLY, "sme_a": None, "sme_b": 404},
    ("get", "/api/v1/leads/{lead_a}/"): {**BANK_ONLY, "officer_b": 404},
    ("post", "/api/v1/leads/{lead_a}/claim/"): {**BANK_ONLY, "officer_a": None, "manager_a": None, "officer_b": 404},
    ("post", "/api/v1/leads/{lead_a}/decision/"): {**BANK_ONLY, "officer_a": None, "manager_a": None, "officer_b": 404},
    ("post", "/api/v1/leads/{lead_a}/disbursement/"): {
        **BANK_ONLY,
        "officer_a": None,
        "manager_a": None,
        "officer_b": 404,
    },
    ("get", "/api/v1/webhooks/{webhook_a}/"): MANAGER_ONLY,
    ("get", "/api/v1/webhooks/{webhook_b}/"): {**MANAGER_ONLY, "manager_a": 404},
    ("patch", "/api/v1/webhooks/{webhook_b}/"): {**MANAGER_ONLY, "manager_a": 404},
    ("delete", "/api/v1/webhooks/{webhook_b}/"): {**MANAGER_ONLY, "manager_a": 404},
    ("get", "/api/v1/webhooks/{webhook_b}/deliveries/"): {**MANAGER_ONLY, "manager_a": 404},
    ("delete", "/api/v1/auth/tokens/{token_of_sme_a}/"): {
        **ANY_USER,
        "sme_a": None,
        **{r: 404 for r in ROLES if r not in ("anonymous", "sme_a")},
    },
}

BODIES = {
    "/decision/": {"decision": "decline", "reasons": ["credit"]},
    "/disbursement/": {"amount": "1000", "date": "2026-01-01"},
    "/apply/": {"product": 1},
    "/needs/": {"purpose": "改"},
}


def foreign_markers(world, role: str) -> list[str]:
    """Strings of another tenant that must never appear in ``role``'s answers."""
    a = [world.ent_a.uscc, world.ent_a.name, world.webhook_a.url]
    b = [world.ent_b.uscc, world.ent_b.name, world.webhook_b.url]
    return {"sme_a": b, "sme_b": a, "officer_a": b, "manager_a": b, "officer_b": a}.get(role, a + b)


def _url(world, template: str) -> str:
    from loanhub.api.models import ApiToken

    return template.format(
        product_a=world.product_a.pk, need_a=world.need_a.pk, consent_a=world.consent_a.pk,
        lead_a=world.lead_a.pk, webhook_a=world.webhook_a.pk, webhook_b=world.webhook_b.pk,
        token_of_sme_a=ApiToken.objects.filter(user=world.users["sme_a"]).first().pk,
    )  # fmt: skip


def _body(template: str) -> dict:
    return next((body for suffix, body in BODIES.items() if template.endswith(suffix)), {})


@pytest.mark.parametrize("role", ROLES)
def test_every_list_answers_each_role_and_shows_no_other_tenant(world, role):
    client = world.client(role)
    for template, expected in LISTS.items():
        response = client.get(_url(world, template))
        assert response.status_code == expected[role], (template, response.content[:300])
        body = response.content.decode()
        for marker in foreign_markers(world, role):
            assert marker not in body, (template, marker)
        if response.status_code >= 400:
            assert set(response.json()["error"]) == {"code", "message", "details"}


@pytest.mark.parametrize("role", ROLES)
def test_objects_of_tenant_a_are_refused_to_everyone_else(world, role):
    client = world.client(role)
    for (method, template), expected_by_role in A_OBJECTS.items():
        expected = expected_by_role[role]
        if expected is None:
            continue  # the owner's own writes: covered by the flow tests
        response = getattr(client, method)(_url(world, template), _body(template), format="json")
        assert response.status_code == expected, (method, template, response.content[:300])
        body = response.content.decode()
        for marker in foreign_markers(world, role):
            assert marker not in body, (template, marker)
        if expected >= 400:
            assert response.json()["error"]["code"] in {"not_authenticated", "permission_denied", "not_found"}


def test_sme_lists_hold_exactly_their_own_objects(world):
    client = world.client("sme_a")
    assert [n["id"] for n in client.get("/api/v1/needs/").json()["results"]] == [world.need_a.pk]
    assert [c["id"] for c in client.get("/api/v1/consents/").json()["results"]] == [world.consent_a.pk]
    assert [o["id"] for o in client.get("/api/v1/disputes/").json()["results"]] == [world.objection_a.pk]
    assert [a["id"] for a in client.get("/api/v1/applications/").json()["results"]] == [world.lead_a.pk]
    assert [e["uscc"] for e in client.get("/api/v1/enterprises/me/").json()] == [world.ent_a.uscc]


def test_bank_lists_hold_exactly_their_institution_objects(world):
    assert [x["id"] for x in world.client("officer_a").get("/api/v1/leads/").json()["results"]] == [world.lead_a.pk]
    assert [x["id"] for x in world.client("officer_b").get("/api/v1/leads/").json()["results"]] == [world.lead_b.pk]
    assert [x["id"] for x in world.client("manager_a").get("/api/v1/webhooks/").json()["results"]] == [
        world.webhook_a.pk
    ]


def test_references_to_another_tenant_in_a_body_are_refused(world):
    client = world.client("sme_b")
    response = client.post(
        "/api/v1/needs/", {"enterprise": world.ent_a.uscc, "amount": "500000", "term_months": 12, "purpose": "x"}
    )
    assert response.status_code == 400 and "enterprise" in response.json()["error"]["details"]
    record = world.objection_a.record_id
    response = client.post("/api/v1/disputes/", {"enterprise": world.ent_b.uscc, "record": record, "reason": "x"})
    assert response.status_code == 404  # A's record is not one of B's
