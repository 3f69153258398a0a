"""The loans API over real HTTP (live_server, urllib, token auth): a bank's own loans, an
SME's own loans, one loan with its schedule, performance reports posted idempotently,
400s with field errors, and 404 for anyone else's loan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from loanhub.consent.models import AccessLog
from loanhub.loans.models import PerformanceReport
from tests.factories.accounts import UserFactory
from tests.factories.enterprises import MembershipFactory
from tests.factories.http import api_call as call
from tests.factories.loans import loan_create
from tests.loanhub.api.conftest import make_token

pytestmark = pytest.mark.django_db(transaction=True)

TODAY = timezone.localdate()


@dataclass
class Book:
    loan_a: object
    loan_a2: object
    loan_b: object
    tokens: dict


@pytest.fixture
def book(bank_a_page, bank_b_page, officer_a, manager_b) -> Book:
    start = TODAY - timedelta(days=90)
    loan_a = loan_create(bank_a_page, officer_a, amount=400_000, disbursed_on=start)
    loan_a2 = loan_create(bank_a_page, officer_a, amount=200_000, disbursed_on=start)
    loan_b = loan_create(bank_b_page, manager_b, amount=300_000, disbursed_on=start)
    stranger = MembershipFactory(user=UserFactory(username="stranger")).user
    users = {
        "officer_a": officer_a, "manager_b": manager_b, "stranger": stranger,
        "sme_a": loan_a.enterprise.memberships.first().user,
    }  # fmt: skip
    return Book(loan_a, loan_a2, loan_b, {role: make_token(user) for role, user in users.items()})


def report(**fields) -> dict:
    return {"as_of": (TODAY - timedelta(days=5)).isoformat(), "status": "current", "outstanding": "380000",
            "days_past_due": 0, **fields}  # fmt: skip


def test_a_bank_lists_and_reads_its_own_loans_in_yuan(live_server, book):
    base, token = live_server.url, book.tokens["officer_a"]
    status, body = call(base, token, "/api/v1/loans/")
    assert status == 200 and body["count"] == 2
    assert {row["id"] for row in body["results"]} == {book.loan_a.pk, book.loan_a2.pk}
    row = next(r for r in body["results"] if r["id"] == book.loan_a.pk)
    assert row["amount"] == "400000.00" and row["status"] == "current" and row["status_display"] == "正常"
    assert row["enterprise"]["uscc"] == book.loan_a.enterprise.uscc and row["lead"] == book.loan_a.lead_id

    status, body = call(base, token, f"/api/v1/loans/{book.loan_a.pk}/")
    assert status == 200 and len(body["schedule"]) == 12 and body["schedule"][0]["number"] == 1
    assert AccessLog.objects.filter(enterprise=book.loan_a.enterprise, channel="api", purpose="monitoring").exists()

    status, body = call(base, token, "/api/v1/loans/?status=bogus")
    assert status == 400 and "status" in body["error"]["details"]


def test_another_banks_loan_does_not_exist_for_the_caller(live_server, book):
    base, token, other = live_server.url, book.tokens["officer_a"], book.loan_b.pk
    assert call(base, token, f"/api/v1/loans/{other}/")[0] == 404
    assert call(base, token, f"/api/v1/loans/{other}/performance/")[0] == 404
    assert call(base, token, f"/api/v1/loans/{other}/performance/", report(outstanding="1"))[0] == 404
    assert not PerformanceReport.objects.exists()
    assert call(base, None, "/api/v1/loans/")[0] == 401


def test_reporting_is_idempotent_corrections_are_200_and_refusals_400(live_server, book):
    base, token = live_server.url, book.tokens["officer_a"]
    path = f"/api/v1/loans/{book.loan_a.pk}/performance/"
    status, body = call(base, token, path, report(note="按期"))
    assert status == 201 and body["result"] == "created" and body["outstanding"] == "380000.00"
    status, body = call(base, token, path, report(note="按期"))
    assert status == 200 and body["result"] == "unchanged" and body["corrections"] == 0
    status, body = call(base, token, path, report(status="dpd_1_30", days_past_due=6))
    assert status == 200 and body["result"] == "corrected" and body["corrections"] == 1
    assert PerformanceReport.objects.count() == 1

    status, body = call(base, token, path, report(status="dpd_31_90", days_past_due=10, outstanding="500000"))
    assert status == 400
    details = body["error"]["details"]
    assert "逾期天数应在 31 到 90 天之间" in details["days_past_due"][0]
    assert "不能超过贷款金额 40 万元" in details["outstanding"][0]
    status, body = call(base, token, path, {"status": "nope"})
    assert status == 400 and {"as_of", "status", "outstanding", "days_past_due"} <= set(body["error"]["details"])

    status, body = call(base, token, path)
    assert status == 200 and body["count"] == 1 and body["results"][0]["status"] == "dpd_1_30"
    assert body["results"][0]["channel"] == "api"


def test_an_sme_sees_its_own_loans_and_statuses_only(live_server, book, officer_a):
    base, token = live_server.url, book.tokens["sme_a"]
    call(base, book.tokens["officer_a"], f"/api/v1/loans/{book.loan_a.pk}/performance/", report(note="内部"))
    status, body = call(base, token, "/api/v1/loans/")
    assert status == 200 and [r["id"] for r in body["results"]] == [book.loan_a.pk]
    status, body = call(base, token, f"/api/v1/loans/{book.loan_a.pk}/performance/")
    assert status == 200 and body["results"] == [
        {"as_of": report()["as_of"], "status": "current", "status_display": "正常"}
    ]  # no note, balance or officer
    assert call(base, token, f"/api/v1/loans/{book.loan_a.pk}/performance/", report())[0] == 403
    assert call(base, token, f"/api/v1/loans/{book.loan_b.pk}/")[0] == 404
    stranger = book.tokens["stranger"]
    assert call(base, stranger, "/api/v1/loans/")[1]["count"] == 0
    assert call(base, stranger, f"/api/v1/loans/{book.loan_a.pk}/")[0] == 404


def test_the_schema_documents_the_loans_endpoints_in_yuan(live_server, book):
    status, schema = call(live_server.url, book.tokens["officer_a"], "/api/schema/?format=json")
    assert status == 200
    assert {"/api/v1/loans/", "/api/v1/loans/{id}/", "/api/v1/loans/{id}/performance/"} <= set(schema["paths"])
    fields = schema["components"]["schemas"]
    assert "元" in fields["LoanOutput"]["properties"]["amount"]["description"]
    assert "元" in fields["LoanPerformanceApiInputRequest"]["properties"]["outstanding"]["description"]
    post = schema["paths"]["/api/v1/loans/{id}/performance/"]["post"]
    assert {"200", "201", "400", "404"} <= set(post["responses"])
