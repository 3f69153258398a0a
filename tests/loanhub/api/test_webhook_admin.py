"""The back-office pages of a bank's webhook endpoints (/cms-admin/webhooks/): tenancy,
roles, the services' validation, the secret shown once, delete with confirmation,
the delivery log and retrying a failed delivery."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from loanhub.api.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from loanhub.api.webhooks import webhook_create
from loanhub.audit.models import AuditEvent, AuditKind
from tests.factories.accounts import UserFactory
from tests.factories.enterprises import MembershipFactory
from tests.loanhub.api.test_webhook_ssrf import PUBLIC, FakeDns, Receiver

pytestmark = pytest.mark.django_db
SECRET = "a-bank-chosen-secret-2026"


@pytest.fixture(autouse=True)
def dns(monkeypatch):
    import socket

    fake = FakeDns()
    fake.records["hooks.bank-a.test"] = [PUBLIC]
    fake.records["hooks.bank-b.test"] = [PUBLIC]
    fake.records["intranet.bank-a.test"] = ["10.1.2.3"]
    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return fake


@pytest.fixture
def hook_a(bank_a, manager_a):
    return webhook_create(institution=bank_a, user=manager_a, url="https://hooks.bank-a.test/lh", secret=SECRET)


@pytest.fixture
def hook_b(bank_b, manager_b):
    return webhook_create(institution=bank_b, user=manager_b, url="https://hooks.bank-b.test/lh", secret=SECRET)


def url(name: str, *args: object) -> str:
    return reverse(f"webhooks_admin:{name}", args=args)


def denied(response) -> bool:
    """Wagtail answers a PermissionDenied in the admin with a redirect to its dashboard."""
    return response.status_code == 403 or (response.status_code == 302 and response["Location"] == "/cms-admin/")


def delivery(endpoint, status=DeliveryStatus.FAILED, attempts=(500,), **fields) -> WebhookDelivery:
    made = WebhookDelivery.objects.create(
        endpoint=endpoint, event="lead.new", payload={"id": "x", "type": "lead.new"}, status=status,
        attempts=len(attempts), last_status_code=attempts[-1] if attempts else None, **fields,
    )  # fmt: skip
    for number, code in enumerate(attempts, 1):
        WebhookAttempt.objects.create(
            delivery=made, number=number, status_code=code, duration_ms=12,
            error="" if code and code < 300 else f"bank said {code}",
        )  # fmt: skip
    return made


# ------------------------------------------------------------------------ tenancy


def test_a_manager_sees_only_the_own_banks_endpoints(client, manager_a, hook_a, hook_b):
    client.force_login(manager_a)
    listing = client.get(url("index")).content.decode()
    assert hook_a.url in listing and hook_b.url not in listing
    assert "添加接收地址" in listing


def test_another_banks_endpoint_is_a_404_everywhere(client, manager_a, hook_b):
    theirs = delivery(hook_b)
    client.force_login(manager_a)
    assert client.get(url("detail", hook_b.pk)).status_code == 404
    assert client.get(url("edit", hook_b.pk)).status_code == 404
    assert client.get(url("delete", hook_b.pk)).status_code == 404
    assert client.post(url("delete", hook_b.pk)).status_code == 404
    assert client.post(url("deactivate", hook_b.pk)).status_code == 404
    assert client.post(url("retry", hook_b.pk, theirs.pk)).status_code == 404
    hook_b.refresh_from_db()
    assert hook_b.is_active and WebhookDelivery.objects.get(pk=theirs.pk).attempts == 1


def test_a_delivery_of_another_endpoint_cannot_be_retried_through_ones_own(client, manager_a, hook_a, hook_b):
    theirs = delivery(hook_b)
    client.force_login(manager_a)
    assert client.post(url("retry", hook_a.pk, theirs.pk)).status_code == 404


def test_sme_users_and_platform_admins_cannot_reach_the_pages(client, hook_a, platform_admin):
    client.force_login(MembershipFactory(user=UserFactory(username="sme_x")).user)
    assert client.get(url("index")).status_code in (302, 403)
    assert client.get(url("detail", hook_a.pk)).status_code in (302, 403)
    client.force_login(platform_admin)
    assert denied(client.get(url("index")))  # as the lead workbench: the banks' own business
    assert denied(client.get(url("detail", hook_a.pk)))


def test_an_officer_reads_but_does_not_change(client, officer_a, hook_a):
    failed = delivery(hook_a)
    client.force_login(officer_a)
    listing = client.get(url("index")).content.decode()
    assert hook_a.url in listing and "添加接收地址" not in listing
    detail = client.get(url("detail", hook_a.pk)).content.decode()
    assert "bank said 500" in detail and url("retry", hook_a.pk, failed.pk) not in detail
    assert denied(client.get(url("add")))
    assert denied(client.get(url("edit", hook_a.pk)))
    assert denied(client.post(url("delete", hook_a.pk)))
    assert denied(client.post(url("deactivate", hook_a.pk)))
    assert denied(client.post(url("retry", hook_a.pk, failed.pk)))
    assert WebhookEndpoint.objects.filter(pk=hook_a.pk, is_active=True).exists()


def test_the_menu_shows_the_page_to_bank_staff(client, officer_a):
    client.force_login(officer_a)
    assert url("index") in client.get("/cms-admin/").content.decode()


# ---------------------------------------------------------------- add, edit, delete


def test_adding_a_private_address_shows_the_reason_and_saves_nothing(client, manager_a):
    client.force_login(manager_a)
    for target in ("https://10.0.0.1/hook", "https://intranet.bank-a.test/hook", "https://[fd00::1]/hook"):
        response = client.post(url("add"), {"url": target, "events": ["lead.new"]})
        assert response.status_code == 200
        assert "内网、本机、链路本地或保留地址" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_adding_shows_a_generated_secret_once(client, manager_a, bank_a):
    client.force_login(manager_a)
    posted = client.post(
        url("add"),
        {"url": "https://hooks.bank-a.test/lh", "events": ["lead.new", "lead.overdue"], "description": "核心系统"},
    )
    endpoint = WebhookEndpoint.objects.get()
    assert (endpoint.institution, endpoint.created_by, endpoint.events) == (
        bank_a,
        manager_a,
        ["lead.new", "lead.overdue"],
    )
    assert posted.status_code == 302 and posted["Location"] == url(
        "secret", endpoint.pk
    )  # a reload does not post again
    assert endpoint.secret not in str(dict(client.session))  # the session never holds the secret
    shown = client.get(url("secret", endpoint.pk))
    assert shown.status_code == 200 and "no-store" in shown["Cache-Control"]
    assert len(endpoint.secret) >= 32 and endpoint.secret in shown.content.decode()
    again = client.get(url("secret", endpoint.pk), follow=True)
    assert endpoint.secret not in again.content.decode() and "只在添加或更换后显示一次" in again.content.decode()
    assert endpoint.secret not in client.get(url("detail", endpoint.pk)).content.decode()
    assert endpoint.secret not in client.get(url("index")).content.decode()
    assert endpoint.secret not in client.get(url("edit", endpoint.pk)).content.decode()


def test_a_chosen_secret_is_kept_and_too_short_a_one_refused(client, manager_a):
    client.force_login(manager_a)
    short = client.post(url("add"), {"url": "https://hooks.bank-a.test/lh", "events": ["lead.new"], "secret": "short"})
    assert short.status_code == 200 and not WebhookEndpoint.objects.exists()
    assert "short" not in short.content.decode().split('name="secret"')[1][:80]  # not echoed back
    client.post(url("add"), {"url": "https://hooks.bank-a.test/lh", "events": ["lead.new"], "secret": SECRET})
    assert WebhookEndpoint.objects.get().secret == SECRET


def test_editing_saves_and_refuses_a_private_address(client, manager_a, hook_a):
    client.force_login(manager_a)
    form = {"url": hook_a.url, "events": ["lead.withdrawn"], "description": "新说明", "is_active": "on"}
    assert client.post(url("edit", hook_a.pk), form).status_code == 302
    hook_a.refresh_from_db()
    assert (hook_a.events, hook_a.description, hook_a.secret) == (["lead.withdrawn"], "新说明", SECRET)
    refused = client.post(url("edit", hook_a.pk), {**form, "url": "https://intranet.bank-a.test/lh"})
    assert refused.status_code == 200 and "10.1.2.3" in refused.content.decode()
    hook_a.refresh_from_db()
    assert hook_a.url == "https://hooks.bank-a.test/lh"


def test_changing_the_secret_shows_the_new_one_once(client, manager_a, hook_a):
    client.force_login(manager_a)
    form = {"url": hook_a.url, "events": hook_a.events, "is_active": "on", "new_secret": "on"}
    response = client.post(url("edit", hook_a.pk), form, follow=True)
    hook_a.refresh_from_db()
    assert hook_a.secret != SECRET and hook_a.secret in response.content.decode()
    assert "签名密钥已更换" in response.content.decode()


def test_the_secret_page_shows_nothing_to_another_bank_or_an_officer(client, manager_a, manager_b, officer_a, hook_a):
    client.force_login(manager_a)
    client.post(
        url("edit", hook_a.pk), {"url": hook_a.url, "events": hook_a.events, "is_active": "on", "new_secret": "on"}
    )
    for user in (manager_b, officer_a):
        other = type(client)()
        other.force_login(user)
        response = other.get(url("secret", hook_a.pk))
        assert response.status_code in (302, 403, 404)
        assert WebhookEndpoint.objects.get(pk=hook_a.pk).secret not in response.content.decode()


def test_deactivate_and_activate_need_post(client, manager_a, hook_a):
    client.force_login(manager_a)
    assert client.get(url("deactivate", hook_a.pk)).status_code == 405
    client.post(url("deactivate", hook_a.pk))
    assert WebhookEndpoint.objects.get(pk=hook_a.pk).is_active is False
    assert "已停用" in client.get(url("index")).content.decode()
    client.post(url("activate", hook_a.pk))
    assert WebhookEndpoint.objects.get(pk=hook_a.pk).is_active is True


def test_delete_asks_for_confirmation_and_deletes_only_on_post(client, manager_a, hook_a):
    delivery(hook_a)
    client.force_login(manager_a)
    confirm = client.get(url("delete", hook_a.pk))
    assert confirm.status_code == 200 and hook_a.url in confirm.content.decode()
    assert 'method="post"' in confirm.content.decode()
    assert WebhookEndpoint.objects.filter(pk=hook_a.pk).exists()  # asking deleted nothing
    audited = AuditEvent.objects.filter(
        kind=AuditKind.WEBHOOK_CHANGED, object_id=str(hook_a.pk), details__action="delete"
    )
    assert not audited.exists()
    response = client.post(url("delete", hook_a.pk))
    assert response.status_code == 302 and response["Location"] == url("index")
    assert not WebhookEndpoint.objects.exists() and not WebhookDelivery.objects.exists()
    assert audited.get().user == manager_a  # the trail keeps who removed it


def test_empty_states(client, manager_a, officer_a):
    client.force_login(manager_a)
    assert "还没有接收地址" in client.get(url("index")).content.decode()
    client.force_login(officer_a)
    assert "请联系本机构主管" in client.get(url("index")).content.decode()


# ---------------------------------------------------------- delivery log and retry


def test_the_delivery_log_lists_attempts_with_codes_and_errors(client, officer_a, hook_a):
    delivery(hook_a, attempts=(500, 502, 503, 504, 500, 500, 500, 500))
    delivery(hook_a, status=DeliveryStatus.SUCCEEDED, attempts=(200,), delivered_at=timezone.now())
    client.force_login(officer_a)
    body = client.get(url("detail", hook_a.pk)).content.decode()
    assert "HTTP 502" in body and "bank said 504" in body and "HTTP 200" in body
    assert "已送达" in body and "失败" in body
    listing = client.get(url("index")).content.decode()
    assert "已送达" in listing  # the most recent delivery's status
    failed_only = client.get(url("detail", hook_a.pk) + "?status=failed").content.decode()
    assert "HTTP 502" in failed_only and "HTTP 200" not in failed_only


def test_the_delivery_log_is_paginated(client, manager_a, hook_a):
    for _ in range(25):
        delivery(hook_a, status=DeliveryStatus.SUCCEEDED, attempts=(200,))
    client.force_login(manager_a)
    first = client.get(url("detail", hook_a.pk))
    assert len(first.context["page"].object_list) == 20 and "?page=2" in first.content.decode()
    assert len(client.get(url("detail", hook_a.pk) + "?page=2").context["page"].object_list) == 5


def test_an_endpoint_without_deliveries_says_so(client, manager_a, hook_a):
    client.force_login(manager_a)
    assert "还没有投递记录" in client.get(url("detail", hook_a.pk)).content.decode()
    assert "尚无投递" in client.get(url("index")).content.decode()


def test_retry_now_sends_a_failed_delivery_again(client, manager_a, bank_a, django_capture_on_commit_callbacks):
    receiver = Receiver()
    try:
        endpoint = webhook_create(
            institution=bank_a, user=manager_a, url=f"http://127.0.0.1:{receiver.port}/lh", secret=SECRET
        )
        failed = delivery(endpoint, attempts=(500,) * 8)
        client.force_login(manager_a)
        page = client.get(url("detail", endpoint.pk)).content.decode()
        assert url("retry", endpoint.pk, failed.pk) in page
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url("retry", endpoint.pk, failed.pk))
    finally:
        receiver.close()
    assert response.status_code == 302
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.last_status_code) == (DeliveryStatus.SUCCEEDED, 9, 204)
    assert list(failed.attempt_log.values_list("status_code", flat=True))[-1] == 204
    assert len(receiver.hosts) == 1


def test_retry_now_of_a_failed_delivery_that_fails_again_stays_failed(
    client, manager_a, bank_a, django_capture_on_commit_callbacks
):
    endpoint = webhook_create(institution=bank_a, user=manager_a, url="http://127.0.0.1:9/closed", secret=SECRET)
    failed = delivery(endpoint, attempts=(500,) * 8)
    client.force_login(manager_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("retry", endpoint.pk, failed.pk))
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (DeliveryStatus.FAILED, 9)
    assert "ConnectionError" in failed.last_error


def test_a_delivered_event_is_not_retried(client, manager_a, hook_a, django_capture_on_commit_callbacks):
    done = delivery(hook_a, status=DeliveryStatus.SUCCEEDED, attempts=(200,))
    client.force_login(manager_a)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(url("retry", hook_a.pk, done.pk), follow=True)
    assert callbacks == [] and "只有失败或等待重试的投递可以立即重试" in response.content.decode()
    assert WebhookDelivery.objects.get(pk=done.pk).attempts == 1
