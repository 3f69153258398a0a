"""Webhooks: lead events POSTed to banks' systems as signed JSON.

Each event becomes one ``WebhookDelivery`` per subscribed endpoint *before* anything
is sent, so a failing endpoint never loses it. Sending is a django-tasks task: one
attempt per run, a ~5 s timeout, exponential backoff between attempts. With a
backend that can defer (the database backend and ``db_worker``), the task books its
own retry; with the immediate backend the delivery waits for ``manage.py
retry_webhooks``.

Signature: ``X-LoanHub-Signature: sha256=<hex HMAC-SHA256 of the raw body, keyed
with the endpoint's secret>``; ``X-LoanHub-Event-Id`` and ``X-LoanHub-Timestamp``
let the receiver drop duplicates and stale replays.

No request forgery (SSRF): an endpoint may only point at public addresses. The URL's
host is resolved and every address checked when the endpoint is saved, and again
before every attempt (the name may point elsewhere by then: DNS rebinding); the POST
then connects to the checked address itself, while TLS still verifies the
certificate against the host name. A refused address is a failed attempt in the log.

This module does not import ``tasks.py`` (whose task calls it): the functions that send
in the background take the enqueue as an argument, ``tasks.delivery_enqueue``, passed in
by ``ApiConfig.ready`` and by the back office's retry view.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from ipaddress import ip_address
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from urllib3.exceptions import ConnectTimeoutError

from loanhub.accounts.models import User
from loanhub.audit.models import AuditKind
from loanhub.audit.services import audit_record
from loanhub.institutions.models import FinancialInstitution
from loanhub.loans.alerts import alert_delivery_logged
from loanhub.loans.models import LoanAlert
from loanhub.matching.models import Lead
from loanhub.security.net import PinnedAddressAdapter, address_is_public, host_addresses

from .models import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)

logger = logging.getLogger(__name__)
Enqueue = Callable[[WebhookDelivery], None]  # tasks.delivery_enqueue
LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}
MIN_SECRET_LENGTH = 16
MAX_ADDRESSES_TRIED = 2  # of a host's addresses, when the first cannot be connected to


class WebhookAddressError(Exception):
    """The endpoint's host cannot be sent to; the message says why (for the log)."""


class WebhookHostUnresolved(WebhookAddressError):
    pass


class WebhookAddressRefused(WebhookAddressError):
    """The host is, or resolves to, a private / loopback / link-local / reserved address."""


# ------------------------------------------------------------ where we may send


def _loopback_allowed() -> bool:
    return bool(settings.DEBUG or getattr(settings, "LOANHUB_WEBHOOK_ALLOW_HTTP_LOOPBACK", False))


def _address_allowed(address: str, host: str) -> bool:
    """Public addresses; loopback ones too for 127.0.0.1 / localhost in development."""
    if address_is_public(address):
        return True
    try:
        loopback = ip_address(address).is_loopback
    except ValueError:
        return False
    return loopback and host in LOOPBACK_HOSTS and _loopback_allowed()


def _is_ip_literal(host: str) -> bool:
    try:
        ip_address(host)
    except ValueError:
        return False
    return True


def webhook_addresses(url: str) -> list[str]:
    """The addresses a POST to ``url`` may go to: all of the host's, each checked.

    Raises ``WebhookHostUnresolved`` or ``WebhookAddressRefused`` (if any one address
    is refused: a name that resolves to a public and a private address is refused).
    """
    host = ""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        addresses = host_addresses(host, parts.port)
    except (OSError, UnicodeError, ValueError) as exc:
        raise WebhookHostUnresolved(
            _("无法解析接收地址的域名 %(host)s：%(error)s") % {"host": host, "error": exc}
        ) from exc
    refused = [a for a in addresses if not _address_allowed(a, host)]
    if refused and _is_ip_literal(host):
        raise WebhookAddressRefused(
            _("接收地址 %(host)s 是内网、本机、链路本地或保留地址，平台不向此类地址发送数据。") % {"host": host}
        )
    if refused:
        raise WebhookAddressRefused(
            _("接收地址 %(host)s 解析到内网、本机、链路本地或保留地址（%(address)s），平台不向此类地址发送数据。")
            % {"host": host, "address": ", ".join(refused)}
        )
    return addresses


# -------------------------------------------------------------- endpoints (CRUD)


