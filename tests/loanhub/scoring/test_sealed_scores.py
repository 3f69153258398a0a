"""Scores that could use tax amounts store their inputs and reasons encrypted at rest;
other scores stay plain JSON; every reader still sees the real values."""

from __future__ import annotations

import importlib
import io
import json
from dataclasses import replace
from datetime import timedelta

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from loanhub.api.models import ApiToken
from loanhub.api.tokens import token_hash
from loanhub.consent.selectors import viewer_scope
from loanhub.credit_data.catalog import CATEGORY_BY_CODE, SENSITIVE_CODES
from loanhub.scoring.models import ScoreRecord, Trigger
from loanhub.scoring.services import score_enterprise, score_for_scope
from loanhub.security.fields import Sealed, SealedList, encrypted_fields
from tests.factories.credit import authorize, import_rows, standard_records

pytestmark = pytest.mark.django_db

TAX_TEXT = "近12个月纳税97.5万元"
FEATURES = {"tax_paid_12m": 975310.0, "tax_paid_growth_12m": 0.125, "firm_age_months": 60}
REASONS = [
    {"code": "TAX_PAID_12M", "feature": "tax_paid_12m", "value": 975310.0,
     "contribution": -0.42, "direction": "lowers", "text_zh": TAX_TEXT,
     "text_en": "tax paid CNY 975,310 in 12 months"},
    {"code": "FIRM_AGE_MONTHS", "feature": "firm_age_months", "value": 60,
     "contribution": 0.1, "direction": "raises", "text_zh": "成立60个月",
     "text_en": "firm age 60 months"},
]  # fmt: skip
OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()
migration = importlib.import_module("loanhub.scoring.migrations.0002_encrypt_sensitive_scores")


