"""Alerts over the API (real HTTP: live_server + urllib) and the signed ``loan.alert`` webhook."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from loanhub.api.models import DeliveryStatus, WebhookDelivery, WebhookEvent
from loanhub.api.webhooks import webhook_create
from loanhub.consent.models import AccessLog, AuthorizationStatus, Channel, Purpose
from loanhub.loans.models import AlertStatus, LoanAlert
from tests.factories.credit import authorize, import_rows
from tests.factories.http import api_call as call
from tests.factories.loans import loan_create
from tests.loanhub.api.conftest import make_token
from tests.loanhub.api.test_webhooks import Receiver

WATCHED = ["penalty", "judicial", "dishonest_debtor", "social_insurance", "tax_rating", "registration"]
SECRET = "alert-receiver-secret-2026"


def _penalty(loan):
    day = (timezone.localdate() - timedelta(days=2)).isoformat()
    row = {
        "uscc": loan.enterprise.uscc,
        "record_date": day,
        "issuer": "生态环境局",
        "severity": "严重",
        "fine_amount": 90000,
    }
    return import_rows("penalty", [row])


@pytest.fixture
def loan(bank_a_page, officer_a, manager_a):
    loan = loan_create(bank_a_page, officer_a, disbursed_on=timezone.localdate() - timedelta(days=30))
    authorize(loan.enterprise, institution=loan.institution, purpose=Purpose.MONITORING, categories=WATCHED)
    return loan


@pytest.mark.django_db(transaction=True)
def test_list_and_acknowledge_over_http(live_server, loan, officer_a, manager_b):
    _penalty(loan)  # transactional test: the import's on-commit hook raises the alert
    alert = LoanAlert.objects.get(loan=loan)
    base, token = live_server.url, make_token(officer_a)

    status, body = call(base, token, "/api/v1/alerts/")
    assert status == 200 and body["count"] == 1
    row = body["results"][0]
    assert (row["id"], row["kind"], row["severity"], row["details_visible"]) == (alert.pk, "penalty", "high", True)
    assert "生态环境局" in row["summary"] and row["record"]["category"] == "penalty"
    assert AccessLog.objects.filter(channel=Channel.API, detail__contains=f"#{alert.pk}").count() == 1

    assert call(base, token, "/api/v1/alerts/?severity=low")[1]["count"] == 0
    assert call(base, token, "/api/v1/alerts/?severity=urgent")[0] == 400

    status, body = call(base, token, f"/api/v1/alerts/{alert.pk}/acknowledge/", {"note": "已核实", "action": "contact"})
    assert status == 200 and body["status"] == "acknowledged" and body["action"] == "contact"
    status, body = call(base, token, f"/api/v1/alerts/{alert.pk}/acknowledge/", {"note": "again", "action": "none"})
    assert status == 409 and body["error"]["code"] == "alert_already_handled"
    status, body = call(base, token, f"/api/v1/alerts/{alert.pk}/acknowledge/", {"note": "", "action": "nothing"})
    assert status == 400 and {"note", "action"} <= set(body["error"]["details"])

    other = make_token(manager_b)
    assert call(base, other, "/api/v1/alerts/")[1]["count"] == 0
    assert call(base, other, f"/api/v1/alerts/{alert.pk}/")[0] == 404
    assert call(base, other, f"/api/v1/alerts/{alert.pk}/acknowledge/", {"note": "x", "action": "none"})[0] == 404
    assert LoanAlert.objects.get(pk=alert.pk).ack_note == "已核实"


@pytest.mark.django_db(transaction=True)
def test_after_revocation_the_api_hides_the_details(live_server, loan, officer_a):
    _penalty(loan)
    alert = LoanAlert.objects.get(loan=loan)
    loan.enterprise.authorizations.filter(purpose=Purpose.MONITORING).update(
        status=AuthorizationStatus.REVOKED, revoked_at=timezone.now()
    )
    status, body = call(live_server.url, make_token(officer_a), f"/api/v1/alerts/{alert.pk}/")
    assert status == 200 and body["details_visible"] is False and body["hidden_reason"] == "revoked"
    assert body["summary"] is None and body["record"] is None and body["kind"] == "penalty"
    assert not AccessLog.objects.filter(channel=Channel.API).exists()


@pytest.mark.django_db
def test_an_sme_token_is_refused(client, loan):
    sme = loan.enterprise.memberships.first().user
    response = client.get("/api/v1/alerts/", HTTP_AUTHORIZATION=f"Token {make_token(sme)}")
    assert response.status_code == 403


@pytest.mark.django_db
def test_loan_alert_is_pushed_signed_without_the_details(loan, manager_a, django_capture_on_commit_callbacks):
    bank = Receiver([200])
    try:
        webhook_create(institution=loan.institution, user=manager_a, url=bank.url, secret=SECRET,
                       events=[WebhookEvent.LOAN_ALERT])  # fmt: skip
        with django_capture_on_commit_callbacks(execute=True):
            _penalty(loan)
    finally:
        bank.close()
    alert = LoanAlert.objects.get(loan=loan)
    assert len(bank.received) == 1
    headers, body = bank.received[0]
    assert headers["X-LoanHub-Signature"] == "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    event = json.loads(body)
    assert event["type"] == "loan.alert" and headers["X-LoanHub-Event"] == "loan.alert"
    data = event["data"]["alert"]
    assert (data["id"], data["kind"], data["severity"], data["url"]) == (
        alert.pk, "penalty", "high", f"/api/v1/alerts/{alert.pk}/",
    )  # fmt: skip
    assert "生态环境局" not in body.decode() and "90000" not in body.decode()  # details only through the API
    assert WebhookDelivery.objects.get(event="loan.alert").status == DeliveryStatus.SUCCEEDED
    assert AccessLog.objects.filter(channel=Channel.WEBHOOK, enterprise=loan.enterprise).count() == 1


@pytest.mark.django_db
def test_an_endpoint_not_subscribed_to_alerts_gets_nothing(loan, manager_a, django_capture_on_commit_callbacks):
    bank = Receiver([200])
    try:
        webhook_create(institution=loan.institution, user=manager_a, url=bank.url, secret=SECRET, events=["lead.new"])
        with django_capture_on_commit_callbacks(execute=True):
            _penalty(loan)
    finally:
        bank.close()
    assert LoanAlert.objects.filter(loan=loan, status=AlertStatus.OPEN).count() == 1
    assert bank.received == [] and not WebhookDelivery.objects.filter(event="loan.alert").exists()
