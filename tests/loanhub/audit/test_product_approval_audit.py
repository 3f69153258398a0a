"""A platform moderator's approval of a bank's product is in the audit trail."""

from __future__ import annotations

import pytest
from django.urls import reverse
from wagtail.models import WorkflowState

from loanhub.audit.models import AuditEvent, AuditKind
from tests.cms.admin_forms import product_form_data
from tests.factories.cms import product_create
from tests.factories.portal_fixtures import *  # noqa: F403 — bank pages, officer, moderator

pytestmark = pytest.mark.django_db


def _act(client, user, page, action: str) -> None:
    state = WorkflowState.objects.get(object_id=str(page.pk), status="in_progress")
    client.force_login(user)
    url = reverse("wagtailadmin_pages:workflow_action", args=[page.pk, action, state.current_task_state.pk])
    assert client.post(url, {"comment": "审核意见"}).status_code in (200, 302)


def _submit(client, officer, product, **changes) -> None:
    client.force_login(officer)
    response = client.post(
        reverse("wagtailadmin_pages:edit", args=[product.pk]),
        product_form_data(product, **{"action-submit": "1"}, **changes),
    )
    assert response.status_code == 302


def test_product_approval_and_rejection_are_recorded(client, officer_a, bank_a_page, platform_admin):
    product = product_create(bank_a_page, rate_min="3.45", rate_max="4.20")
    _submit(client, officer_a, product, rate_min="2.95")
    _act(client, platform_admin, product, "approve")
    event = AuditEvent.objects.get(kind=AuditKind.PRODUCT_APPROVED)
    assert (event.user, event.object_type, event.object_id) == (
        platform_admin,
        "cms.financingproductpage",
        str(product.pk),
    )

    _submit(client, officer_a, product, rate_min="1.00")
    _act(client, platform_admin, product, "reject")
    assert AuditEvent.objects.get(kind=AuditKind.PRODUCT_REJECTED).user == platform_admin
