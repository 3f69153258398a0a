"""Changing where a bank's lead data is pushed is in the audit trail: who, which
endpoint, what changed — never the signing secret."""

from __future__ import annotations

import json

import pytest

from loanhub.audit.models import AuditEvent, AuditKind

from .conftest import client_for

pytestmark = pytest.mark.django_db


def events() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(kind=AuditKind.WEBHOOK_CHANGED).order_by("pk"))


def test_create_update_delete_through_the_api_are_audited(world):
    manager = world.users["manager_a"]
    api = client_for(world.tokens["manager_a"])
    before = len(events())  # the world's own endpoints were created through the same service
    created = api.post(
        "/api/v1/webhooks/", {"url": "https://hooks.bank-a.example/new", "events": ["lead.new"]}, format="json"
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    secret = "n" * 24
    assert (
        api.patch(f"/api/v1/webhooks/{pk}/", {"description": "核心系统", "secret": secret}, format="json").status_code
        == 200
    )
    assert api.delete(f"/api/v1/webhooks/{pk}/").status_code == 204
    create, update, delete = events()[before:]
    assert [e.details["action"] for e in (create, update, delete)] == ["create", "update", "delete"]
    assert {e.user for e in (create, update, delete)} == {manager}
    assert {e.object_id for e in (create, update, delete)} == {str(pk)}
    assert create.details["url"] == "https://hooks.bank-a.example/new" and create.details["events"] == ["lead.new"]
    assert update.details["fields"] == ["description", "secret"]
    assert all(e.ip_address == "127.0.0.1" and e.path.startswith("/api/v1/webhooks/") for e in (create, update, delete))
    everything = json.dumps([e.details for e in AuditEvent.objects.all()], ensure_ascii=False)
    assert secret not in everything and created.json().get("secret", "§") not in everything


def test_a_refused_change_writes_no_audit_event(world):
    api = client_for(world.tokens["manager_a"])
    before = len(events())
    refused = api.patch(f"/api/v1/webhooks/{world.webhook_a.pk}/", {"url": "https://10.0.0.8/hook"}, format="json")
    assert refused.status_code == 400
    assert len(events()) == before
