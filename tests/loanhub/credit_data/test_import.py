from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from loanhub.credit_data.exceptions import ImportFileError
from loanhub.credit_data.models import CreditRecord, ImportBatch, ImportStatus
from loanhub.credit_data.services import credit_records_import
from tests.factories.credit import csv_bytes
from tests.factories.enterprises import make_uscc

pytestmark = pytest.mark.django_db

A, B = make_uscc(11), make_uscc(12)
GOOD = [
    {"uscc": A, "record_date": "2025-03-01", "year": 2024, "grade": "A"},
    {"uscc": B, "record_date": "2025-03-01", "year": 2024, "grade": "B"},
    {"uscc": A.lower(), "record_date": "2024-03-01", "year": 2023, "grade": "M"},
]
BAD = [
    {"uscc": "91440100000000011X", "record_date": "2025-03-01", "year": 2024, "grade": "A"},
    {"uscc": A, "record_date": "2025-13-45", "year": 2024, "grade": "A"},
    {"uscc": B, "record_date": "2025-03-01", "year": 2024, "grade": "Z"},
    {"uscc": B, "record_date": "2025-03-01", "year": "", "grade": "A"},
    {"uscc": B, "record_date": "2999-01-01", "year": 2998, "grade": "A"},
]


def mixed_rows() -> list[dict]:
    # bad rows interleaved with good ones
    return [GOOD[0], BAD[0], GOOD[1], BAD[1], BAD[2], GOOD[2], BAD[3], BAD[4]]


def test_bad_rows_are_rejected_with_row_and_reason_and_good_rows_kept():
    batch = credit_records_import(data=csv_bytes("tax_rating", mixed_rows()), file_name="t.csv", category="tax_rating")
    assert (batch.rows_total, batch.rows_loaded, batch.rows_rejected) == (8, 3, 5)
    assert batch.status == ImportStatus.DONE
    assert CreditRecord.objects.count() == 3
    assert set(CreditRecord.objects.values_list("uscc", flat=True)) == {A, B}
    reasons = dict(batch.rejections.values_list("row_number", "reason"))
    # header is row 1: the bad rows sit at file rows 3, 5, 6, 8, 9
    assert sorted(reasons) == [3, 5, 6, 8, 9]
    assert "校验位" in reasons[3]
    assert "record_date" in reasons[5]
    assert "grade" in reasons[6] and "A/B/M/C/D" in reasons[6]
    assert "year" in reasons[8]
    assert "晚于今天" in reasons[9]


def test_reimporting_the_same_file_adds_nothing():
    data = csv_bytes("tax_rating", mixed_rows())
    credit_records_import(data=data, file_name="t.csv", category="tax_rating")
    again = credit_records_import(data=data, file_name="t.csv", category="tax_rating")
    assert (again.rows_loaded, again.rows_updated, again.rows_skipped) == (0, 0, 3)
    assert CreditRecord.objects.count() == 3


def test_a_changed_row_is_updated_not_duplicated():
    rows = [
        {
            "uscc": A,
            "record_date": "2025-01-31",
            "month": "2025-01-31",
            "headcount": 10,
            "amount_paid": 1000,
            "arrears": 0,
        }
    ]
    credit_records_import(data=csv_bytes("social_insurance", rows), file_name="a.csv", category="social_insurance")
    rows[0]["headcount"] = 12
    batch = credit_records_import(
        data=csv_bytes("social_insurance", rows), file_name="b.csv", category="social_insurance"
    )
    assert (batch.rows_loaded, batch.rows_updated) == (0, 1)
    assert CreditRecord.objects.get().payload["headcount"] == 12


def test_duplicate_rows_within_a_file_are_stored_once():
    batch = credit_records_import(
        data=csv_bytes("tax_rating", [GOOD[0], GOOD[0]]), file_name="d.csv", category="tax_rating"
    )
    assert (batch.rows_loaded, batch.rows_skipped) == (1, 1)


def test_excel_and_json_lines_files_import_too():
    frame = pd.DataFrame(GOOD)
    xlsx = io.BytesIO()
    frame.to_excel(xlsx, index=False)
    batch = credit_records_import(data=xlsx.getvalue(), file_name="t.xlsx", category="tax_rating")
    assert batch.rows_loaded == 3
    jsonl = "\n".join(json.dumps(r, ensure_ascii=False) for r in GOOD + [BAD[2]]).encode()
    again = credit_records_import(data=jsonl, file_name="t.jsonl", category="tax_rating")
    assert (again.rows_skipped, again.rows_rejected) == (3, 1)
    assert CreditRecord.objects.count() == 3


