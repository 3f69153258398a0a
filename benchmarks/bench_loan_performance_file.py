"""Benchmark: report loan performance by file (loanhub.loans.imports). Prints one JSON object.

A fresh SQLite database (or ``--database-url``) is migrated; ``--loans`` loans are made the way
the platform makes them (a lead claimed, approved, disbursed); a CSV of ``--days`` monthly reports
per loan is imported, then imported again (every row unchanged), then once more with every
row's balance changed (every row a correction).

    nice -n 19 .venv/bin/python benchmarks/bench_loan_performance_file.py --loans 100 --days 10
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--loans", type=int, default=100)
    parser.add_argument("--days", type=int, default=10)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="loanhub-bench-"))
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loanhub.settings.test")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.utils import timezone

    from loanhub.accounts.models import Role
    from loanhub.institutions.services import institution_add_staff
    from loanhub.loans.imports import performance_file_import
    from tests.factories.accounts import UserFactory
    from tests.factories.cms import institution_page_for
    from tests.factories.institutions import InstitutionFactory
    from tests.factories.loans import loan_create

    bank_page = institution_page_for(InstitutionFactory(slug="bench-bank", short_name="基准银行"))
    officer = UserFactory(username="bench_officer", role=Role.BANK_OFFICER)
    institution_add_staff(institution=bank_page.institution, user=officer)
    start = timezone.localdate() - timedelta(days=30 * args.days + 5)
    loans = [loan_create(bank_page, officer, amount=400_000, disbursed_on=start) for _ in range(args.loans)]

    def file(balance_wan: int) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["贷款编号", "报告日期", "状态", "贷款余额（万元）", "逾期天数", "说明"])
        for loan in loans:
            for month in range(1, args.days + 1):
                writer.writerow([loan.pk, (start + timedelta(days=30 * month)).isoformat(), "正常", balance_wan, 0, ""])
        return out.getvalue().encode("utf-8-sig")

    def run(data: bytes) -> tuple[float, object]:
        started = time.perf_counter()
        report = performance_file_import(
            data=data, file_name="perf.csv", institution=bank_page.institution, user=officer
        )
        return time.perf_counter() - started, report

    rows = args.loans * args.days
    first, created = run(file(38))
    second, unchanged = run(file(38))
    third, corrected = run(file(37))
    print(
        json.dumps(
            {
                "benchmark": "loan_performance_file",
                "database": os.environ["DATABASE_URL"].split(":", 1)[0],
                "loans": args.loans,
                "rows": rows,
                "created": created.created,
                "seconds": round(first, 2),
                "rows_per_second": round(rows / first),
                "reupload_unchanged": unchanged.unchanged,
                "reupload_seconds": round(second, 2),
                "reupload_rows_per_second": round(rows / second),
                "corrected": corrected.corrected,
                "correction_seconds": round(third, 2),
                "correction_rows_per_second": round(rows / third),
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
