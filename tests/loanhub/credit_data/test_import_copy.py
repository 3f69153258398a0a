"""Imports at the database's speed (issue 14): on PostgreSQL through COPY into a staging table
and set-based SQL (loanhub/credit_data/bulk_pg.py), on SQLite through the ORM. The shared
behaviour is tested on both engines; the COPY path's own checks need PostgreSQL (CI runs them)."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import date

import pandas as pd
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from loanhub.credit_data import bulk_pg, services
from loanhub.credit_data.models import CreditRecord
from loanhub.credit_data.services import credit_records_import
from loanhub.credit_data.validation import (
    canonical_json,
    canonical_json_frame,
    payload_hash_key,
    read_table,
    validate_frame,
)
from loanhub.security.fields import Sealed, decrypt_text
from tests.factories.credit import csv_bytes
from tests.factories.enterprises import make_uscc

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the COPY import path needs PostgreSQL (set DATABASE_URL=postgres://…; CI does)",
)

A, B, C = make_uscc(21), make_uscc(22), make_uscc(23)
# Text that COPY's text format must escape (backslash, tab, newline), quotes, non-ASCII.
ISSUER = '市场监管局\\第"一"\t分局\n稽查'
PENALTIES = [
    {"uscc": A, "record_date": "2025-03-01", "issuer": ISSUER, "severity": "一般", "fine_amount": "5,000"},
    {"uscc": "91440100000000011X", "record_date": "2025-13-45", "issuer": "", "severity": "很重"},
    {"uscc": B, "record_date": "2025/04/02", "issuer": "税务局", "severity": "轻微", "corrected_on": "20250501"},
    {"uscc": B, "record_date": "2025-04-02", "issuer": "税务局", "severity": "严重", "fine_amount": "-0"},
    {"uscc": C, "record_date": "2999-01-01", "issuer": "环保局", "severity": "轻微", "fine_amount": "abc"},
    {"uscc": C, "record_date": "2024-12-31", "issuer": "环保局", "severity": "轻微", "fine_amount": "12.5"},
]


def expected(data: bytes, category: str):
    table = read_table(data, "p.csv")
    return validate_frame(table.frame, category, row_numbers=table.row_numbers, problems=table.problems)


def test_column_wise_canonical_json_equals_dumping_each_row():
    frame = pd.DataFrame(
        {
            "b": pd.Series([1, None, 2**60, 3, 1], dtype=object),
            "a": pd.Series(['x\n"é\\', None, 'x\n"é\\', "\t", ""], dtype=object),
            "c": pd.Series([1.5, None, 0.0, 1e16, 0.1], dtype=object),
            "d": pd.Series([True, False, None, True, False], dtype=object),
        }
    )
    assert canonical_json_frame(frame).tolist() == [canonical_json(r) for r in frame.to_dict("records")]
    frame["c"] = pd.Series([1.5, -0.0, 0.0, None, 2.0], dtype=object)  # -0.0 and 0.0 stay apart
    dumped = canonical_json_frame(frame).tolist()
    assert dumped == [canonical_json(r) for r in frame.to_dict("records")]
    assert '"c": -0.0' in dumped[1] and '"c": 0.0' in dumped[2]
    assert canonical_json_frame(pd.DataFrame(index=range(2))).tolist() == ["{}", "{}"]


def test_every_bad_row_is_rejected_with_all_its_reasons_and_good_rows_stored_as_validated():
    data = csv_bytes("penalty", PENALTIES)
    checked = expected(data, "penalty")
    batch = credit_records_import(data=data, file_name="p.csv", category="penalty")
    assert (batch.rows_total, batch.rows_loaded, batch.rows_rejected, batch.rows_done) == (6, 4, 2, 6)
    reasons = dict(batch.rejections.values_list("row_number", "reason"))
    assert sorted(reasons) == [3, 6]
    # all of a row's reasons at once, in column order
    assert "校验位" in reasons[3] and "record_date" in reasons[3] and "issuer" in reasons[3]
    assert "severity" in reasons[3] and reasons[3].count("；") >= 3
    assert "晚于今天" in reasons[6] and "fine_amount" in reasons[6]
    stored = {r.natural_key: r for r in CreditRecord.objects.all()}
    assert len(stored) == 4
    for row in checked.good.itertuples():
        record = stored[row.natural_key]
        assert (record.uscc, record.record_date, record.payload_hash) == (row.uscc, row.record_date, row.payload_hash)
        assert record.payload == row.payload
        assert record.source_ref == f"p.csv#{row.row_number}"
        assert record.batch_id == batch.pk and not record.under_objection and record.removed_at is None
    first = stored[checked.good.iloc[0]["natural_key"]]
    assert first.payload["issuer"] == ISSUER and first.payload["fine_amount"] == 5000.0
    minus_zero = stored[next(r.natural_key for r in checked.good.itertuples() if r.payload["severity"] == "严重")]
    assert (minus_zero.uscc, minus_zero.record_date) == (B, date(2025, 4, 2))
    assert minus_zero.payload["severity"] == "严重" and minus_zero.payload["fine_amount"] == 0


def test_reimport_adds_nothing_and_a_changed_row_is_updated_in_place():
    data = csv_bytes("penalty", PENALTIES)
    credit_records_import(data=data, file_name="p.csv", category="penalty")
    pks = dict(CreditRecord.objects.values_list("natural_key", "pk"))
    again = credit_records_import(data=data, file_name="p.csv", category="penalty")
    assert (again.rows_loaded, again.rows_updated, again.rows_skipped, again.rows_rejected) == (0, 0, 4, 2)
    changed = [dict(r) for r in PENALTIES]
    changed[0]["corrected_on"] = "2025-03-20"  # not part of the natural key: same record, new content
    third = credit_records_import(data=csv_bytes("penalty", changed), file_name="q.csv", category="penalty")
    assert (third.rows_loaded, third.rows_updated, third.rows_skipped) == (0, 1, 3)
    assert dict(CreditRecord.objects.values_list("natural_key", "pk")) == pks
    record = CreditRecord.objects.get(uscc=A)
    assert record.payload["corrected_on"] == "2025-03-20" and record.batch_id == third.pk
    assert record.source_ref == "q.csv#2"


def test_a_file_repeating_a_record_stores_it_once_with_its_last_content():
    rows = [PENALTIES[0], {**PENALTIES[0], "corrected_on": "2025-03-09"}]
    batch = credit_records_import(data=csv_bytes("penalty", rows), file_name="p.csv", category="penalty")
    assert (batch.rows_loaded, batch.rows_skipped) == (1, 1)
    assert CreditRecord.objects.get().payload["corrected_on"] == "2025-03-09"


def test_an_import_crashing_inside_a_chunk_keeps_earlier_chunks_and_resumes_without_duplicates(monkeypatch):
    rows = [
        {"uscc": make_uscc(300 + i), "record_date": "2025-03-01", "year": 2024, "grade": "ABMCD"[i % 5]}
        for i in range(9)
    ]
    data = csv_bytes("tax_rating", rows)
    monkeypatch.setattr(services, "CHUNK", 2)
    real_copy_text, real_store_chunk = bulk_pg.copy_text, services._store_chunk
    calls = {"n": 0}

    def broken_copy_text(*args, **kwargs):  # PostgreSQL: the third COPY fails part way through
        calls["n"] += 1
        text = real_copy_text(*args, **kwargs)
        return text + b"not\ta\tvalid\trow\n" if calls["n"] == 3 else text

    def broken_store_chunk(*args, **kwargs):  # SQLite: the worker dies at the third chunk
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("worker killed")
        real_store_chunk(*args, **kwargs)

    if connection.vendor == "postgresql":
        monkeypatch.setattr(bulk_pg, "copy_text", broken_copy_text)
    else:
        monkeypatch.setattr(services, "_store_chunk", broken_store_chunk)
    with pytest.raises(Exception):  # noqa: B017 — a DataError on PostgreSQL, the RuntimeError on SQLite
        credit_records_import(data=data, file_name="t.csv", category="tax_rating")
    assert CreditRecord.objects.count() == 4  # two chunks committed, the third rolled back whole
    monkeypatch.undo()
    again = credit_records_import(data=data, file_name="t.csv", category="tax_rating")
    assert (again.rows_loaded, again.rows_skipped) == (5, 4)
    assert CreditRecord.objects.count() == 9
    assert CreditRecord.objects.values("natural_key").distinct().count() == 9


@postgres_only
def test_postgres_stores_a_chunk_with_copy_and_two_set_based_statements():
    rows = [{"uscc": make_uscc(400 + i), "record_date": "2025-03-01", "year": 2024, "grade": "A"} for i in range(40)]
    with CaptureQueriesContext(connection) as queries:
        batch = credit_records_import(data=csv_bytes("tax_rating", rows), file_name="t.csv", category="tax_rating")
    assert batch.rows_loaded == 40
    table = CreditRecord._meta.db_table
    writes = [q["sql"] for q in queries.captured_queries if table in q["sql"] and not q["sql"].startswith("SELECT")]
    assert len(writes) == 2  # one UPDATE … FROM staging, one INSERT … SELECT, whatever the row count
    assert writes[0].startswith("UPDATE") and f"FROM {bulk_pg.STAGING}" in writes[0]
    assert writes[1].startswith("INSERT") and "ON CONFLICT" in writes[1] and "DO NOTHING" in writes[1]


@postgres_only
def test_postgres_copy_path_encrypts_sensitive_payloads_and_keys_their_hash():
    rows = [
        {"uscc": A, "record_date": "2025-05-15", "period": "2025-04", "tax_paid": "97531.25"},
        {"uscc": B, "record_date": "2025-05-15", "period": "2025-04", "tax_paid": "86420"},
    ]
    data = csv_bytes("tax_payment", rows)
    batch = credit_records_import(data=data, file_name="tax.csv", category="tax_payment")
    assert batch.rows_loaded == 2
    record = CreditRecord.objects.get(uscc=A)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT payload::text FROM {CreditRecord._meta.db_table} WHERE id = %s", [record.pk])  # noqa: S608
        stored = cursor.fetchone()[0]
    assert "97531" not in stored and "tax_paid" not in stored
    token = json.loads(stored)
    expected = {"period": "2025-04", "tax_paid": 97531.25, "arrears": None}
    assert isinstance(token, str) and json.loads(decrypt_text(token)) == expected
    assert isinstance(record.payload, Sealed) and record.payload["tax_paid"] == 97531.25
    text = canonical_json({"period": "2025-04", "tax_paid": 97531.25, "arrears": None})
    assert record.payload_hash == hmac.new(payload_hash_key(), text.encode(), hashlib.sha256).hexdigest()
    assert record.payload_hash != hashlib.sha256(text.encode()).hexdigest()
    again = credit_records_import(data=data, file_name="tax.csv", category="tax_payment")
    assert (again.rows_loaded, again.rows_updated, again.rows_skipped) == (0, 0, 2)


@postgres_only
def test_copy_text_escapes_what_the_text_format_would_misread():
    good = expected(csv_bytes("penalty", PENALTIES[:1]), "penalty").good
    refs = pd.Series(["a\tb\\c\nd"], index=good.index)
    line = bulk_pg.copy_text(good, "penalty", refs).decode()
    fields = line.rstrip("\n").split("\t")
    assert len(fields) == len(bulk_pg.STAGING_COLUMNS) and line.count("\n") == 1
    assert fields[-1] == "a\\tb\\\\c\\nd"
    assert bulk_pg.copy_text(good.iloc[:0], "penalty", refs.iloc[:0]) == b""
