"""Builders for credit-data tests: records through the real importer, authorizations."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from django.utils import timezone

from loanhub.consent import texts
from loanhub.consent.models import Authorization, GranteeType, Purpose
from loanhub.credit_data.schema import column_names
from loanhub.credit_data.services import credit_records_import


def csv_bytes(category: str, rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=column_names(category))
    writer.writeheader()
    for row in rows:
        writer.writerow({k: row.get(k, "") for k in column_names(category)})
    return out.getvalue().encode("utf-8")


def import_rows(category: str, rows: list[dict], name: str = "test.csv"):
    return credit_records_import(data=csv_bytes(category, rows), file_name=name, category=category)


def standard_records(uscc: str) -> None:
    """A few records in several categories, one of them older than three years."""
    today = timezone.localdate()
    import_rows(
        "tax_rating", [{"uscc": uscc, "record_date": f"{today.year - 1}-04-01", "year": today.year - 2, "grade": "A"}]
    )
    import_rows(
        "social_insurance",
        [
            {"uscc": uscc, "record_date": (today.replace(day=1) - timedelta(days=1)).isoformat(),
             "month": (today.replace(day=1) - timedelta(days=1)).isoformat(), "headcount": 12,
             "amount_paid": 36000, "arrears": 0},
        ],
    )  # fmt: skip
    import_rows(
        "penalty",
        [{"uscc": uscc, "record_date": (today - timedelta(days=200)).isoformat(), "issuer": "市场监督管理局",
          "severity": "一般", "fine_amount": 5000}],
    )  # fmt: skip
    import_rows("licence", [{"uscc": uscc, "record_date": date(today.year - 4, 1, 10).isoformat(),
                             "licence_type": "食品经营许可证", "issuer": "市场监督管理局",
                             "valid_from": date(today.year - 4, 1, 10).isoformat()}])  # fmt: skip
    import_rows("tax_payment", [{"uscc": uscc, "record_date": (today - timedelta(days=40)).isoformat(),
                                 "period": "2026-09", "tax_paid": 88000}])  # fmt: skip


def authorize(
    enterprise,
    *,
    institution=None,
    grantee_type: str | None = None,
    categories: list[str] | None = None,
    years: int = 3,
    purpose: str = Purpose.MATCHING,
) -> Authorization:
    owner = enterprise.memberships.first().user
    now = timezone.now()
    grantee_type = grantee_type or (GranteeType.INSTITUTION if institution else GranteeType.PLATFORM)
    return Authorization.objects.create(
        enterprise=enterprise,
        granted_by=owner,
        grantee_type=grantee_type,
        institution=institution,
        purpose=purpose,
        categories=categories or ["tax_rating", "social_insurance", "penalty", "licence"],
        data_from=timezone.localdate() - timedelta(days=365 * years),
        valid_from=now - timedelta(minutes=1),
        expires_at=now + timedelta(days=180),
        text_version=texts.CURRENT_VERSION,
        text="test",
        text_hash=texts.text_hash("test"),
    )
