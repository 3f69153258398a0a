from __future__ import annotations

import hashlib
import json
import math
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from loanhub.consent.models import GranteeType, Purpose
from loanhub.consent.selectors import viewer_scope
from loanhub.consent.services import authorization_grant
from loanhub.scoring.exceptions import NoActiveModel
from loanhub.scoring.models import JobStatus, ModelVersion, RescoreJob, ScoreRecord, Trigger
from loanhub.scoring.services import (
    model_activate,
    model_register,
    rescore_job_create,
    rescore_job_run,
    rescore_safely,
    score_enterprise,
    score_for_scope,
)
from tests.factories.accounts import TEST_PASSWORD, UserFactory
from tests.factories.credit import authorize, standard_records
from tests.factories.enterprises import MembershipFactory

pytestmark = pytest.mark.django_db


def test_score_is_stored_with_model_inputs_and_reasons(sme_owner, active_model):
    _user, enterprise = sme_owner
    standard_records(enterprise.uscc)
    record = score_enterprise(enterprise, trigger=Trigger.ON_DEMAND)
    assert record.model_version == active_model
    assert 300 <= record.score <= 900 and record.grade in "ABCDE"
    assert 0 < record.pd < 1
    assert len(record.inputs_hash) == 64
    assert record.reasons and {"code", "text_zh", "text_en", "direction"} <= set(record.reasons[0])
    assert record.features["penalty_count_12m"] == 1


def test_same_inputs_give_the_same_hash_and_score(sme_owner, active_model):
    _user, enterprise = sme_owner
    standard_records(enterprise.uscc)
    first = score_enterprise(enterprise)
    second = score_enterprise(enterprise)
    assert (first.inputs_hash, first.score) == (second.inputs_hash, second.score)


def test_inputs_hash_is_keyed_so_amounts_cannot_be_guessed_from_it(sme_owner, active_model, settings):
    _user, enterprise = sme_owner
    standard_records(enterprise.uscc)
    record = score_enterprise(enterprise)
    data = json.dumps(record.features, sort_keys=True, default=str)
    assert record.inputs_hash != hashlib.sha256(f"{active_model.version}|{data}".encode()).hexdigest()
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    assert score_enterprise(enterprise).inputs_hash != record.inputs_hash


def test_bank_score_uses_only_authorized_categories(sme_owner, bank_a, officer_a, active_model):
    _user, enterprise = sme_owner
    standard_records(enterprise.uscc)
    authorize(enterprise, institution=bank_a, categories=["social_insurance", "licence"])
    scope = viewer_scope(user=officer_a, enterprise=enterprise)
    record = score_for_scope(enterprise, scope)
    assert record.scope == f"institution:{bank_a.pk}"
    assert record.categories == ["licence", "social_insurance"]
    assert record.features["penalty_count_12m"] in (0, None) or math.isnan(record.features["penalty_count_12m"])
    full = score_enterprise(enterprise)
    assert full.features["penalty_count_12m"] == 1
    again = score_for_scope(enterprise, scope)
    assert again.pk == record.pk  # unchanged inputs: one audit row, not one per view


def test_signing_an_authorization_rescores(sme_owner, bank_a, active_model, django_capture_on_commit_callbacks):
    user, enterprise = sme_owner
    with django_capture_on_commit_callbacks(execute=True):
        authorization_grant(
            enterprise=enterprise, user=user, password=TEST_PASSWORD, grantee_type=GranteeType.INSTITUTION,
            institution=bank_a, purpose=Purpose.MATCHING, categories=["tax_rating"],
            data_from=timezone.localdate() - timedelta(days=365), expires_at=timezone.now() + timedelta(days=30),
        )  # fmt: skip
    assert ScoreRecord.objects.get(enterprise=enterprise).trigger == Trigger.CONSENT_CHANGE


def test_without_an_active_model_scoring_says_so(sme_owner):
    _user, enterprise = sme_owner
    with pytest.raises(NoActiveModel):
        score_enterprise(enterprise)
    assert rescore_safely(enterprise, Trigger.DATA_CHANGE) is None


def test_only_one_model_is_active(small_model_dir, active_model):
    other = ModelVersion.objects.create(version="other", path=str(small_model_dir), card={})
    model_activate(version=other)
    assert list(ModelVersion.objects.filter(is_active=True)) == [other]
    assert model_register(path=small_model_dir).version == active_model.version


def test_batch_rescoring_records_progress_and_resumes(active_model):
    enterprises = [MembershipFactory().enterprise for _ in range(3)]
    job = rescore_job_create()
    job.done, job.status = 1, JobStatus.RUNNING  # as if a worker died after the first chunk
    job.save()
    import loanhub.scoring.services as services

    original = services.CHUNK
    services.CHUNK = 1
    try:
        seen: list[int] = []
        rescore_job_run(job, progress=lambda j: seen.append(j.done))
    finally:
        services.CHUNK = original
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.done == job.total == 3
    assert seen == [2, 3]
    scored = set(ScoreRecord.objects.values_list("enterprise_id", flat=True))
    assert scored == {e.pk for e in enterprises[1:]}


def test_admin_starts_a_rescore_and_sees_its_progress(client, active_model):
    MembershipFactory()
    admin = UserFactory(username="root", role="platform_admin", is_superuser=True)
    client.force_login(admin)
    response = client.post(reverse("scoring_admin:rescore"))
    job = RescoreJob.objects.get()
    assert response.status_code == 302 and job.status == JobStatus.DONE
    page = client.get(reverse("scoring_admin:job", args=[job.pk])).content.decode()
    assert "100%" in page


def test_sme_profile_shows_score_reasons_and_tips(client, sme_owner, active_model):
    user, enterprise = sme_owner
    standard_records(enterprise.uscc)
    client.force_login(user)
    body = client.get(reverse("credit_data:profile", args=[enterprise.uscc])).content.decode()
    record = ScoreRecord.objects.get(enterprise=enterprise)
    assert f">{record.score}<" in body
    assert record.reasons[0]["text_zh"] in body
    assert "影响评分的主要因素" in body


def test_importing_records_rescores_registered_enterprises(sme_owner, active_model, django_capture_on_commit_callbacks):
    from tests.factories.credit import import_rows

    _user, enterprise = sme_owner
    with django_capture_on_commit_callbacks(execute=True):
        import_rows("tax_rating", [{"uscc": enterprise.uscc, "record_date": "2025-04-01", "year": 2024, "grade": "D"}])
    record = ScoreRecord.objects.get(enterprise=enterprise)
    assert record.trigger == Trigger.DATA_CHANGE
    with django_capture_on_commit_callbacks(execute=True):  # same file again: nothing changed
        import_rows("tax_rating", [{"uscc": enterprise.uscc, "record_date": "2025-04-01", "year": 2024, "grade": "D"}])
    assert ScoreRecord.objects.filter(enterprise=enterprise).count() == 1
