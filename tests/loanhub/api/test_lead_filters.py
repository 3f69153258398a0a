"""The API's lead filters: a bad value is a 400 in the error shape, never a 500."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

BAD = [
    "product=x", "product=99999999999999999999", "product=" + "9" * 5000, "product=-3", "product=nan",
    "amount_min=1e400", "amount_min=nan", "amount_min=-inf", "amount_max=inf", "amount_max=NaN", "amount_max=1e-400x",
    "amount_min=-1", "status=zzz", "status=open", "grade=Z", "ordering=-bank_score", "region=abc", "region=%C2%B2",
    "region=44%27--", "region=1234567", "q=%00", "q=" + "x" * 101,
]  # fmt: skip


def test_each_bad_lead_filter_is_a_400_in_the_error_shape(world):
    officer = world.client("officer_a")
    for query in BAD:
        response = officer.get(f"/api/v1/leads/?{query}")
        assert response.status_code == 400, (query, response.status_code)
        error = response.json()["error"]
        assert error["code"] == "invalid" and error["message"], query
        assert set(error["details"]) == {query.split("=")[0]}, query


def test_good_lead_filters_still_filter(world):
    officer = world.client("officer_a")
    region = world.lead_a.enterprise.region
    for query, count in ((f"region={region[:2]}", 1), ("region=99", 0), ("amount_min=1e-3", 1), ("amount_max=1e5", 0)):
        assert officer.get(f"/api/v1/leads/?{query}").json()["count"] == count, query