def raw_row(score: ScoreRecord) -> tuple[str, str]:
    """The stored ``features`` and ``reasons`` columns, as text."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT features, reasons FROM scoring_scorerecord WHERE id = %s",
            [score.pk],
        )
        return tuple(str(v) for v in cursor.fetchone())


def stored_score(enterprise, active_model, categories=(), **fields) -> ScoreRecord:
    """A score as the scoring service stores it, with known features and reasons."""
    defaults = {
        "as_of": timezone.localdate(), "inputs_hash": "0" * 64, "pd": 0.02,
        "score": 720, "grade": "B", "trigger": Trigger.ON_DEMAND,
        "features": dict(FEATURES), "reasons": [dict(r) for r in REASONS],
    }  # fmt: skip
    return ScoreRecord.objects.create(
        enterprise=enterprise, model_version=active_model,
        categories=list(categories), **{**defaults, **fields},
    )  # fmt: skip


def tax_rows(uscc: str, months: int = 14) -> list[dict]:
    today = timezone.localdate().replace(day=1)
    rows = []
    for i in range(1, months + 1):
        month = today - timedelta(days=31 * i)
        rows.append({"uscc": uscc, "record_date": month.replace(day=15).isoformat(),
                     "period": month.strftime("%Y-%m"), "tax_paid": 81234 + i})  # fmt: skip
    return rows


def test_a_score_that_used_tax_data_stores_neither_the_amount_nor_the_reasons(sme_owner, active_model):
    _user, enterprise = sme_owner
    standard_records(enterprise.uscc)
    import_rows("tax_payment", tax_rows(enterprise.uscc))
    record = score_enterprise(enterprise)  # bulk_create: sealed through pre_save
    amount = record.features["tax_paid_12m"]
    assert amount > 500_000 and record.categories == []  # a full score: every category
    features, reasons = raw_row(record)
    for raw in (features, reasons):
        assert json.loads(raw).startswith("gAAAA")  # a Fernet token as a JSON string
    assert "tax_paid" not in features and str(int(amount)) not in features
    assert record.reasons and all(r["text_zh"] not in reasons for r in record.reasons)
    stored = ScoreRecord.objects.get(pk=record.pk)
    assert stored.features == record.features and stored.reasons == record.reasons
    assert isinstance(stored.features, Sealed) and isinstance(stored.reasons, SealedList)


def test_a_stored_tax_reason_text_is_not_in_the_database(sme_owner, active_model):
    _user, enterprise = sme_owner
    score = stored_score(enterprise, active_model, categories=["tax_payment"])
    features, reasons = raw_row(score)
    assert "975310" not in features and TAX_TEXT not in reasons
    assert "975,310" not in reasons and "97.5" not in reasons
    stored = ScoreRecord.objects.get(pk=score.pk)
    assert (stored.features, stored.reasons) == (FEATURES, REASONS)
    assert [r["text_zh"] for r in stored.lowering] == [TAX_TEXT]


def test_a_score_without_tax_data_stays_plain_json(sme_owner, bank_a, officer_a, active_model):
    _user, enterprise = sme_owner
    standard_records(enterprise.uscc)
    authorize(enterprise, institution=bank_a, categories=["social_insurance", "penalty"])
    record = score_for_scope(enterprise, viewer_scope(user=officer_a, enterprise=enterprise))
    assert not record.uses_sensitive_data
    features, reasons = raw_row(record)
    assert json.loads(features) == record.features
    assert json.loads(reasons) == record.reasons and record.reasons
    stored = ScoreRecord.objects.get(pk=record.pk)
    assert not isinstance(stored.features, Sealed) and stored.features["penalty_count_12m"] == 1
    assert ScoreRecord.objects.filter(features__penalty_count_12m=1).get() == stored


def test_sealing_follows_the_catalog_flag_not_a_category_name(sme_owner, active_model, monkeypatch):
    _user, enterprise = sme_owner
    monkeypatch.setitem(CATEGORY_BY_CODE, "tax_payment", replace(CATEGORY_BY_CODE["tax_payment"], sensitive=False))
    monkeypatch.setitem(CATEGORY_BY_CODE, "penalty", replace(CATEGORY_BY_CODE["penalty"], sensitive=True))
    tax_only = stored_score(enterprise, active_model, categories=["tax_payment"])
    penalty = stored_score(enterprise, active_model, categories=["licence", "penalty"])
    assert json.loads(raw_row(tax_only)[0]) == FEATURES
    assert "975310" not in raw_row(penalty)[0]


def test_a_bank_score_with_authorized_tax_data_is_sealed_and_reused(sme_owner, bank_a, officer_a, active_model):
    _user, enterprise = sme_owner
    import_rows("tax_payment", tax_rows(enterprise.uscc))
    authorize(enterprise, institution=bank_a, categories=["tax_payment", "licence"])
    scope = viewer_scope(user=officer_a, enterprise=enterprise)
    first = score_for_scope(enterprise, scope)
    assert first.categories == ["licence", "tax_payment"]
    assert "tax_paid" not in raw_row(first)[0]
    again = score_for_scope(enterprise, scope)  # read back from the database
    assert again.pk == first.pk and again.features == first.features
    assert again.features["tax_paid_12m"] > 500_000


def test_the_sme_profile_page_and_the_api_show_the_decrypted_reasons(client, sme_owner, active_model):
    user, enterprise = sme_owner
    standard_records(enterprise.uscc)  # enough data to be rated (no grade from no data)
    score = stored_score(enterprise, active_model)
    assert TAX_TEXT not in raw_row(score)[1]
    client.force_login(user)
    page = client.get(reverse("credit_data:profile", args=[enterprise.uscc])).content.decode()
    assert TAX_TEXT in page and ">720<" in page

    key = "lh_test_sealed_0"
    ApiToken.objects.create(user=user, prefix=key[:10], key_hash=token_hash(key))
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    body = api.get("/api/v1/enterprises/me/").json()
    assert body[0]["score"]["reasons"][0]["text_zh"] == TAX_TEXT
    assert body[0]["score"]["reasons"][0]["value"] == 975310.0


def test_rotation_reencrypts_sealed_scores_and_leaves_plain_ones_alone(sme_owner, active_model, settings):
    _user, enterprise = sme_owner
    settings.LOANHUB_FIELD_KEYS = [OLD_KEY]
    assert (ScoreRecord, ["reasons", "features"]) in encrypted_fields()
    sealed = stored_score(enterprise, active_model)
    plain = stored_score(enterprise, active_model, categories=["licence"])
    before, untouched = raw_row(sealed), raw_row(plain)

    settings.LOANHUB_FIELD_KEYS = [NEW_KEY, OLD_KEY]
    out = io.StringIO()
    call_command("rotate_field_keys", stdout=out)
    assert "scoring.ScoreRecord: 1 rows re-encrypted" in out.getvalue()

    after = raw_row(sealed)
    assert after[0] != before[0] and after[1] != before[1]
    token = json.loads(after[1]).encode()
    assert json.loads(Fernet(NEW_KEY).decrypt(token))[0]["text_zh"] == TAX_TEXT
    with pytest.raises(InvalidToken):
        Fernet(OLD_KEY).decrypt(token)
    assert raw_row(plain) == untouched
    settings.LOANHUB_FIELD_KEYS = [NEW_KEY]  # the old key can now be dropped
    stored = ScoreRecord.objects.get(pk=sealed.pk)
    assert (stored.features, stored.reasons) == (FEATURES, REASONS)


def test_dumpdata_writes_tokens_and_loaddata_reads_them_back(sme_owner, active_model, tmp_path):
    _user, enterprise = sme_owner
    stored_score(enterprise, active_model)
    fixture = tmp_path / "scores.json"
    call_command("dumpdata", "scoring.scorerecord", output=str(fixture))
    assert "975310" not in fixture.read_text() and "纳税" not in fixture.read_text()
    ScoreRecord.objects.all().delete()
    call_command("loaddata", str(fixture), verbosity=0)
    score = ScoreRecord.objects.get()
    assert (score.features, score.reasons) == (FEATURES, REASONS)
    assert TAX_TEXT not in raw_row(score)[1]


def _make_legacy(score: ScoreRecord) -> None:
    """Put a score back the way it was stored before encryption."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE scoring_scorerecord SET features = %s, reasons = %s WHERE id = %s",
            [
                json.dumps(score.features, ensure_ascii=False),
                json.dumps(score.reasons, ensure_ascii=False),
                score.pk,
            ],
        )


