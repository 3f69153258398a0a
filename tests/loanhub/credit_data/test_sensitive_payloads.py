"""Tax amounts (sensitive catalog categories): encrypted at rest, keyed hashes,
redacted rejections, key rotation, the data migration, and readers that still see
the real values."""

from __future__ import annotations

import hashlib
import importlib
import io
import json
from dataclasses import replace
from datetime import date, timedelta

import pandas as pd
import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from loanhub.credit_data.catalog import CATEGORY_BY_CODE, SENSITIVE_CODES
from loanhub.credit_data.models import CreditRecord, ImportRejection, ProviderKind
from loanhub.credit_data.schema import COLUMNS, NATURAL_KEY
from loanhub.credit_data.services import provider_get
from loanhub.credit_data.validation import canonical_json
from loanhub.scoring.services import record_frames
from loanhub.security.fields import Sealed, encrypted_fields
from risk_models.features import build_features
from tests.factories.credit import import_rows
from tests.factories.enterprises import make_uscc

pytestmark = pytest.mark.django_db

A, B = make_uscc(31), make_uscc(32)
AMOUNT = 97531.0
OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()
migration = importlib.import_module("loanhub.credit_data.migrations.0002_encrypt_sensitive_payloads")


def months_back(n: int) -> date:
    first = timezone.localdate().replace(day=1)
    for _ in range(n):
        first = (first - timedelta(days=1)).replace(day=1)
    return first


def tax_rows(uscc: str, months: int = 1, amount: float = AMOUNT) -> list[dict]:
    return [
        {"uscc": uscc, "record_date": (months_back(i) + timedelta(days=14)).isoformat(),
         "period": months_back(i).strftime("%Y-%m"), "tax_paid": amount + i}
        for i in range(1, months + 1)
    ]  # fmt: skip