def test_gbk_encoded_csv_is_read():
    text = (
        "uscc,record_date,issuer,severity,fine_amount,corrected_on,repaired_on\n"
        + f"{A},2025-05-01,市场监督管理局,一般,2000,,\n"
    )
    batch = credit_records_import(data=text.encode("gb18030"), file_name="gbk.csv", category="penalty")
    assert batch.rows_loaded == 1
    assert CreditRecord.objects.get().payload["issuer"] == "市场监督管理局"


def test_missing_column_fails_the_file_and_stores_nothing():
    data = b"uscc,record_date,year\n" + f"{A},2025-01-01,2024\n".encode()
    with pytest.raises(ImportFileError) as exc:
        credit_records_import(data=data, file_name="m.csv", category="tax_rating")
    assert "grade" in str(exc.value)
    assert CreditRecord.objects.count() == 0
    assert ImportBatch.objects.get().status == ImportStatus.FAILED


def test_unreadable_and_unsupported_files_give_a_clear_error():
    with pytest.raises(ImportFileError, match="无法读取"):
        credit_records_import(data=b"\x00\x01not an xlsx", file_name="x.xlsx", category="tax_rating")
    with pytest.raises(ImportFileError, match="不支持"):
        credit_records_import(data=b"abc", file_name="x.pdf", category="tax_rating")


def test_command_imports_and_reports(tmp_path, capsys):
    path = tmp_path / "ratings.csv"
    path.write_bytes(csv_bytes("tax_rating", mixed_rows()))
    call_command("import_credit_records", str(path), "--category", "tax_rating")
    out = capsys.readouterr().out
    assert "新增 3" in out and "拒收 5" in out and "第3行" in out
    with pytest.raises(CommandError):
        call_command("import_credit_records", str(tmp_path / "missing.csv"), "--category", "tax_rating")


def test_admin_uploads_a_file_and_sees_the_report(client, platform_admin):
    from django.core.files.uploadedfile import SimpleUploadedFile

    platform_admin.is_superuser = True  # Wagtail admin access
    platform_admin.save()
    client.force_login(platform_admin)
    upload = SimpleUploadedFile("ratings.csv", csv_bytes("tax_rating", mixed_rows()), content_type="text/csv")
    response = client.post(reverse("credit_data_admin:index"), {"category": "tax_rating", "file": upload}, follow=True)
    body = response.content.decode()
    assert response.status_code == 200
    assert "校验位" in body  # the report lists the rejected rows
    assert CreditRecord.objects.count() == 3
    batch = ImportBatch.objects.get()
    assert f"导入报告 #{batch.pk}" in body


def test_non_admin_cannot_import(client, officer_a):
    client.force_login(officer_a)
    response = client.get(reverse("credit_data_admin:index"))
    assert response.status_code in (302, 403)


def test_template_download_lists_the_columns(client, platform_admin):
    platform_admin.is_superuser = True
    platform_admin.save()
    client.force_login(platform_admin)
    response = client.get(reverse("credit_data_admin:template", args=["penalty"]))
    header, sample = response.content.decode("utf-8-sig").strip().splitlines()
    assert header == "uscc,record_date,issuer,severity,fine_amount,corrected_on,repaired_on"
    assert sample.startswith("示例行")  # a sample row (test_import_reports.py checks it)


def test_an_import_that_crashes_midway_resumes_without_duplicates(monkeypatch):
    import loanhub.credit_data.services as services

    rows = [
        {"uscc": make_uscc(100 + i), "record_date": "2025-03-01", "year": 2024, "grade": "ABMCD"[i % 5]}
        for i in range(7)
    ]
    data = csv_bytes("tax_rating", rows)
    monkeypatch.setattr(services, "CHUNK", 2)
    real_chunk = services._store_chunk
    calls = {"n": 0}

    def crash_on_third_chunk(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("worker killed")
        return real_chunk(*args, **kwargs)

    monkeypatch.setattr(services, "_store_chunk", crash_on_third_chunk)
    with pytest.raises(RuntimeError):
        credit_records_import(data=data, file_name="big.csv", category="tax_rating")
    assert CreditRecord.objects.count() == 4  # the two committed chunks survived
    crashed = ImportBatch.objects.get()
    assert crashed.status == ImportStatus.FAILED and "worker killed" in crashed.error
    monkeypatch.setattr(services, "_store_chunk", real_chunk)
    again = credit_records_import(data=data, file_name="big.csv", category="tax_rating")
    assert (again.rows_loaded, again.rows_skipped) == (3, 4)
    assert CreditRecord.objects.count() == 7
