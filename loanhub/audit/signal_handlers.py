"""Cross-cutting events recorded from signals: authentication and product approval."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.http import HttpRequest

from .models import AuditKind, Outcome
from .services import audit_record

if TYPE_CHECKING:
    from loanhub.accounts.models import User


def _logged_in(sender: object, request: HttpRequest | None, user: User, **kwargs: object) -> None:
    audit_record(kind=AuditKind.LOGIN_SUCCEEDED, user=user, request=request)


def _login_failed(
    sender: object, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: object
) -> None:
    username = str(credentials.get("username", ""))[:150]
    audit_record(
        kind=AuditKind.LOGIN_FAILED, request=request, outcome=Outcome.FAILURE,
        username=username,
    )  # fmt: skip


def _logged_out(sender: object, request: HttpRequest, user: User | None, **kwargs: object) -> None:
    if user is not None:
        audit_record(kind=AuditKind.LOGOUT, user=user, request=request)


def _locked_out(sender: object, request: HttpRequest, username: str | None, ip_address: str, **kwargs: object) -> None:
    audit_record(
        kind=AuditKind.LOCKOUT, request=request, outcome=Outcome.FAILURE,
        username=username or "", ip=ip_address,
    )  # fmt: skip


def _workflow_finished(kind: str) -> Callable[..., None]:
    # instance: a wagtail WorkflowState (wagtail ships no types)
    def handler(sender: object, instance: Any, user: User | None, **kwargs: object) -> None:
        from cms.models import FinancingProductPage

        page = getattr(instance.content_object, "specific", instance.content_object)
        if isinstance(page, FinancingProductPage):
            audit_record(kind=kind, user=user, obj=page, workflow=instance.workflow.name)

    return handler


_approved = _workflow_finished(AuditKind.PRODUCT_APPROVED)
_rejected = _workflow_finished(AuditKind.PRODUCT_REJECTED)


def connect() -> None:
    from axes.signals import user_locked_out
    from wagtail.signals import workflow_approved, workflow_rejected

    user_logged_in.connect(_logged_in, dispatch_uid="audit-login")
    user_login_failed.connect(_login_failed, dispatch_uid="audit-login-failed")
    user_logged_out.connect(_logged_out, dispatch_uid="audit-logout")
    user_locked_out.connect(_locked_out, dispatch_uid="audit-lockout")
    workflow_approved.connect(_approved, dispatch_uid="audit-product-approved")
    workflow_rejected.connect(_rejected, dispatch_uid="audit-product-rejected")