def test_the_data_migration_seals_old_scores_and_can_be_reversed(sme_owner, active_model, monkeypatch):
    monkeypatch.setattr(migration, "BATCH", 2)  # several batches
    _user, enterprise = sme_owner
    full = [stored_score(enterprise, active_model) for _ in range(2)]
    taxed = stored_score(enterprise, active_model, categories=["licence", "tax_payment"])
    plain = stored_score(enterprise, active_model, categories=["licence"])
    for score in (*full, taxed):
        _make_legacy(score)
        assert TAX_TEXT in raw_row(score)[1]
    untouched = raw_row(plain)

    migration.seal_sensitive_scores(apps, connection.schema_editor())
    for score in (*full, taxed):
        features, reasons = raw_row(score)
        assert "975310" not in features and TAX_TEXT not in reasons
        stored = ScoreRecord.objects.get(pk=score.pk)
        assert (stored.features, stored.reasons) == (FEATURES, REASONS)
    assert raw_row(plain) == untouched
    sealed = raw_row(taxed)
    migration.seal_sensitive_scores(apps, connection.schema_editor())  # a rerun
    assert raw_row(taxed) == sealed  # rows already done are left alone

    migration.unseal_sensitive_scores(apps, connection.schema_editor())
    for score in (*full, taxed):
        features, reasons = raw_row(score)
        assert (json.loads(features), json.loads(reasons)) == (FEATURES, REASONS)


def test_the_migration_covers_every_sensitive_category_of_the_catalog():
    # A newly sensitive category needs a migration that seals the scores that used it.
    assert set(migration.SENSITIVE) == SENSITIVE_CODES
