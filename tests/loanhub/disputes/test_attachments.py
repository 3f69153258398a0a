"""Dispute attachments: random names in private storage (outside MEDIA_ROOT), served
only through views that check who asks — the enterprise's members and platform
administrators; 404 for anyone else, banks included; never from /media/."""

from __future__ import annotations

import importlib
import re
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import Http404
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.views.static import serve

from loanhub.consent.models import AccessLog, Channel
from loanhub.credit_data.models import CreditRecord
from loanhub.disputes.models import Objection, RepairRequest
from loanhub.disputes.services import repair_apply
from tests.factories.credit import authorize, import_rows

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 evidence of a paid fine"
RANDOM_NAME = re.compile(r"disputes/(objections|repairs)/\d{4}/\d{2}/[0-9a-f]{32}\.pdf")


@pytest.fixture
def penalty_record(sme_owner):
    _user, enterprise = sme_owner
    decided = timezone.localdate() - timedelta(days=150)
    import_rows(
        "penalty",
        [
            {
                "uscc": enterprise.uscc,
                "record_date": decided.isoformat(),
                "issuer": "市场监督管理局",
                "severity": "一般",
                "fine_amount": 3000,
            }
        ],
    )
    return CreditRecord.objects.get(uscc=enterprise.uscc, category="penalty")


@pytest.fixture
def objection(client, sme_owner, penalty_record):
    """An objection raised through the portal with a PDF named after its content."""
    user, enterprise = sme_owner
    client.force_login(user)
    upload = SimpleUploadedFile("营业执照-罚款缴纳凭证.PDF", PDF, content_type="application/pdf")
    url = reverse("disputes:objection_new", args=[enterprise.uscc, penalty_record.pk])
    response = client.post(url, {"reason": "罚款已缴清", "attachment": upload})
    assert response.status_code == 302
    client.logout()
    objection = Objection.objects.get(enterprise=enterprise)
    yield objection
    objection.attachment.delete(save=False)


def attachment_url(objection: Objection) -> str:
    return reverse("disputes:objection_attachment", args=[objection.enterprise.uscc, objection.pk])


def test_the_stored_name_is_random_and_outside_media_root(objection):
    name = objection.attachment.name
    assert RANDOM_NAME.fullmatch(name), name
    assert "营业执照" not in name and "凭证" not in name
    path = Path(objection.attachment.path).resolve()
    assert path.read_bytes() == PDF
    assert not path.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    with pytest.raises(ValueError):
        objection.attachment.url  # noqa: B018 — private files have no public URL


def test_members_get_the_file_as_a_download(client, sme_owner, objection):
    user, _enterprise = sme_owner
    client.force_login(user)
    response = client.get(attachment_url(objection))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"] == f'attachment; filename="objection-{objection.pk}.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    assert not AccessLog.objects.filter(enterprise=objection.enterprise).exists()


def test_the_sme_lists_its_evidence_with_a_download_link(client, sme_owner, objection):
    user, enterprise = sme_owner
    client.force_login(user)
    page = client.get(reverse("disputes:index", args=[enterprise.uscc])).content.decode()
    assert attachment_url(objection) in page


def test_platform_administrators_get_the_file_and_the_read_is_logged(client, platform_admin, objection):
    client.force_login(platform_admin)
    response = client.get(attachment_url(objection))
    assert response.status_code == 200
    assert "attachment;" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF
    read = AccessLog.objects.get(enterprise=objection.enterprise, user=platform_admin)
    assert read.channel == Channel.BACK_OFFICE and read.categories == ["penalty"]
    platform_admin.is_superuser = True  # Wagtail's admin access, as in the other back-office tests
    platform_admin.save()
    client.force_login(platform_admin)
    detail = client.get(reverse("disputes_admin:objection", args=[objection.pk])).content.decode()
    assert attachment_url(objection) in detail


def test_other_enterprises_and_banks_get_a_404(client, other_sme_owner, officer_a, bank_a, objection):
    authorize(objection.enterprise, institution=bank_a, categories=["penalty"])
    for viewer in (other_sme_owner[0], officer_a):
        client.force_login(viewer)
        assert client.get(attachment_url(objection)).status_code == 404
        client.logout()
    wrong_enterprise = reverse("disputes:objection_attachment", args=[other_sme_owner[1].uscc, objection.pk])
    client.force_login(other_sme_owner[0])
    assert client.get(wrong_enterprise).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, objection):
    response = client.get(attachment_url(objection))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_media_urls_do_not_serve_it(client, objection):
    name = objection.attachment.name
    assert client.get(f"{settings.MEDIA_URL}{name}").status_code == 404
    # Nor would the development server's /media/ view (DEBUG): the file is not there.
    request = RequestFactory().get(f"{settings.MEDIA_URL}{name}")
    with pytest.raises(Http404):
        serve(request, name, document_root=settings.MEDIA_ROOT)


def test_repair_proofs_are_served_on_the_same_terms(client, sme_owner, other_sme_owner, penalty_record):
    user, enterprise = sme_owner
    proof = SimpleUploadedFile("proof.pdf", PDF, content_type="application/pdf")
    repair = repair_apply(
        user=user, enterprise=enterprise, record=penalty_record,
        corrected_on=timezone.localdate() - timedelta(days=10), proof=proof, commitment_confirmed=True,
    )  # fmt: skip
    try:
        assert RANDOM_NAME.fullmatch(repair.proof.name)
        url = reverse("disputes:repair_proof", args=[enterprise.uscc, repair.pk])
        client.force_login(other_sme_owner[0])
        assert client.get(url).status_code == 404
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Disposition"] == f'attachment; filename="repair-{repair.pk}.pdf"'
    finally:
        repair.proof.delete(save=False)


def test_files_uploaded_before_move_to_private_storage_under_random_names(
    settings, tmp_path, sme_owner, penalty_record
):
    settings.MEDIA_ROOT = str(tmp_path)
    user, enterprise = sme_owner
    old = default_storage.save("disputes/objections/2026/01/证明.pdf", ContentFile(PDF))
    objection = Objection.objects.create(
        enterprise=enterprise, record=penalty_record, raised_by=user, reason="x",
        due_date=timezone.localdate(),
    )  # fmt: skip
    Objection.objects.filter(pk=objection.pk).update(attachment=old)
    migration = importlib.import_module("loanhub.disputes.migrations.0003_private_random_attachments")
    from django.apps import apps

    migration.move_to_private_storage(apps, SimpleNamespace(connection=connection))
    objection.refresh_from_db()
    try:
        assert RANDOM_NAME.fullmatch(objection.attachment.name)
        assert objection.attachment.read() == PDF
        assert not default_storage.exists(old)
        assert not RepairRequest.objects.exists()
    finally:
        objection.attachment.delete(save=False)