def webhook_url_validate(url: str) -> str:
    """HTTPS only (plain http just for 127.0.0.1 / localhost in development and
    tests), and only to public addresses. A name that does not resolve yet is
    accepted: every delivery checks the addresses again before it is sent."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 — raises ValueError when out of range
    except ValueError as exc:
        raise ValidationError({"url": _("接收地址不是有效的网址。")}) from exc
    host = (parts.hostname or "").lower()
    https = parts.scheme == "https" and host
    if not (https or (parts.scheme == "http" and host in LOOPBACK_HOSTS and _loopback_allowed())):
        raise ValidationError({"url": _("接收地址必须使用 HTTPS。")})
    try:
        webhook_addresses(url)
    except WebhookHostUnresolved:
        pass
    except WebhookAddressRefused as exc:
        raise ValidationError({"url": str(exc)}) from exc
    return url


def _clean_events(events: list[str] | None) -> list[str]:
    events = list(dict.fromkeys(events or WebhookEvent.values))
    if not events or set(events) - set(WebhookEvent.values):
        raise ValidationError(
            {"events": _("请从 %(events)s 中选择订阅事件。") % {"events": "、".join(WebhookEvent.values)}}
        )
    return events


def _clean_secret(secret: str | None) -> str:
    if not secret:
        return secrets.token_urlsafe(32)
    if len(secret) < MIN_SECRET_LENGTH:
        raise ValidationError({"secret": _("签名密钥至少16个字符。")})
    return secret


def webhook_list(*, institution: FinancialInstitution) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(institution=institution).order_by("-created_at", "-pk")


@transaction.atomic
def webhook_create(
    *,
    institution: FinancialInstitution,
    user: User,
    url: str,
    secret: str | None = None,
    events: list[str] | None = None,
    description: str = "",
    is_active: bool = True,
) -> WebhookEndpoint:
    endpoint = WebhookEndpoint(
        institution=institution, url=webhook_url_validate(url), secret=_clean_secret(secret),
        events=_clean_events(events), description=description, is_active=is_active, created_by=user,
    )  # fmt: skip
    endpoint.full_clean()
    endpoint.save()
    _audit(endpoint, "create", user=user)
    return endpoint


def _audit(endpoint: WebhookEndpoint, action: str, user: User | None = None, **details: Any) -> None:
    """Who changed where the bank's lead data is pushed (never the secret)."""
    audit_record(
        kind=AuditKind.WEBHOOK_CHANGED, user=user, obj=endpoint, action=action, url=endpoint.url,
        events=list(endpoint.events), is_active=endpoint.is_active, institution=endpoint.institution_id, **details,
    )  # fmt: skip


@transaction.atomic
def webhook_update(*, endpoint: WebhookEndpoint, **fields: Any) -> WebhookEndpoint:
    changed = sorted(fields)
    if "url" in fields:
        endpoint.url = webhook_url_validate(str(fields.pop("url")))
    if "secret" in fields:
        endpoint.secret = _clean_secret(str(fields.pop("secret") or ""))
    if "events" in fields:
        endpoint.events = _clean_events(fields.pop("events"))
    for name in ("description", "is_active"):
        if name in fields:
            setattr(endpoint, name, fields.pop(name))
    endpoint.full_clean()
    endpoint.save()
    _audit(endpoint, "update", fields=changed)
    return endpoint


@transaction.atomic
def webhook_delete(*, endpoint: WebhookEndpoint) -> None:
    _audit(endpoint, "delete")
    endpoint.delete()


def webhook_list_with_last_delivery(*, institution: FinancialInstitution) -> QuerySet[WebhookEndpoint]:
    """The institution's endpoints, each with ``last_status`` / ``last_delivery_at``
    of its most recent delivery (None when there is none yet)."""
    latest = WebhookDelivery.objects.filter(endpoint=OuterRef("pk")).order_by("-created_at", "-pk")
    return webhook_list(institution=institution).annotate(
        last_status=Subquery(latest.values("status")[:1]),
        last_delivery_at=Subquery(latest.values("created_at")[:1]),
    )


