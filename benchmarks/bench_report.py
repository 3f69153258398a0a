"""Benchmark: issue a 公共信用报告 (PDF) for an enterprise with 500 records. Prints JSON.

Uses its own database (``--database-url``, default a fresh SQLite file under a
temporary folder), migrated before the run. Needs the CJK font (scripts/ensure_fonts.sh).

    python benchmarks/bench_report.py --records 500 --runs 5
    python benchmarks/bench_report.py --out /tmp/report.pdf   # keep the last PDF
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def month_ends(n: int, today: date) -> list[str]:
    first = today.replace(day=1)
    days = []
    for _ in range(n):
        first = (first - timedelta(days=1)).replace(day=1)
        days.append(((first + timedelta(days=32)).replace(day=1) - timedelta(days=1)).isoformat())
    return days


def rows_for(uscc: str, total: int, today: date) -> dict[str, list[dict]]:
    """``total`` records over five years in every catalogue category, as an exchange
    file would carry them: monthly series, events, ratings."""
    months = month_ends(60, today)
    u = {"uscc": uscc}
    rows: dict[str, list[dict]] = {
        "social_insurance": [
            {
                **u,
                "record_date": m,
                "month": m,
                "headcount": 40 + i % 7,
                "amount_paid": 120000,
                "arrears": 3200 if i in (5, 17) else 0,
            }
            for i, m in enumerate(months)
        ],
        "housing_fund": [
            {**u, "record_date": m, "month": m, "contributors": 38, "amount": 56000, "arrears": 0} for m in months
        ],
        "utilities": [
            {
                **u,
                "record_date": m,
                "month": m,
                "utility": kind,
                "consumption": 1200 + i,
                "amount_billed": 980,
                "amount_overdue": 150 if (i == 3 and kind == "water") else 0,
            }
            for i, m in enumerate(months)
            for kind in ("electricity", "water", "gas")
        ],
        "tax_payment": [{**u, "record_date": m, "period": m[:7], "tax_paid": 88000} for m in months],
        "tax_rating": [
            {**u, "record_date": f"{today.year - k}-04-01", "year": today.year - k - 1, "grade": "AB"[k % 2]}
            for k in range(5)
        ],
        "environment": [
            {**u, "record_date": f"{today.year - k}-06-30", "year": today.year - k - 1, "colour": "绿"}
            for k in range(4)
        ],
        "carbon": [
            {
                **u,
                "record_date": f"{today.year - k}-03-31",
                "year": today.year - k - 1,
                "emissions": 1200,
                "emission_intensity": 0.42,
                "carbon_rating": "浅绿",
            }
            for k in range(4)
        ],
        "customs": [{**u, "record_date": (today - timedelta(days=400)).isoformat(), "grade": "一般"}],
        "registration": [
            {
                **u,
                "record_date": "2015-01-01",
                "event": "establishment",
                "status": "存续",
                "registered_capital": 1000,
                "paid_in_capital": 500,
            }
        ],
        "penalty": [
            {
                **u,
                "record_date": (today - timedelta(days=40 + 61 * k)).isoformat(),
                "issuer": "市场监督管理局",
                "severity": ("轻微", "一般", "严重")[k % 3],
                "fine_amount": 1000 + k,
            }
            for k in range(12)
        ],
        "judicial": [
            {
                **u,
                "record_date": (today - timedelta(days=90 * k + 30)).isoformat(),
                "case_type": "买卖合同纠纷",
                "role": ("plaintiff", "defendant")[k % 2],
                "amount": 50000 + k,
                "status": "closed",
                "closed_on": (today - timedelta(days=90 * k)).isoformat(),
            }
            for k in range(10)
        ],
        "honour": [
            {
                **u,
                "record_date": (today - timedelta(days=200 * k + 10)).isoformat(),
                "honour_type": f"守信激励{k}",
                "issuer": "发展和改革局",
            }
            for k in range(6)
        ],
        "commitment": [
            {
                **u,
                "record_date": (today - timedelta(days=150 * k + 5)).isoformat(),
                "commitment": f"信用承诺事项{k}",
                "fulfilled": "true",
            }
            for k in range(8)
        ],
    }
    used = sum(len(v) for v in rows.values())
    rows["licence"] = [
        {
            **u,
            "record_date": (today - timedelta(days=5 + 4 * k)).isoformat(),
            "licence_type": f"经营许可{k}",
            "issuer": "行政审批局",
            "valid_from": (today - timedelta(days=5 + 4 * k)).isoformat(),
        }
        for k in range(max(total - used, 0))
    ]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--out", default="", help="write the last PDF here")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="loanhub-bench-"))
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loanhub.settings.test")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.utils import timezone

    from loanhub.accounts.models import Role, User
    from loanhub.credit_data.models import CreditRecord
    from loanhub.enterprises.models import EnterpriseMembership, MemberRole
    from loanhub.enterprises.services import enterprise_create
    from loanhub.reports.models import CreditReport
    from loanhub.reports.services import report_issue
    from tests.factories.credit import import_rows

    owner = User.objects.create_user(username="bench_owner", password="x" * 12, role=Role.SME)
    enterprise = _enterprise(enterprise_create, owner, EnterpriseMembership, MemberRole)
    for category, rows in rows_for(enterprise.uscc, args.records, timezone.localdate()).items():
        import_rows(category, rows, name=f"{category}.csv")
    stored = CreditRecord.objects.filter(uscc=enterprise.uscc).count()
    timings, report = [], None
    for _ in range(args.runs):
        started = time.perf_counter()
        report = report_issue(enterprise=enterprise, user=owner, purpose="financing")
        timings.append(time.perf_counter() - started)
    if report is None:
        raise SystemExit("--runs must be at least 1")
    pdf = bytes(CreditReport.objects.get(pk=report.pk).pdf)
    if args.out:
        Path(args.out).write_bytes(pdf)
    print(
        json.dumps(
            {
                "records": stored,
                "records_in_report": report.record_count,
                "pdf_bytes": len(pdf),
                "pages": pdf.count(b"/Type /Page\n") or pdf.count(b"/Type /Page"),
                "first_s": round(timings[0], 3),
                "warm_median_s": round(statistics.median(timings[1:] or timings), 3),
                "warm_max_s": round(max(timings[1:] or timings), 3),
                "runs": args.runs,
                "target_s": 2.0,
            }
        )
    )


def _enterprise(enterprise_create: Callable[..., Any], owner: Any, membership_model: Any, member_role: Any) -> Any:
    # The app's functions and models come in as arguments: importable only after django.setup().
    from tests.factories.enterprises import make_uscc

    enterprise = enterprise_create(
        uscc=make_uscc(987654),
        name="广州市基准测试制造有限公司",
        legal_representative="王基准",
        region="440100",
        industry="C34",
        registration_date=date(2015, 1, 1),
        registered_capital=10_000_000,
        owner=owner,
        verification_status="verified",
    )
    enterprise.verification_status = "verified"
    enterprise.save(update_fields=["verification_status"])
    return enterprise


if __name__ == "__main__":
    main()
