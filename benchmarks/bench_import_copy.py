"""Benchmark: the platform's PostgreSQL import against PostgreSQL's raw bulk path, side by side.

On the same exchange file (bench_import.make_file: social-insurance rows, 0.1 % bad), in one run:

- raw: COPY the CSV as it is into a staging table, then one ``INSERT … SELECT … ON CONFLICT
  (natural_key, uscc) DO NOTHING`` into the record table itself (same indexes and constraints),
  keys and payload built in SQL, in one transaction; no validation, no rejection report,
  no encryption, no batch; the table is emptied again afterwards;
- platform: ``credit_records_import`` from the file's bytes: read, validate in pandas, COPY
  into staging, set-based upsert, report, audit.

Each then imports the same file again (adds nothing). Prints one JSON object with rows/s and
``ratio`` = platform rows/s ÷ raw rows/s (the target is at least 0.5). Needs PostgreSQL:
``--database-url`` (default a database ``loanhub_bench_copy`` on the local server, created
and migrated if missing; its record table is emptied before the run).

    python benchmarks/bench_import_copy.py                 # 200,000 rows
    python benchmarks/bench_import_copy.py --rows 1000000
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

DEFAULT_URL = "postgres://loanhub:loanhub@127.0.0.1:5432/loanhub_bench_copy"
CSV_COLUMNS = ("uscc", "record_date", "month", "headcount", "amount_paid", "arrears")


def ensure_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl().replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def raw_import(cursor: Any, data: bytes) -> int:
    """PostgreSQL's own path: COPY the CSV, one set-based insert; returns rows inserted."""
    staging = ", ".join(f"{c} text" for c in CSV_COLUMNS)
    cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS bench_raw_staging ({staging})")
    cursor.execute("TRUNCATE bench_raw_staging")
    with cursor.copy(f"COPY bench_raw_staging ({', '.join(CSV_COLUMNS)}) FROM STDIN (FORMAT csv, HEADER)") as copy:
        copy.write(data)
    payload = (
        "jsonb_build_object('month', month, 'headcount', headcount, 'amount_paid', amount_paid, 'arrears', arrears)"
    )
    cursor.execute(
        f"INSERT INTO {TABLE} (uscc, category, record_date, payload, natural_key, payload_hash, provider_id, "  # noqa: S608 (identifiers are our own, quoted)
        "source_ref, under_objection, created_at, updated_at) "
        f"SELECT uscc, 'social_insurance', record_date::date, {payload}, "
        "encode(sha256(convert_to('social_insurance|' || uscc || '|' || record_date || '|' || month, 'UTF8')), 'hex'), "
        f"encode(sha256(convert_to({payload}::text, 'UTF8')), 'hex'), %s, '', false, now(), now() "
        "FROM bench_raw_staging ON CONFLICT (natural_key, uscc) DO NOTHING",
        [PROVIDER_ID],
    )
    inserted = cursor.rowcount
    cursor.execute("TRUNCATE bench_raw_staging")
    return inserted


PROVIDER_ID = 0
TABLE = "credit_data_creditrecord"


def main() -> None:
    global PROVIDER_ID, TABLE
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args()
    ensure_database(args.database_url)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loanhub.settings.test")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0)
    from bench_import import make_file

    from loanhub.credit_data.models import CreditRecord, ProviderKind
    from loanhub.credit_data.services import credit_records_import, provider_get

    TABLE = CreditRecord._meta.db_table
    PROVIDER_ID = provider_get(ProviderKind.FILE).pk

    def empty() -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {TABLE} CASCADE")  # this benchmark's own database

    empty()
    path = Path(tempfile.mkdtemp(prefix="loanhub-bench-copy-")) / "social_insurance.csv"
    make_file(args.rows, path)
    data = path.read_bytes()

    def timed_raw() -> tuple[float, int]:
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            inserted = raw_import(cursor, data)
        return time.perf_counter() - started, inserted

    raw_seconds, raw_inserted = timed_raw()
    raw_again_seconds, raw_again_inserted = timed_raw()
    empty()
    started = time.perf_counter()
    batch = credit_records_import(data=data, file_name=path.name, category="social_insurance")
    seconds = time.perf_counter() - started
    started = time.perf_counter()
    again = credit_records_import(data=data, file_name=path.name, category="social_insurance")
    again_seconds = time.perf_counter() - started
    stored = CreditRecord.objects.count()
    rows = batch.rows_total
    print(
        json.dumps(
            {
                "benchmark": "import_copy_vs_raw",
                "database": "postgresql",
                "rows": rows,
                "file_mb": round(len(data) / 1e6, 1),
                "raw": {
                    "seconds": round(raw_seconds, 2),
                    "rows_per_second": round(rows / raw_seconds),
                    "inserted": raw_inserted,
                    "reimport_seconds": round(raw_again_seconds, 2),
                    "reimport_inserted": raw_again_inserted,
                },
                "platform": {
                    "seconds": round(seconds, 2),
                    "rows_per_second": round(rows / seconds),
                    "loaded": batch.rows_loaded,
                    "rejected": batch.rows_rejected,
                    "stored": stored,
                    "reimport_seconds": round(again_seconds, 2),
                    "reimport_added": again.rows_loaded + again.rows_updated,
                    "reimport_skipped": again.rows_skipped,
                },
                "ratio": round(raw_seconds / seconds, 2),
                "reimport_ratio": round(raw_again_seconds / again_seconds, 2),
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
