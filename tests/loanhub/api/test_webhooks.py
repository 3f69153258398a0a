"""Webhooks against a stand-in receiver on 127.0.0.1: signature, retries with backoff,
the delivery log, https-only registration."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core.management import call_command
from django.utils import timezone

from loanhub.api.models import DeliveryStatus, WebhookDelivery

pytestmark = pytest.mark.django_db
SECRET = "receiver-shared-secret-2026"


class Receiver:
    """A bank system stand-in: answers with the next planned status code."""

    def __init__(self, plan: list[int]) -> None:
        self.plan, self.received = list(plan), []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                self.send_response(receiver.plan.pop(0) if receiver.plan else 200)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: object) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/loanhub"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    made = []

    def make(plan: list[int]) -> Receiver:
        made.append(Receiver(plan))
        return made[-1]

    yield make
    for r in made:
        r.close()


def register(world, url: str):
    return world.client("manager_a").post(
        "/api/v1/webhooks/", {"url": url, "secret": SECRET, "events": ["lead.new", "lead.withdrawn"]}
    )


def post_need(world, capture):
    with capture(execute=True):
        response = world.client("sme_a").post(
            "/api/v1/needs/", {"enterprise": world.ent_a.uscc, "amount": "300000", "term_months": 12,
                               "purpose": "扩产", "visibility": "chosen", "banks": [world.lead_a.institution_id],
                               "products": [world.lead_a.product_id]},
        )  # fmt: skip
    assert response.status_code == 201
    return response.json()


def test_a_new_lead_is_posted_signed_to_the_bank(world, receiver, django_capture_on_commit_callbacks):
    bank = receiver([200])
    created = register(world, bank.url)
    assert created.status_code == 201 and created.json()["secret"] == SECRET
    need = post_need(world, django_capture_on_commit_callbacks)
    assert len(bank.received) == 1
    headers, body = bank.received[0]
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-LoanHub-Signature"], expected)
    event = json.loads(body)
    assert event["type"] == "lead.new" and headers["X-LoanHub-Event-Id"] == event["id"]
    assert abs(int(headers["X-LoanHub-Timestamp"]) - timezone.now().timestamp()) < 60
    assert event["data"]["lead"]["id"] == need["leads"][0]["id"]
    assert "payload" not in json.dumps(event["data"])  # lead facts, never credit records
    log = world.client("manager_a").get(f"/api/v1/webhooks/{created.json()['id']}/deliveries/").json()["results"]
    assert log[0]["status"] == "succeeded" and log[0]["attempt_log"][0]["status_code"] == 200


def test_a_failing_endpoint_is_retried_with_backoff_and_never_loses_the_event(
    world, receiver, django_capture_on_commit_callbacks
):
    bank = receiver([500, 500, 200])
    endpoint = register(world, bank.url).json()
    post_need(world, django_capture_on_commit_callbacks)  # the request itself succeeds
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (DeliveryStatus.RETRYING, 1, 500)
    first_wait = delivery.next_attempt_at - timezone.now()
    assert timedelta(seconds=25) < first_wait <= timedelta(seconds=30)
    call_command("retry_webhooks")  # not due yet: nothing is sent
    assert len(bank.received) == 1
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    call_command("retry_webhooks")
    delivery.refresh_from_db()
    second_wait = delivery.next_attempt_at - timezone.now()
    assert (delivery.attempts, delivery.status) == (2, DeliveryStatus.RETRYING)
    assert timedelta(seconds=55) < second_wait <= timedelta(seconds=60)  # doubled
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    call_command("retry_webhooks")
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.status) == (3, DeliveryStatus.SUCCEEDED)
    ids = {headers["X-LoanHub-Event-Id"] for headers, _body in bank.received}
    assert len(ids) == 1 and len(bank.received) == 3  # the same event, three times
    log = world.client("manager_a").get(f"/api/v1/webhooks/{endpoint['id']}/deliveries/").json()["results"][0]
    assert [a["status_code"] for a in log["attempt_log"]] == [500, 500, 200]


def test_an_unreachable_endpoint_gives_up_after_the_last_attempt(world, settings, django_capture_on_commit_callbacks):
    settings.LOANHUB_WEBHOOK_MAX_ATTEMPTS = 2
    register(world, "http://127.0.0.1:9/closed")  # nothing listens on the discard port
    post_need(world, django_capture_on_commit_callbacks)
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    call_command("retry_webhooks")
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (DeliveryStatus.FAILED, 2, None)
    assert "ConnectionError" in delivery.last_error


def test_withdrawal_is_announced_too(world, receiver, django_capture_on_commit_callbacks):
    bank = receiver([])
    register(world, bank.url)
    with django_capture_on_commit_callbacks(execute=True):
        world.client("sme_a").post(f"/api/v1/needs/{world.need_a.pk}/withdraw/")
    assert [json.loads(body)["type"] for _h, body in bank.received] == ["lead.withdrawn"]


def test_only_https_endpoints_except_loopback_in_development(world, settings):
    client = world.client("manager_a")
    refused = client.post("/api/v1/webhooks/", {"url": "http://bank.example/hook"})
    assert refused.status_code == 400 and "url" in refused.json()["error"]["details"]
    settings.LOANHUB_WEBHOOK_ALLOW_HTTP_LOOPBACK = False
    assert client.post("/api/v1/webhooks/", {"url": "http://127.0.0.1:8000/hook"}).status_code == 400
    made = client.post("/api/v1/webhooks/", {"url": "https://bank.example/hook"})
    assert made.status_code == 201 and len(made.json()["secret"]) >= 32  # generated
    hook = made.json()["id"]
    assert "secret" not in client.get(f"/api/v1/webhooks/{hook}/").json()
    assert client.patch(f"/api/v1/webhooks/{hook}/", {"is_active": False}).json()["is_active"] is False
    assert client.delete(f"/api/v1/webhooks/{hook}/").status_code == 204
    assert world.client("officer_a").post("/api/v1/webhooks/", {"url": "https://x.example/"}).status_code == 403
