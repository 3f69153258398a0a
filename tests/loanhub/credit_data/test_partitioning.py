"""The record table at provincial scale (issue 14): on PostgreSQL it is partitioned by a hash of the
USCC (migration 0003, 16 partitions); SQLite keeps one table. What must hold on both engines:
the natural key stays unique, re-import adds nothing, objections still reference their record
(a reference without a database constraint, PROTECT applied by Django)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from loanhub.credit_data.models import NATURAL_KEY_FIELDS, CreditRecord
from loanhub.credit_data.selectors import records_for_enterprise
from loanhub.disputes.models import Objection
from loanhub.disputes.services import objection_raise
from tests.factories.credit import import_rows
from tests.factories.enterprises import make_uscc

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="declarative partitioning is PostgreSQL's; SQLite keeps one table (set DATABASE_URL=postgres://…; CI does)",
)
USCCS = [make_uscc(600 + i) for i in range(24)]


def social_rows(usccs: list[str], months: int = 3) -> list[dict]:
    return [
        {"uscc": uscc, "record_date": f"2025-{m:02d}-28", "month": f"2025-{m:02d}-28", "headcount": 10 + m,
         "amount_paid": 20000 + m, "arrears": 0}
        for uscc in usccs
        for m in range(1, months + 1)
    ]  # fmt: skip


@postgres_only
def test_the_record_table_is_hash_partitioned_by_uscc_into_16_partitions():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.partstrat, a.attname FROM pg_partitioned_table p "
            "JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0] "
            "WHERE p.partrelid = %s::regclass",
            [CreditRecord._meta.db_table],
        )
        assert cursor.fetchall() == [("h", "uscc")]
        cursor.execute("SELECT count(*) FROM pg_inherits WHERE inhparent = %s::regclass", [CreditRecord._meta.db_table])
        assert cursor.fetchone()[0] == 16
        cursor.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('p', 'u') ORDER BY contype",
            [CreditRecord._meta.db_table],
        )
        assert [row[0] for row in cursor.fetchall()] == ["PRIMARY KEY (id, uscc)", "UNIQUE (natural_key, uscc)"]


@postgres_only
def test_imported_rows_land_in_the_partition_of_their_uscc():
    batch = import_rows("social_insurance", social_rows(USCCS))
    assert batch.rows_loaded == len(USCCS) * 3
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT uscc, tableoid::regclass::text, "  # noqa: S608 (our own table name)
            f"satisfies_hash_partition('{CreditRecord._meta.db_table}'::regclass, 16, "
            f"substring(tableoid::regclass::text from '_p([0-9]+)$')::int, uscc) "
            f"FROM {CreditRecord._meta.db_table}"
        )
        rows = cursor.fetchall()
    assert len(rows) == len(USCCS) * 3
    partitions = {uscc: {partition for u, partition, _ok in rows if u == uscc} for uscc in USCCS}
    assert all(len(p) == 1 for p in partitions.values())  # one enterprise's records: one partition
    assert all(ok for _u, _p, ok in rows)  # and it is the partition its hash names
    assert len({next(iter(p)) for p in partitions.values()}) > 4  # 24 enterprises spread over the partitions


@postgres_only
def test_an_enterprises_records_are_read_from_its_partition_only():
    import_rows("social_insurance", social_rows(USCCS[:4]))
    plan = records_for_enterprise(uscc=USCCS[0]).explain()
    scanned = {word for word in plan.split() if word.startswith(f"{CreditRecord._meta.db_table}_p")}
    assert len(scanned) == 1, plan


def test_reimporting_a_file_adds_nothing():
    rows = social_rows(USCCS[:6])
    first = import_rows("social_insurance", rows)
    pks = sorted(CreditRecord.objects.values_list("pk", flat=True))
    again = import_rows("social_insurance", rows)
    assert first.rows_loaded == 18
    assert (again.rows_loaded, again.rows_updated, again.rows_skipped) == (0, 0, 18)
    assert sorted(CreditRecord.objects.values_list("pk", flat=True)) == pks


def test_a_changed_row_is_updated_in_place_not_stored_twice():
    rows = social_rows(USCCS[:2], months=1)
    import_rows("social_insurance", rows)
    rows[0]["headcount"] = 99
    again = import_rows("social_insurance", rows)
    assert (again.rows_loaded, again.rows_updated) == (0, 1)
    assert CreditRecord.objects.filter(uscc=USCCS[0]).get().payload["headcount"] == 99


def test_the_natural_key_is_unique():
    assert NATURAL_KEY_FIELDS == ("natural_key", "uscc")
    import_rows("social_insurance", social_rows(USCCS[:1], months=1))
    stored = CreditRecord.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        CreditRecord.objects.create(
            uscc=stored.uscc, category=stored.category, record_date=stored.record_date, payload={},
            natural_key=stored.natural_key, payload_hash="x", provider=stored.provider,
        )  # fmt: skip


def test_an_objection_references_its_record_and_protects_it(sme_owner):
    user, enterprise = sme_owner
    decided = timezone.localdate() - timedelta(days=150)
    import_rows(
        "penalty",
        [{"uscc": enterprise.uscc, "record_date": decided.isoformat(), "issuer": "市场监督管理局", "severity": "一般"}],
    )
    record = CreditRecord.objects.get(uscc=enterprise.uscc)
    objection = objection_raise(user=user, enterprise=enterprise, record=record, reason="金额有误")
    record.refresh_from_db()
    assert record.under_objection
    assert Objection.objects.get(pk=objection.pk).record == record
    assert list(record.objections.all()) == [objection]
    assert (
        Objection.objects.filter(record__uscc=enterprise.uscc, record__record_date__lt=timezone.localdate()).count()
        == 1
    )
    with pytest.raises(ProtectedError):  # no database constraint any more: Django's PROTECT still holds
        record.delete()
    assert CreditRecord.objects.filter(pk=record.pk).exists()
