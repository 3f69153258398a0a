"""Import reports people can act on: every error of a row, templates with a sample row and
allowed values, no flood of empty batches."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest
from django.urls import reverse

from loanhub.credit_data.models import CreditRecord, ImportBatch, ImportStatus
from loanhub.credit_data.schema import column_names
from loanhub.credit_data.services import credit_records_fetch, credit_records_import
from tests.factories.credit import authorize, csv_bytes
from tests.factories.enterprises import MembershipFactory, make_uscc

pytestmark = pytest.mark.django_db


def test_every_error_of_a_bad_row_is_reported():
    rows = [
        {"uscc": "91440100000000011X", "record_date": "2025-13-45", "year": "abc", "grade": "Z"},
        {"uscc": make_uscc(11), "record_date": "", "year": 2024, "grade": "A"},
    ]
    batch = credit_records_import(data=csv_bytes("tax_rating", rows), file_name="t.csv", category="tax_rating")
    reasons = dict(batch.rejections.values_list("row_number", "reason"))
    first = reasons[2]
    assert "校验位" in first
    assert "record_date" in first
    assert "year" in first
    assert "grade" in first and "A/B/M/C/D" in first
    assert first.count("；") == 3
    # a blank date is reported once, as blank (not also as a wrong format)
    assert reasons[3] == "列“record_date”不能为空"


def _login(client, platform_admin) -> None:
    platform_admin.is_superuser = True  # back-office access without setting up its groups
    platform_admin.save()
    client.force_login(platform_admin)


def _template(client, platform_admin, category: str) -> list[list[str]]:
    _login(client, platform_admin)
    response = client.get(reverse("credit_data_admin:template", args=[category]))
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("category", ["tax_rating", "penalty", "social_insurance", "commitment", "carbon"])
def test_a_template_has_a_sample_row_that_validates_except_for_its_marked_code(client, platform_admin, category):
    header, sample = _template(client, platform_admin, category)
    assert header == column_names(category)
    assert sample[0].startswith("示例")
    filled = dict(zip(header, sample, strict=True))
    # The sample row is valid apart from the code saying it is a sample ...
    data = csv_bytes(category, [dict(filled, uscc=make_uscc(21))])
    ok = credit_records_import(data=data, file_name="sample.csv", category=category)
    assert (ok.rows_loaded, ok.rows_rejected) == (1, 0)
    # ... and uploaded unchanged it is rejected, never stored as a record.
    unchanged = credit_records_import(data=csv_bytes(category, [filled]), file_name="t.csv", category=category)
    assert (unchanged.rows_loaded, unchanged.rows_rejected) == (0, 1)
    assert CreditRecord.objects.count() == 1


def test_the_import_page_lists_each_columns_allowed_values(client, platform_admin):
    _login(client, platform_admin)
    body = client.get(reverse("credit_data_admin:index")).content.decode()
    assert "取值：A / B / M / C / D" in body
    assert "取值：轻微 / 一般 / 严重" in body
    assert "整数，1990 至 2100" in body
    assert "含示例行" in body


class EmptyForMostCategories:
    kind, code = "sandbox", "stub"

    def fetch(self, usccs, categories, since=None):
        uscc = next(iter(usccs))
        frames = {category: pd.DataFrame(columns=["uscc", "record_date"]) for category in categories}
        frames["tax_rating"] = pd.DataFrame([{"uscc": uscc, "record_date": "2025-03-01", "year": 2024, "grade": "A"}])
        return frames


def test_a_fetch_creates_no_batch_for_a_category_without_records():
    enterprise = MembershipFactory().enterprise
    authorize(enterprise, categories=["tax_rating", "penalty", "judicial", "honour"])
    batches = credit_records_fetch(provider_client=EmptyForMostCategories(), enterprise=enterprise)
    assert [b.category for b in batches] == ["tax_rating"]
    assert ImportBatch.objects.count() == 1


def test_the_import_list_hides_empty_batches_unless_asked(client, platform_admin):
    full = credit_records_import(
        data=csv_bytes(
            "tax_rating", [{"uscc": make_uscc(31), "record_date": "2025-03-01", "year": 2024, "grade": "A"}]
        ),
        file_name="real-file.csv",
        category="tax_rating",
    )
    for n in range(3):
        ImportBatch.objects.create(
            provider=full.provider, category="penalty", file_name=f"empty-fetch-{n}", status=ImportStatus.DONE
        )
    _login(client, platform_admin)
    body = client.get(reverse("credit_data_admin:index")).content.decode()
    assert "real-file.csv" in body
    assert "empty-fetch-" not in body
    assert "已隐藏 3 个" in body
    shown = client.get(reverse("credit_data_admin:index") + "?empty=1").content.decode()
    assert "empty-fetch-0" in shown and "real-file.csv" in shown
