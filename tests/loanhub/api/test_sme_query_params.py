"""The SME lists' query parameters: a bad value is a 400 in the error shape, never a
500 (a NUL byte in ?enterprise= reached PostgreSQL, which refuses it)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

LISTS = ["needs", "consents", "access-log", "applications", "disputes"]


def test_a_bad_enterprise_parameter_is_a_400_on_every_sme_list(world):
    sme = world.client("sme_a")
    for name in LISTS:
        for value in ("%00", "x", "91440101MA5%00XXXXX", world.ent_a.uscc[:-1] + "%00"):
            response = sme.get(f"/api/v1/{name}/?enterprise={value}")
            assert response.status_code == 400, (name, value, response.status_code)
            assert set(response.json()["error"]["details"]) == {"enterprise"}, (name, value)


def test_the_enterprise_parameter_still_filters(world):
    sme = world.client("sme_a")
    assert sme.get(f"/api/v1/needs/?enterprise={world.ent_a.uscc.lower()}").json()["count"] == 1
    assert sme.get("/api/v1/needs/?enterprise=").json()["count"] == 1


@pytest.mark.parametrize("value", ["zzz", "%00", "open%00"])
def test_a_bad_need_status_is_a_400(world, value):
    response = world.client("sme_a").get(f"/api/v1/needs/?status={value}")
    assert response.status_code == 400
    assert set(response.json()["error"]["details"]) == {"status"}


def test_the_need_status_parameter_still_filters(world):
    sme = world.client("sme_a")
    assert sme.get("/api/v1/needs/?status=open").json()["count"] == 1
    assert sme.get("/api/v1/needs/?status=withdrawn").json()["count"] == 0


def test_a_nul_byte_as_the_enterprise_of_a_new_need_is_a_400(world):
    body = {"enterprise": "\x00", "amount": "100000", "term_months": 12, "purpose": "周转"}
    response = world.client("sme_a").post("/api/v1/needs/", body, format="json")
    assert response.status_code == 400
    assert set(response.json()["error"]["details"]) == {"enterprise"}