def raw_column(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608 — the test's own names
        return cursor.fetchone()[0]


def raw_payload(record: CreditRecord) -> str:
    return raw_column("credit_data_creditrecord", "payload", record.pk)


def test_the_database_holds_ciphertext_and_python_the_amount():
    import_rows("tax_payment", tax_rows(A))
    record = CreditRecord.objects.get()
    stored = raw_payload(record)
    assert "97531" not in stored and "tax_paid" not in stored
    assert json.loads(stored).startswith("gAAAA")  # a Fernet token, as a JSON string
    assert record.payload == {
        "period": months_back(1).strftime("%Y-%m"),
        "tax_paid": AMOUNT + 1,
        "arrears": None,  # the optional column, absent from the file
    }
    assert isinstance(record.payload, Sealed)
    assert CreditRecord.objects.values_list("payload", flat=True).get()["tax_paid"] == AMOUNT + 1
    assert ("缴纳税额（元）", AMOUNT + 1) in record.display_items


def test_other_categories_stay_plain_json_and_searchable():
    import_rows(
        "tax_rating",
        [{"uscc": A, "record_date": "2025-04-01", "year": 2024, "grade": "A"}],
    )
    record = CreditRecord.objects.get()
    assert json.loads(raw_payload(record)) == {"year": 2024, "grade": "A"}
    assert not isinstance(record.payload, Sealed)
    assert CreditRecord.objects.filter(payload__grade="A").count() == 1


def test_saving_a_tax_record_outside_the_importer_encrypts_it_too():
    record = CreditRecord.objects.create(
        uscc=A, category="tax_payment", record_date=date(2025, 5, 15), natural_key="k",
        payload={"period": "2025-04", "tax_paid": AMOUNT}, payload_hash="h",
        provider=provider_get(ProviderKind.FILE),
    )  # fmt: skip
    assert "97531" not in raw_payload(record)
    assert CreditRecord.objects.get(pk=record.pk).payload["tax_paid"] == AMOUNT


def test_reimporting_a_tax_file_adds_and_updates_nothing():
    rows = tax_rows(A, months=3)
    first = import_rows("tax_payment", rows)
    tokens = {r.pk: raw_payload(r) for r in CreditRecord.objects.all()}
    again = import_rows("tax_payment", rows)
    assert (
        first.rows_loaded,
        again.rows_loaded,
        again.rows_updated,
        again.rows_skipped,
    ) == (3, 0, 0, 3)
    assert {r.pk: raw_payload(r) for r in CreditRecord.objects.all()} == tokens  # not even rewritten


def test_a_changed_tax_amount_updates_the_record_and_keeps_it_encrypted():
    import_rows("tax_payment", tax_rows(A))
    changed = import_rows("tax_payment", tax_rows(A, amount=12345.0))
    assert (changed.rows_loaded, changed.rows_updated) == (0, 1)
    record = CreditRecord.objects.get()
    assert record.payload["tax_paid"] == 12346.0
    assert "12346" not in raw_payload(record)


def test_the_tax_payload_hash_is_keyed_and_cannot_be_found_by_guessing(settings):
    import_rows("tax_payment", tax_rows(A))
    record = CreditRecord.objects.get()
    period = record.payload["period"]
    guesses = {
        hashlib.sha256(canonical_json({"period": period, "tax_paid": float(x)}).encode()).hexdigest()
        for x in range(97000, 98000)
    }
    assert record.payload_hash not in guesses
    settings.SECRET_KEY = "another-secret-" + "x" * 40  # the key comes from settings
    import_rows("tax_payment", tax_rows(B))
    other = CreditRecord.objects.get(uscc=B)
    assert other.payload == record.payload and other.payload_hash != record.payload_hash


def test_rejected_tax_rows_keep_the_row_and_reason_but_no_amount():
    rows = [
        *tax_rows(A),
        {"uscc": A, "record_date": "2025-05-15", "period": "", "tax_paid": "864213", "arrears": "531246"},
    ]
    batch = import_rows("tax_payment", rows)
    rejection = batch.rejections.get()
    assert rejection.row_number == 3 and "period" in rejection.reason
    assert rejection.raw == {
        "uscc": A,
        "record_date": "2025-05-15",
        "period": "",
        "tax_paid": "***",
        "arrears": "***",
    }
    stored = raw_column("credit_data_importrejection", "raw", rejection.pk)
    assert "864213" not in stored and "531246" not in stored


def test_rejected_rows_of_other_categories_are_kept_as_read():
    batch = import_rows(
        "tax_rating",
        [{"uscc": A, "record_date": "2025-04-01", "year": 2024, "grade": "Z"}],
    )
    assert batch.rejections.get().raw["grade"] == "Z"


def test_rotation_reencrypts_tax_payloads_and_leaves_plain_rows_alone(settings):
    settings.LOANHUB_FIELD_KEYS = [OLD_KEY]
    assert (CreditRecord, ["payload"]) in encrypted_fields()
    import_rows("tax_payment", tax_rows(A))
    import_rows(
        "tax_rating",
        [{"uscc": A, "record_date": "2025-04-01", "year": 2024, "grade": "A"}],
    )
    tax = CreditRecord.objects.get(category="tax_payment")
    rating = CreditRecord.objects.get(category="tax_rating")
    before, plain = json.loads(raw_payload(tax)), raw_payload(rating)

    settings.LOANHUB_FIELD_KEYS = [NEW_KEY, OLD_KEY]
    out = io.StringIO()
    call_command("rotate_field_keys", stdout=out)
    assert "credit_data.CreditRecord: 1 rows re-encrypted" in out.getvalue()

    after = json.loads(raw_payload(tax))
    assert after != before
    assert json.loads(Fernet(NEW_KEY).decrypt(after.encode()))["tax_paid"] == AMOUNT + 1
    with pytest.raises(InvalidToken):
        Fernet(OLD_KEY).decrypt(after.encode())
    assert raw_payload(rating) == plain
    settings.LOANHUB_FIELD_KEYS = [NEW_KEY]  # the old key can now be dropped
    assert CreditRecord.objects.get(pk=tax.pk).payload["tax_paid"] == AMOUNT + 1
    assert import_rows("tax_payment", tax_rows(A)).rows_skipped == 1  # hashes survive rotation


def test_dumpdata_writes_the_token_and_loaddata_reads_it_back(tmp_path):
    import_rows("tax_payment", tax_rows(A))
    fixture = tmp_path / "records.json"
    call_command("dumpdata", "credit_data.creditrecord", output=str(fixture))
    assert "97531" not in fixture.read_text()
    CreditRecord.objects.all().delete()
    call_command("loaddata", str(fixture), verbosity=0)
    record = CreditRecord.objects.get()
    assert record.payload["tax_paid"] == AMOUNT + 1 and "97531" not in raw_payload(record)


def _make_legacy(record: CreditRecord, plain: dict) -> None:
    """Put a record back the way it was stored before encryption."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE credit_data_creditrecord SET payload = %s, payload_hash = %s WHERE id = %s",
            [
                json.dumps(plain, ensure_ascii=False),
                hashlib.sha256(canonical_json(plain).encode()).hexdigest(),
                record.pk,
            ],
        )


def test_the_data_migration_encrypts_old_rows_and_can_be_reversed(monkeypatch):
    monkeypatch.setattr(migration, "BATCH", 2)  # several batches
    rows = tax_rows(A, months=5)
    batch = import_rows("tax_payment", [*rows, {**rows[0], "period": "", "record_date": "2025-01-15"}])
    plain = {r.pk: dict(r.payload) for r in CreditRecord.objects.all()}
    for record in CreditRecord.objects.all():
        _make_legacy(record, plain[record.pk])
    ImportRejection.objects.update(raw={**rows[0], "tax_paid": "97532"})

    migration.seal_sensitive_records(apps, connection.schema_editor())
    for record in CreditRecord.objects.all():
        assert "tax_paid" not in raw_payload(record) and record.payload == plain[record.pk]
    assert batch.rejections.get().raw["tax_paid"] == "***"
    again = import_rows("tax_payment", rows)
    assert (again.rows_loaded, again.rows_updated, again.rows_skipped) == (0, 0, 5)

    migration.unseal_sensitive_records(apps, connection.schema_editor())
    for record in CreditRecord.objects.all():
        assert json.loads(raw_payload(record)) == plain[record.pk]
        assert record.payload_hash == hashlib.sha256(canonical_json(plain[record.pk]).encode()).hexdigest()


def test_the_migration_covers_every_sensitive_category_of_the_catalog():
    # A newly sensitive category needs a migration that seals its stored rows.
    assert set(migration.SENSITIVE) == SENSITIVE_CODES


def test_natural_keys_of_sensitive_categories_hold_no_amounts():
    # natural_key stays a plain SHA-256 (it must not change with a key): no amount in it.
    for code in SENSITIVE_CODES:
        kinds = {c.name: c.kind for c in COLUMNS[code]}
        assert not [n for n in NATURAL_KEY[code] if kinds[n] in ("decimal", "int")]


def test_scoring_features_from_encrypted_records_equal_those_from_plain_ones(
    monkeypatch,
):
    import_rows("tax_payment", tax_rows(A, months=14))
    with monkeypatch.context() as plain_catalog:  # the same rows, stored in the clear
        plain_catalog.setitem(
            CATEGORY_BY_CODE,
            "tax_payment",
            replace(CATEGORY_BY_CODE["tax_payment"], sensitive=False),
        )
        import_rows("tax_payment", tax_rows(B, months=14))
    encrypted, plain = (
        CreditRecord.objects.filter(uscc=A).first(),
        CreditRecord.objects.filter(uscc=B).first(),
    )
    assert "tax_paid" not in raw_payload(encrypted) and "tax_paid" in raw_payload(plain)

    frames = record_frames([A, B])
    features = build_features(pd.DataFrame({"uscc": [A, B]}), frames, timezone.localdate())
    tax = ["tax_paid_12m", "tax_paid_growth_12m", "tax_zero_quarters_12m"]
    pd.testing.assert_series_equal(features.loc[A, tax], features.loc[B, tax], check_names=False)
    # the last 11 or 12 monthly amounts, depending on today's day of the month
    assert features.loc[A, "tax_paid_12m"] in {sum(AMOUNT + i for i in range(1, n)) for n in (12, 13)}


def corrected_tax_record(sme_owner, admin):
    """A tax record whose amount an objection corrected to 86420; returns both and the rows."""
    from loanhub.disputes.models import ObjectionStatus
    from loanhub.disputes.services import objection_raise, objection_resolve

    user, enterprise = sme_owner
    rows = tax_rows(enterprise.uscc)
    import_rows("tax_payment", rows)
    record = CreditRecord.objects.get()
    objection = objection_raise(user=user, enterprise=enterprise, record=record, reason="税额有误")
    objection = objection_resolve(
        objection=objection, admin=admin, outcome=ObjectionStatus.CORRECTED,
        answer="已更正", corrected_payload={"tax_paid": "86420"},
    )  # fmt: skip
    record.refresh_from_db()
    return record, objection, rows


def test_a_corrected_tax_record_stays_encrypted_and_reimports_as_unchanged(sme_owner, platform_admin):
    record, objection, rows = corrected_tax_record(sme_owner, platform_admin)
    assert record.payload["tax_paid"] == 86420.0 and objection.corrected_payload == {"tax_paid": "86420"}
    assert "86420" not in raw_payload(record)
    assert "86420" not in raw_column("disputes_objection", "corrected_payload", objection.pk)
    again = import_rows("tax_payment", [{**rows[0], "tax_paid": "86420"}])
    assert (again.rows_updated, again.rows_skipped) == (
        0,
        1,
    )  # the same keyed hash as the importer's


def test_the_disputes_migration_seals_old_corrections_and_can_be_reversed(sme_owner, platform_admin):
    from loanhub.disputes.models import Objection

    corrections = importlib.import_module("loanhub.disputes.migrations.0002_encrypt_sensitive_corrections")
    _record, objection, _rows = corrected_tax_record(sme_owner, platform_admin)
    corrections.unseal_corrections(apps, connection.schema_editor())
    assert json.loads(raw_column("disputes_objection", "corrected_payload", objection.pk)) == {"tax_paid": "86420"}
    corrections.seal_corrections(apps, connection.schema_editor())
    assert "86420" not in raw_column("disputes_objection", "corrected_payload", objection.pk)
    assert Objection.objects.get().corrected_payload == {"tax_paid": "86420"}