def delivery_list(*, endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    return endpoint.deliveries.prefetch_related("attempt_log").order_by("-created_at", "-pk")


RETRYABLE = (DeliveryStatus.FAILED, DeliveryStatus.RETRYING)


def delivery_retry_now(*, delivery: WebhookDelivery, enqueue: Enqueue) -> None:
    """Send a failed (or waiting) delivery again now: one more attempt, recorded in
    the log like any other; if it fails, the delivery is retried or failed again as
    usual. The attempt runs after the caller's transaction commits."""
    if not delivery.endpoint.is_active:
        raise ValidationError(_("接收地址已停用，请先启用再重试。"))
    updated = WebhookDelivery.objects.filter(pk=delivery.pk, status__in=RETRYABLE).update(
        status=DeliveryStatus.RETRYING, next_attempt_at=timezone.now()
    )
    if not updated:
        raise ValidationError(_("只有失败或等待重试的投递可以立即重试。"))
    transaction.on_commit(lambda: enqueue(delivery))


# ---------------------------------------------------------------------- events


def lead_payload(lead: Lead, event: str, event_id: str) -> dict:
    """What the bank's system receives: the lead's facts, never credit records nor any
    judgement derived from them (grade, score, PD …): those are read through the API's
    lead endpoint, which checks the live authorization and logs the read."""
    need = lead.need
    return {
        "id": event_id,
        "type": event,
        "created_at": timezone.now().isoformat(),
        "data": {
            "lead": {
                "id": lead.pk,
                "status": lead.status,
                "source": lead.source,
                "product": {"id": lead.product_id, "title": lead.product.title},
                "enterprise": {"uscc": lead.enterprise.uscc, "name": lead.enterprise.name},
                "amount": str(need.amount),
                "term_months": need.term_months,
                "claim_deadline": lead.claim_deadline.isoformat(),
                "decision_deadline": lead.decision_deadline.isoformat(),
                "is_overdue": lead.is_overdue,
                "url": f"/api/v1/leads/{lead.pk}/",
            }
        },
    }


def lead_event_received(lead: Lead, event: str, *, enqueue: Enqueue) -> None:
    """Listener of ``loanhub.matching.events``: record, then send, each delivery.

    Runs after the lead's transaction committed; any failure here is logged and
    never reaches the request that changed the lead.
    """
    try:
        deliveries = deliveries_create(lead, event)
    except Exception:  # the lead change stands whatever happens to its announcement
        logger.exception("webhook: could not record %s for lead %s", event, lead.pk)
        return
    for delivery in deliveries:
        enqueue(delivery)


def deliveries_create(lead: Lead, event: str) -> list[WebhookDelivery]:
    lead = Lead.objects.select_related("need", "product", "enterprise").get(pk=lead.pk)
    endpoints = WebhookEndpoint.objects.filter(institution_id=lead.institution_id, is_active=True)
    created = []
    for endpoint in endpoints:
        if event not in endpoint.events:
            continue
        delivery = WebhookDelivery(endpoint=endpoint, event=event, lead=lead, payload={})
        delivery.payload = lead_payload(lead, event, str(delivery.event_id))
        delivery.next_attempt_at = timezone.now()
        delivery.save()
        created.append(delivery)
    return created


def alert_payload(alert: LoanAlert, event_id: str) -> dict:
    """A post-loan alert for the bank's system: that it was raised (kind, severity, loan, deadline),
    never its summary nor the record: those are read through ``/api/v1/alerts/{id}/``, which checks
    the live monitoring authorization and logs the read. The push itself is logged (channel webhook)."""
    return {
        "id": event_id,
        "type": WebhookEvent.LOAN_ALERT.value,
        "created_at": timezone.now().isoformat(),
        "data": {
            "alert": {
                "id": alert.pk,
                "kind": alert.kind,
                "severity": alert.severity,
                "status": alert.status,
                "raised_at": alert.raised_at.isoformat(),
                "ack_deadline": alert.ack_deadline.isoformat(),
                "loan": {"id": alert.loan_id, "lead_id": alert.loan.lead_id},
                "enterprise": {"uscc": alert.enterprise.uscc, "name": alert.enterprise.name},
                "url": f"/api/v1/alerts/{alert.pk}/",
            }
        },
    }


def alert_deliveries_create(alert: LoanAlert) -> list[WebhookDelivery]:
    alert = LoanAlert.objects.select_related("loan", "enterprise", "record", "authorization").get(pk=alert.pk)
    endpoints = WebhookEndpoint.objects.filter(institution_id=alert.institution_id, is_active=True)
    created = []
    for endpoint in endpoints:
        if WebhookEvent.LOAN_ALERT not in endpoint.events:
            continue
        delivery = WebhookDelivery(endpoint=endpoint, event=WebhookEvent.LOAN_ALERT, lead_id=alert.loan.lead_id)
        delivery.payload = alert_payload(alert, str(delivery.event_id))
        delivery.next_attempt_at = timezone.now()
        delivery.save()
        created.append(delivery)
    if created:
        alert_delivery_logged(alert)
    return created


def alert_event_received(alert: LoanAlert, event: str, *, enqueue: Enqueue) -> None:
    """Listener of ``loanhub.loans.alerts.on_alert_event`` (after the alert's commit)."""
    try:
        deliveries = alert_deliveries_create(alert)
    except Exception:  # the alert stands whatever happens to its announcement
        logger.exception("webhook: could not record %s for alert %s", event, alert.pk)
        return
    for delivery in deliveries:
        enqueue(delivery)


# -------------------------------------------------------------------- sending


def body_bytes(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, 4 min … after the 1st, 2nd, 3rd … failed attempt."""
    return timedelta(seconds=settings.LOANHUB_WEBHOOK_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0))


def _could_not_connect(exc: requests.RequestException) -> bool:
    """Nothing was sent: the connection was refused or timed out while opening."""
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(exc, requests.ConnectTimeout) or isinstance(reason, ConnectTimeoutError)


def _post_to(address: str, url: str, body: bytes, headers: dict) -> requests.Response:
    with requests.Session() as session:
        adapter = PinnedAddressAdapter(address)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        return session.post(
            url, data=body, headers=headers, timeout=settings.LOANHUB_WEBHOOK_TIMEOUT,
            allow_redirects=False,
        )  # fmt: skip


def _post(endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> tuple[int | None, str]:
    """POST to the endpoint's checked addresses, the next one only if the previous
    could not be connected to (as ``socket.create_connection`` would)."""
    try:
        addresses = webhook_addresses(endpoint.url)
    except WebhookAddressError as exc:
        return None, str(exc)[:500]
    body = body_bytes(delivery.payload)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "LoanHub-Webhooks/1",
        "X-LoanHub-Event": delivery.event,
        "X-LoanHub-Event-Id": str(delivery.event_id),
        "X-LoanHub-Timestamp": str(int(time.time())),
        "X-LoanHub-Signature": signature(endpoint.secret, body),
    }
    error = ""
    for address in addresses[:MAX_ADDRESSES_TRIED]:
        try:
            response = _post_to(address, endpoint.url, body, headers)
        except requests.RequestException as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
            if _could_not_connect(exc):
                continue
            return None, error
        return response.status_code, "" if 200 <= response.status_code < 300 else response.text[:200]
    return None, error


def delivery_attempt(delivery_id: int) -> WebhookDelivery | None:
    """One attempt: POST, record it, then succeeded / retry later / failed for good."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update().select_related("endpoint")
            .filter(pk=delivery_id, status__in=(DeliveryStatus.PENDING, DeliveryStatus.RETRYING),
                    next_attempt_at__lte=timezone.now()).first()
        )  # fmt: skip
        if delivery is None:
            return None  # already delivered or given up (a duplicate run)
        delivery.attempts += 1
        delivery.next_attempt_at = None
        delivery.save(update_fields=["attempts", "next_attempt_at"])
    started = time.monotonic()
    try:
        code, error = _post(delivery.endpoint, delivery)
    except Exception as exc:  # recorded as a failed attempt, never left half-done
        logger.exception("webhook: delivery %s failed unexpectedly", delivery.pk)
        code, error = None, f"{type(exc).__name__}: {exc}"[:500]
    WebhookAttempt.objects.create(
        delivery=delivery, number=delivery.attempts, status_code=code, error=error,
        duration_ms=int((time.monotonic() - started) * 1000),
    )  # fmt: skip
    delivery.last_status_code, delivery.last_error = code, error
    if code is not None and 200 <= code < 300:
        delivery.status, delivery.delivered_at = DeliveryStatus.SUCCEEDED, timezone.now()
    elif delivery.attempts >= settings.LOANHUB_WEBHOOK_MAX_ATTEMPTS:
        delivery.status = DeliveryStatus.FAILED
    else:
        delivery.status = DeliveryStatus.RETRYING
        delivery.next_attempt_at = timezone.now() + backoff(delivery.attempts)
    delivery.save(update_fields=["status", "delivered_at", "next_attempt_at", "last_status_code", "last_error"])
    return delivery


def deliveries_due(now: datetime | None = None) -> QuerySet[WebhookDelivery]:
    now = now or timezone.now()
    return WebhookDelivery.objects.filter(
        status__in=(DeliveryStatus.PENDING, DeliveryStatus.RETRYING), next_attempt_at__lte=now
    ).order_by("next_attempt_at", "pk")


def deliveries_retry(*, now: datetime | None = None, limit: int = 500) -> int:
    """Attempt every due delivery once (``manage.py retry_webhooks``); returns how many."""
    ids = list(deliveries_due(now).values_list("pk", flat=True)[:limit])
    for pk in ids:
        delivery_attempt(pk)
    return len(ids)
