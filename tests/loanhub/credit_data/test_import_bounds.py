"""Imports stay within bounds (file size, unzipped .xlsx, cell length, what a rejected
row keeps), refuse ambiguous dates and nested JSON, and export their report safely."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import datetime

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse

from loanhub.credit_data.exceptions import ImportFileError
from loanhub.credit_data.models import CreditRecord, ImportBatch, ImportRejection, ImportStatus
from loanhub.credit_data.services import credit_records_import
from tests.factories.credit import csv_bytes
from tests.factories.enterprises import make_uscc

pytestmark = pytest.mark.django_db

A, B = make_uscc(21), make_uscc(22)
HEADER = ["uscc", "record_date", "year", "grade"]
GOOD = [[A, "2025-03-01", 2024, "A"], [B, "2025-03-01", 2024, "B"]]
PLACEHOLDER = "BIG-CELL-PLACEHOLDER"
MB = 1024 * 1024


def xlsx(rows: list[list[object]], header: list[str] = HEADER) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_big_cell(data: bytes, size: int) -> bytes:
    """``data`` with the placeholder cell grown to ``size`` characters once unzipped.

    openpyxl will not write a cell over 32,767 characters; an attacker's tool will.
    """
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info).replace(PLACEHOLDER.encode(), b"A" * size))
    return out.getvalue()


def big_cell_workbook(size: int = 20 * MB) -> bytes:
    # a shared string would do as well; inline keeps the cell in the sheet's XML
    rows = [*GOOD, [A, "2024-03-01", 2023, PLACEHOLDER]]
    return with_big_cell(xlsx(rows), size)


def rejections(batch: ImportBatch) -> dict[int, str]:
    return dict(batch.rejections.values_list("row_number", "reason"))


# ------------------------------------------------------------------ .xlsx archives


@override_settings(LOANHUB_IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES=10 * MB)
def test_an_xlsx_that_unzips_too_big_is_refused_before_parsing(monkeypatch):
    data = big_cell_workbook()
    assert len(data) < 100_000  # small on the wire, 20 MB unzipped

    def no_parsing(*args, **kwargs):
        raise AssertionError("the workbook must not be parsed")

    monkeypatch.setattr(openpyxl, "load_workbook", no_parsing)
    with pytest.raises(ImportFileError, match=r"解压后为 .*超过上限 10.0\sMB"):
        credit_records_import(data=data, file_name="big.xlsx", category="tax_rating")
    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.FAILED and "解压后" in batch.error
    assert not CreditRecord.objects.exists() and not ImportRejection.objects.exists()


def test_a_zip_bomb_is_refused_by_its_compression_ratio():
    with pytest.raises(ImportFileError, match="压缩比异常.*疑似压缩炸弹"):
        credit_records_import(data=big_cell_workbook(), file_name="bomb.xlsx", category="tax_rating")
    assert not CreditRecord.objects.exists()


@override_settings(LOANHUB_IMPORT_XLSX_MAX_PARTS=3)
def test_an_xlsx_with_too_many_parts_is_refused():
    with pytest.raises(ImportFileError, match="部件，超过上限 3"):
        credit_records_import(data=xlsx(GOOD), file_name="parts.xlsx", category="tax_rating")


# ------------------------------------------------------------------ cells and rows


@override_settings(LOANHUB_IMPORT_XLSX_MAX_RATIO=1_000_000)
def test_a_huge_cell_rejects_its_row_the_good_rows_load_and_little_is_kept():
    data = big_cell_workbook()
    batch = credit_records_import(data=data, file_name="big.xlsx", category="tax_rating")
    assert (batch.status, batch.rows_total, batch.rows_loaded, batch.rows_rejected) == (ImportStatus.DONE, 3, 2, 1)
    assert rejections(batch) == {4: "列“grade”超过 32767 个字符的上限"}
    raw = batch.rejections.get().raw
    assert raw["uscc"] == A and raw["grade"].startswith("AAAA") and raw["grade"].endswith("…")
    assert len(json.dumps(raw, ensure_ascii=False)) < 4096 + 200
    again = credit_records_import(data=data, file_name="big.xlsx", category="tax_rating")
    assert (again.rows_loaded, again.rows_updated, again.rows_skipped) == (0, 0, 2)
    assert CreditRecord.objects.count() == 2


@override_settings(LOANHUB_IMPORT_MAX_CELL_CHARS=1000, LOANHUB_IMPORT_REJECTED_ROW_CHARS=300)
def test_an_over_long_csv_cell_rejects_its_row_and_the_stored_row_is_truncated():
    rows = [
        {"uscc": A, "record_date": "2025-05-01", "issuer": "市场监督管理局", "severity": "一般"},
        {
            "uscc": B,
            "record_date": "2025-05-01",
            "issuer": "税务局" * 2000,
            "severity": "一般",
            "fine_amount": "9" * 1500,
        },
        {"uscc": B, "record_date": "2025-06-01", "issuer": "应急管理局", "severity": "轻微"},
    ]
    batch = credit_records_import(data=csv_bytes("penalty", rows), file_name="p.csv", category="penalty")
    assert (batch.rows_loaded, batch.rows_rejected) == (2, 1)
    assert rejections(batch) == {3: "列“issuer”超过 1000 个字符的上限"}
    raw = batch.rejections.get().raw
    assert raw["uscc"] == B
    assert sum(len(k) + len(str(v)) for k, v in raw.items()) <= 300 + 50
    assert "未保存" in raw["…"]  # the cells past the bound are dropped, and it says so


def test_an_infinite_amount_is_rejected_not_a_crash():
    rows = [
        {"uscc": A, "record_date": "2025-05-01", "issuer": "市场监督管理局", "severity": "一般", "fine_amount": "inf"},
        {
            "uscc": B,
            "record_date": "2025-05-01",
            "issuer": "市场监督管理局",
            "severity": "一般",
            "fine_amount": "1e400",
        },
        {"uscc": B, "record_date": "2025-06-01", "issuer": "市场监督管理局", "severity": "一般", "fine_amount": "2000"},
    ]
    batch = credit_records_import(data=csv_bytes("penalty", rows), file_name="p.csv", category="penalty")
    assert (batch.rows_loaded, batch.rows_rejected) == (1, 2)
    assert set(rejections(batch).values()) == {"列“fine_amount”应为数字"}


def test_a_penalty_without_its_optional_fine_imports_and_reimports_as_one_record():
    # fine_amount is part of the natural key; blank, it once failed the whole file
    rows = [{"uscc": A, "record_date": "2025-05-01", "issuer": "市场监督管理局", "severity": "一般"}]
    batch = credit_records_import(data=csv_bytes("penalty", rows), file_name="p.csv", category="penalty")
    assert (batch.status, batch.rows_loaded) == (ImportStatus.DONE, 1)
    again = credit_records_import(data=csv_bytes("penalty", rows), file_name="p.csv", category="penalty")
    assert (again.rows_loaded, again.rows_skipped) == (0, 1)


def test_blank_rows_are_skipped_and_row_numbers_stay_those_of_the_file():
    text = "uscc,record_date,year,grade\n" + f"{A},2025-03-01,2024,A\n\n\n{B},2025-03-01,2024,Z\n"
    batch = credit_records_import(data=text.encode(), file_name="blank.csv", category="tax_rating")
    assert (batch.rows_total, batch.rows_loaded) == (2, 1)
    assert list(rejections(batch)) == [5]
    workbook = xlsx([GOOD[0], [None, None, None, None], [B, "2025-03-01", 2024, "Z"]])
    batch = credit_records_import(data=workbook, file_name="blank.xlsx", category="tax_rating")
    assert list(rejections(batch)) == [4]


# ------------------------------------------------------------------ file size


@override_settings(LOANHUB_IMPORT_MAX_FILE_BYTES=1000)
def test_a_file_over_the_size_bound_is_refused_everywhere(tmp_path, client, platform_admin):
    data = csv_bytes("tax_rating", [{"uscc": A, "record_date": "2025-03-01", "year": 2024, "grade": "A"}] * 40)
    assert len(data) > 1000
    with pytest.raises(ImportFileError, match="超过导入上限 1000"):
        credit_records_import(data=data, file_name="big.csv", category="tax_rating")
    path = tmp_path / "big.csv"
    path.write_bytes(data)
    with pytest.raises(CommandError, match="超过导入上限"):
        call_command("import_credit_records", str(path), "--category", "tax_rating")
    platform_admin.is_superuser = True
    platform_admin.save()
    client.force_login(platform_admin)
    upload = SimpleUploadedFile("big.csv", data, content_type="text/csv")
    response = client.post(reverse("credit_data_admin:index"), {"category": "tax_rating", "file": upload})
    assert "超过导入上限" in response.content.decode()
    assert ImportBatch.objects.count() == 1  # only the service call above made one
    assert not CreditRecord.objects.exists()


# ------------------------------------------------------------------ dates


def test_dates_are_year_first_and_ambiguous_ones_are_rejected_with_the_formats():
    rows = [
        {"uscc": A, "record_date": "2025/03/01", "year": 2024, "grade": "A"},
        {"uscc": B, "record_date": "20250302", "year": 2024, "grade": "B"},
        {"uscc": A, "record_date": "2024-3-1", "year": 2023, "grade": "B"},
        {"uscc": B, "record_date": "1/2/2026", "year": 2025, "grade": "A"},
        {"uscc": B, "record_date": "2025-03-01 00:00:00", "year": 2023, "grade": "A"},
        {"uscc": B, "record_date": "March 1, 2025", "year": 2022, "grade": "A"},
    ]
    batch = credit_records_import(data=csv_bytes("tax_rating", rows), file_name="d.csv", category="tax_rating")
    assert (batch.rows_loaded, batch.rows_rejected) == (3, 3)
    reasons = rejections(batch)
    assert sorted(reasons) == [5, 6, 7]
    assert reasons[5] == "列“record_date”日期格式无效，应为 YYYY-MM-DD、YYYY/MM/DD 或 YYYYMMDD（如 2026-01-02）"
    dates = sorted(str(d) for d in CreditRecord.objects.values_list("record_date", flat=True))
    assert dates == ["2024-03-01", "2025-03-01", "2025-03-02"]


def test_a_date_column_in_the_payload_follows_the_same_rule():
    rows = [
        {
            "uscc": A,
            "record_date": "2025-01-10",
            "licence_type": "食品经营许可证",
            "issuer": "市场监督管理局",
            "valid_from": "2025/01/10",
        },
        {
            "uscc": B,
            "record_date": "2025-01-10",
            "licence_type": "食品经营许可证",
            "issuer": "市场监督管理局",
            "valid_from": "10/01/2025",
        },
    ]
    batch = credit_records_import(data=csv_bytes("licence", rows), file_name="l.csv", category="licence")
    assert batch.rows_loaded == 1
    assert CreditRecord.objects.get().payload["valid_from"] == "2025-01-10"
    assert "valid_from" in rejections(batch)[3] and "YYYYMMDD" in rejections(batch)[3]


def test_real_excel_dates_are_read_as_dates():
    # Excel cells hold naive datetimes: openpyxl refuses timezone-aware ones.
    rows = [[A, datetime(2025, 3, 1), 2024, "A"], [B, datetime(2025, 3, 2), 2024, "B"]]  # noqa: DTZ001
    batch = credit_records_import(data=xlsx(rows), file_name="dates.xlsx", category="tax_rating")
    assert (batch.rows_loaded, batch.rows_rejected) == (2, 0)
    assert sorted(str(d) for d in CreditRecord.objects.values_list("record_date", flat=True)) == [
        "2025-03-01",
        "2025-03-02",
    ]


# ------------------------------------------------------------------ JSON Lines


def test_nested_json_values_and_broken_lines_are_rejected_with_their_line_number():
    lines = [
        json.dumps({"uscc": A, "record_date": "2025-03-01", "year": 2024, "grade": "A"}),
        json.dumps({"uscc": B, "record_date": "2025-03-01", "year": 2024, "grade": {"value": "A"}}),
        "",
        json.dumps({"uscc": B, "record_date": "2025-03-01", "year": [2024], "grade": "B"}),
        "{not json",
        json.dumps(["not", "an", "object"]),
        json.dumps({"uscc": B, "record_date": "2024-03-01", "year": 2023, "grade": "M", "note": None}),
    ]
    data = "\n".join(lines).encode()
    batch = credit_records_import(data=data, file_name="r.jsonl", category="tax_rating")
    assert (batch.rows_total, batch.rows_loaded, batch.rows_rejected) == (6, 2, 4)
    reasons = rejections(batch)
    assert reasons == {
        2: "列“grade”是嵌套的 JSON 值（对象或数组），应为文本、数字、true/false 或 null",
        4: "列“year”是嵌套的 JSON 值（对象或数组），应为文本、数字、true/false 或 null",
        5: "该行不是有效的 JSON",
        6: "该行应为一个 JSON 对象（{…}）",
    }
    stored = batch.rejections.get(row_number=2).raw
    assert json.loads(stored["grade"]) == {"value": "A"}  # kept as JSON text, not Python's repr
    again = credit_records_import(data=data, file_name="r.jsonl", category="tax_rating")
    assert (again.rows_loaded, again.rows_skipped) == (0, 2)


# ------------------------------------------------------------------ the report's export


PREFIXES = ["=", "+", "-", "@"]  # a leading tab or CR is stripped on import already


def test_the_rejected_rows_export_neutralizes_what_the_uploader_typed(client, platform_admin):
    rows = [
        {
            "uscc": A,
            "record_date": "2025-05-01",
            "issuer": f'{p}HYPERLINK("http://evil.example","{i}")',
            "severity": "严重!",
        }
        for i, p in enumerate(PREFIXES)
    ]
    rows.append(
        {"uscc": A, "record_date": "2025-05-01", "issuer": "市场监督管理局", "severity": "一般", "fine_amount": "-5"}
    )
    batch = credit_records_import(data=csv_bytes("penalty", rows), file_name="p.csv", category="penalty")
    assert batch.rows_rejected == 5
    platform_admin.is_superuser = True
    platform_admin.save()
    client.force_login(platform_admin)
    assert (
        reverse("credit_data_admin:batch_rejections", args=[batch.pk])
        in client.get(reverse("credit_data_admin:batch", args=[batch.pk])).content.decode()
    )
    response = client.get(reverse("credit_data_admin:batch_rejections", args=[batch.pk]))
    assert response["Content-Disposition"] == f'attachment; filename="loanhub-import-{batch.pk}-rejections.csv"'
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text, newline="")))
    assert table[0][:4] == ["行号", "原因", "uscc", "record_date"]
    issuers = {row[0]: row[4] for row in table[1:]}
    for number, (prefix, row) in enumerate(zip(PREFIXES, rows, strict=False), start=2):
        assert issuers[str(number)] == "'" + row["issuer"]
        assert issuers[str(number)][1] == prefix
    amounts = {row[0]: row[6] for row in table[1:]}
    assert amounts["6"] == "'-5"  # a cell as typed is text, so it is quoted too
    assert [row[0] for row in table[1:]] == ["2", "3", "4", "5", "6"]  # row numbers: numbers, unquoted


def test_only_platform_admins_export_an_import_report(client, officer_a):
    batch = credit_records_import(data=csv_bytes("tax_rating", []), file_name="e.csv", category="tax_rating")
    client.force_login(officer_a)
    response = client.get(reverse("credit_data_admin:batch_rejections", args=[batch.pk]))
    assert response.status_code in (302, 403)
