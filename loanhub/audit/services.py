"""Writing the audit trail."""

from __future__ import annotations

from contextvars import ContextVar
from datetime import timedelta
from typing import TYPE_CHECKING

from django.db import models
from django.http import HttpRequest
from django.utils import timezone

from loanhub.security.net import client_ip

from .models import AuditEvent, AuditKind, Outcome

if TYPE_CHECKING:
    from loanhub.accounts.models import User

MIN_RETENTION_DAYS = 365  # 等保2.0: audit records kept at least 6 months; we keep 12

# The request being served, so services called without one (consent, imports,
# scoring) still record where the action came from. Set by AuditRequestMiddleware.
current_request: ContextVar[HttpRequest | None] = ContextVar("audit_request", default=None)


def audit_record(
    *,
    kind: str,
    user: User | None = None,  # None: anonymous or the system (or the request's user)
    request: HttpRequest | None = None,
    obj: models.Model | None = None,
    outcome: str = Outcome.SUCCESS,
    **details: object,
) -> AuditEvent:
    """Append one event. ``details`` must be JSON-serialisable (dates and decimals are)."""
    request = request or current_request.get()
    if user is None and request is not None:
        candidate = getattr(request, "user", None)
        if candidate is not None and candidate.is_authenticated:
            user = candidate
    event = AuditEvent(
        kind=AuditKind(kind),
        outcome=Outcome(outcome),
        user=user if user is not None and user.pk else None,
        username=(user.get_username() if user is not None else str(details.get("username", "")))[:150],
        details=details,
    )
    if obj is not None:
        event.object_type = obj._meta.label_lower
        event.object_id = str(obj.pk)[:64]
        event.object_repr = str(obj)[:200]
    if request is not None:
        event.ip_address = client_ip(request)
        event.user_agent = request.META.get("HTTP_USER_AGENT", "")[:300]
        event.path = request.path[:300]
    event.save()
    return event


def audit_prune(*, older_than_days: int) -> int:
    """Delete events older than ``older_than_days`` (at least a year); returns the count."""
    if older_than_days < MIN_RETENTION_DAYS:
        raise ValueError(
            f"Audit events are kept at least {MIN_RETENTION_DAYS} days; refusing to prune at {older_than_days}."
        )
    cutoff = timezone.now() - timedelta(days=older_than_days)
    deleted = AuditEvent.objects.all()._prune_before(cutoff)
    audit_record(kind=AuditKind.AUDIT_PRUNED, deleted=deleted, cutoff=cutoff.isoformat())
    return deleted
