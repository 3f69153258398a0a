"""Benchmark: how to partition the record table on PostgreSQL — unpartitioned, LIST by category, HASH by USCC.

On a scratch database (default ``loanhub_bench_partition`` on the local server, created and migrated
if missing; never the test database), three copies of the same synthetic record table are built
side by side, one per scheme, each with the indexes the platform uses:

- primary key ``(id[, partition key])``, unique ``(natural_key, partition key)`` (``uscc`` for the
  unpartitioned and hash tables, ``category`` for the list one), ``(uscc, category, record_date)``,
  ``category``, ``provider_id``, ``batch_id``; foreign keys to the provider and the batch;
- ``--rows`` records (default 3,000,000) of ``--rows // 50`` enterprises, generated in SQL: the 15
  catalogue categories (monthly ones most frequent), dates over five years, one enterprise's rows
  scattered over the table as imports of many files leave them; 0.2 % removed, 0.3 % repaired.

The machine is shared, so the schemes are measured interleaved (round after round, each round in
a rotated order) rather than one after the other: a burst of load hits all three alike.

- import: ``credit_records_import`` of new social-insurance files (``--import-rows`` in 4 files,
  bench_import.make_file) through the COPY path (``bulk_pg``; the scheme's table is renamed into
  place for it), whole and the time spent in ``bulk_pg.upsert_chunk``; then each file again
  (re-import: adds nothing);
- profile: one USCC's counting records of one category in a date range, and all of one USCC's
  records in page order (``records_for_enterprise``), 200 random enterprises, warm cache;
- features: every counting record of 1,000 enterprises as of a date (``record_frames`` for a
  batch), 12 batches; and one USCC-hash slice (1/16 of the enterprises: what a batch job's
  partition reads), 3 slices;
- sizes; ``EXPLAIN (ANALYZE, BUFFERS)`` of the queries, written to ``--plans``.

Prints one JSON object. Run it under ``nice -n 19``; 3M rows take about 15 minutes.

    nice -n 19 python benchmarks/bench_pg_partitioning.py
    nice -n 19 python benchmarks/bench_pg_partitioning.py --rows 1000000
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

DEFAULT_URL = "postgres://loanhub:loanhub@127.0.0.1:5432/loanhub_bench_partition"
TABLE = "credit_data_creditrecord"
TEMPLATE = "bench_partition_template"
SCHEMES = ("plain", "list", "hash")
CATEGORY_WEIGHTS = {
    "social_insurance": 6, "tax_payment": 5, "housing_fund": 3, "utilities": 3, "registration": 1, "licence": 1,
    "penalty": 1, "tax_rating": 1, "judicial": 1, "dishonest_debtor": 1, "customs": 1, "environment": 1,
    "honour": 1, "commitment": 1, "carbon": 1,
}  # fmt: skip


def name(scheme: str) -> str:
    return f"bench_rec_{scheme}"


def create_table(cursor: Any, scheme: str, partitions: int) -> None:
    table = name(scheme)
    cursor.execute(f"DROP TABLE IF EXISTS {table} CASCADE")  # this benchmark's own database
    by = {"plain": "", "list": " PARTITION BY LIST (category)", "hash": " PARTITION BY HASH (uscc)"}[scheme]
    cursor.execute(f"CREATE TABLE {table} (LIKE {TEMPLATE} INCLUDING DEFAULTS INCLUDING IDENTITY){by}")
    if scheme == "hash":
        for i in range(partitions):
            cursor.execute(
                f"CREATE TABLE {table}_p{i:02d} PARTITION OF {table} "
                f"FOR VALUES WITH (MODULUS {partitions}, REMAINDER {i})"
            )
    elif scheme == "list":
        for code in CATEGORY_WEIGHTS:
            cursor.execute(f"CREATE TABLE {table}_{code} PARTITION OF {table} FOR VALUES IN ('{code}')")
        cursor.execute(f"CREATE TABLE {table}_other PARTITION OF {table} DEFAULT")


def generate_rows(cursor: Any, rows: int, provider_id: int) -> float:
    firms = max(rows // 50, 1)
    categories = [code for code, weight in CATEGORY_WEIGHTS.items() for _ in range(weight)]
    array = "ARRAY[" + ", ".join(f"'{c}'" for c in categories) + "]"
    started = time.perf_counter()
    cursor.execute("SELECT setseed(0.42)")
    cursor.execute(
        f"INSERT INTO {name('plain')} (uscc, category, record_date, payload, natural_key, payload_hash, "  # noqa: S608 (our own identifiers)
        "provider_id, source_ref, under_objection, removed_at, repaired_on, created_at, updated_at) "
        "SELECT u, c, d, p, "
        "encode(sha256(convert_to(c || '|' || u || '|' || d::text || '|' || g::text, 'UTF8')), 'hex'), "
        "md5(p::text) || md5(u), %s, 'bench', false, CASE WHEN g %% 500 = 0 THEN now() END, "
        "CASE WHEN g %% 300 = 7 THEN d + 400 END, now(), now() FROM ("
        f"  SELECT g, '91440300' || lpad((g %% {firms})::text, 9, '0') || 'X' AS u, "
        f"  ({array})[1 + floor(random() * {len(categories)})::int] AS c, "
        "  date '2021-11-01' + floor(random() * 1826)::int AS d, "
        "  jsonb_build_object('headcount', floor(random() * 200)::int, 'amount_paid', floor(random() * 400000)::int, "
        "  'arrears', 0, 'severity', '一般') AS p "
        "  FROM generate_series(1, %s) AS g) AS s",
        [provider_id, rows],
    )
    return time.perf_counter() - started


def create_indexes(cursor: Any, scheme: str) -> float:
    table, key = name(scheme), "category" if scheme == "list" else "uscc"
    started = time.perf_counter()
    pk = "id" if scheme == "plain" else f"id, {key}"
    cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {table}_pkey PRIMARY KEY ({pk})")
    cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {table}_natural_key UNIQUE (natural_key, {key})")
    cursor.execute(f"CREATE INDEX {table}_uscc_cat_date ON {table} (uscc, category, record_date)")
    cursor.execute(f"CREATE INDEX {table}_category ON {table} (category)")
    cursor.execute(f"CREATE INDEX {table}_provider ON {table} (provider_id)")
    cursor.execute(f"CREATE INDEX {table}_batch ON {table} (batch_id)")
    for column, target in (("provider_id", "credit_data_provider"), ("batch_id", "credit_data_importbatch")):
        cursor.execute(
            f"ALTER TABLE {table} ADD FOREIGN KEY ({column}) REFERENCES {target} (id) DEFERRABLE INITIALLY DEFERRED"
        )
    return time.perf_counter() - started


def sizes(cursor: Any, scheme: str) -> dict[str, float]:
    table = name(scheme)
    if scheme == "plain":
        cursor.execute("SELECT pg_table_size(%s), pg_indexes_size(%s)", [table, table])
    else:
        cursor.execute(
            "SELECT sum(pg_table_size(relid)), sum(pg_indexes_size(relid)) FROM pg_partition_tree(%s)", [table]
        )
    data, indexes = cursor.fetchone()
    return {"table_mb": round(float(data) / 1e6), "indexes_mb": round(float(indexes) / 1e6)}


def profile_sql(table: str) -> str:
    return (
        f"SELECT * FROM {table} WHERE uscc = %s AND category = %s AND record_date BETWEEN %s AND %s "  # noqa: S608 (our own identifier)
        "AND removed_at IS NULL AND repaired_on IS NULL ORDER BY record_date DESC"
    )


def page_sql(table: str) -> str:
    return f"SELECT * FROM {table} WHERE uscc = %s ORDER BY category, record_date DESC, id"  # noqa: S608 (our own identifier)


def features_sql(table: str) -> str:
    return (
        f"SELECT uscc, category, record_date, payload, repaired_on FROM {table} "  # noqa: S608 (our own identifier)
        "WHERE uscc = ANY(%s) AND removed_at IS NULL AND record_date <= %s"
    )


def slice_sql(scheme: str, partitions: int, k: int) -> str:
    """One USCC-hash slice. Hash: the table partition itself; otherwise a filter on the same hash
    (PostgreSQL's partition hash is not exposed as a function a plain table could be indexed on)."""
    columns, table = "uscc, category, record_date, payload, repaired_on", name(scheme)
    if scheme == "hash":
        return f"SELECT {columns} FROM {table}_p{k:02d} WHERE removed_at IS NULL"  # noqa: S608 (our own identifier)
    return (
        f"SELECT {columns} FROM {table} WHERE removed_at IS NULL "  # noqa: S608 (our own identifier)
        f"AND satisfies_hash_partition('{name('hash')}'::regclass, {partitions}, {k}, uscc)"
    )


def timed(cursor: Any, sql: str, params: list[Any] | None) -> float:
    started = time.perf_counter()
    cursor.execute(sql, params)
    cursor.fetchall()
    return (time.perf_counter() - started) * 1000


def summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {"mean_ms": round(statistics.mean(ordered), 2), "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1], 2)}


def explain(cursor: Any, sql: str, params: list[Any]) -> str:
    cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF) " + sql, params)
    text = "\n".join(row[0] for row in cursor.fetchall())
    return re.sub(r"'\{[^}]{200,}\}'", "'{… 1,000 USCCs …}'", text)


def rotated(round_number: int) -> list[str]:
    shift = round_number % len(SCHEMES)
    return list(SCHEMES[shift:] + SCHEMES[:shift])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=3_000_000)
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--partitions", type=int, default=16)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--plans", default=str(ROOT / "benchmarks" / "partitioning_plans.txt"))
    parser.add_argument(
        "--imports-only",
        action="store_true",
        help="reuse the tables of an earlier run (its imported rows deleted first) and measure the imports only",
    )
    args = parser.parse_args()
    from bench_import_copy import ensure_database

    ensure_database(args.database_url)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loanhub.settings.test")
    import random
    from datetime import date

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    import pandas as pd
    from bench_import import make_file

    from loanhub.credit_data import bulk_pg
    from loanhub.credit_data.models import ProviderKind
    from loanhub.credit_data.services import credit_records_import, provider_get

    provider_id = provider_get(ProviderKind.FILE).pk
    connection.ensure_connection()
    connection.connection.autocommit = True
    built: dict[str, dict[str, float]] = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NULL", [TABLE])
        if cursor.fetchone()[0]:  # an interrupted run left the platform's table set aside
            cursor.execute(f"ALTER TABLE bench_rec_platform RENAME TO {TABLE}")
        if args.imports_only:
            for scheme in SCHEMES:
                cursor.execute(f"DELETE FROM {name(scheme)} WHERE source_ref <> 'bench'")  # noqa: S608 (our own names)
                cursor.execute(f"VACUUM ANALYZE {name(scheme)}")
                built[scheme] = {}
        else:
            cursor.execute(f"DROP TABLE IF EXISTS {TEMPLATE}")
            cursor.execute(f"CREATE TABLE {TEMPLATE} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING IDENTITY)")
            for scheme in SCHEMES:
                create_table(cursor, scheme, args.partitions)
            seconds = generate_rows(cursor, args.rows, provider_id)
            built["plain"] = {"load_seconds": round(seconds, 1)}
            for scheme in ("list", "hash"):
                started = time.perf_counter()
                cursor.execute(f"INSERT INTO {name(scheme)} SELECT * FROM {name('plain')}")  # noqa: S608 (our own identifiers)
                built[scheme] = {"load_seconds": round(time.perf_counter() - started, 1)}
                last = f"(SELECT max(id) FROM {name(scheme)})"  # noqa: S608 (our own identifiers)
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{name(scheme)}', 'id'), {last})")
            for scheme in SCHEMES:
                built[scheme]["index_seconds"] = round(create_indexes(cursor, scheme), 1)
                cursor.execute(f"VACUUM ANALYZE {name(scheme)}")
        cursor.execute(f"ALTER TABLE {TABLE} RENAME TO bench_rec_platform")  # the migrated table, set aside

    # Imports: 4 files of new enterprises; each round imports one file into every scheme, then again.
    workdir = Path(tempfile.mkdtemp(prefix="loanhub-bench-partition-"))
    make_file(args.import_rows, workdir / "all.csv")
    frame = pd.read_csv(workdir / "all.csv", dtype=str, keep_default_na=False)
    firms = frame["uscc"].drop_duplicates().tolist()
    files = []
    for i in range(4):
        part = frame[frame["uscc"].isin(set(firms[i::4]))]
        files.append(part.to_csv(index=False).encode("utf-8"))
    upsert = bulk_pg.upsert_chunk
    spent = [0.0]

    def timed_upsert(*a: Any, **kw: Any) -> tuple[int, int]:
        started = time.perf_counter()
        try:
            return upsert(*a, **kw)
        finally:
            spent[0] += time.perf_counter() - started

    bulk_pg.upsert_chunk = timed_upsert
    imports: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    rounds: dict[str, dict[str, list[float]]] = {s: {"import": [], "reimport": []} for s in SCHEMES}
    for round_number, data in enumerate(files):
        for scheme in rotated(round_number):
            bulk_pg.NATURAL_KEY_FIELDS = ("natural_key", "category" if scheme == "list" else "uscc")
            with connection.cursor() as cursor:
                cursor.execute(f"ALTER TABLE {name(scheme)} RENAME TO {TABLE}")
            try:
                for kind in ("import", "reimport"):
                    spent[0] = 0.0
                    started = time.perf_counter()
                    batch = credit_records_import(data=data, file_name="si.csv", category="social_insurance")
                    imports[scheme][f"{kind}_seconds"] += time.perf_counter() - started
                    imports[scheme][f"{kind}_upsert_seconds"] += spent[0]
                    imports[scheme][f"{kind}_rows"] += batch.rows_total
                    rounds[scheme][kind].append(round(spent[0], 2))
                    imports[scheme][f"{kind}_added"] += batch.rows_loaded + batch.rows_updated
            finally:
                with connection.cursor() as cursor:
                    cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {name(scheme)}")
    bulk_pg.upsert_chunk = upsert
    if args.imports_only:
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE bench_rec_platform RENAME TO {TABLE}")
        print(json.dumps({"benchmark": "pg_partitioning_imports", "rounds": rounds, **imports}, ensure_ascii=False))
        return

    firm_count = max(args.rows // 50, 1)
    rng = random.Random(7)  # noqa: S311 (which enterprises to query, not a secret)
    codes = [f"91440300{n:09d}X" for n in rng.sample(range(firm_count), 200)]
    categories = list(CATEGORY_WEIGHTS)
    profile_params = [[u, rng.choice(categories), date(2023, 1, 1), date(2025, 12, 31)] for u in codes]
    feature_params = [
        [[f"91440300{n:09d}X" for n in rng.sample(range(firm_count), 1000)], date(2025, 6, 30)] for _ in range(12)
    ]
    times: dict[str, dict[str, list[float]]] = {s: defaultdict(list) for s in SCHEMES}
    plans: list[str] = []
    with connection.cursor() as cursor:
        for scheme in SCHEMES:  # warm each table's indexes and the first enterprises' pages
            for params in profile_params[:20]:
                timed(cursor, page_sql(name(scheme)), params[:1])
        for i, params in enumerate(profile_params):
            for scheme in rotated(i):
                times[scheme]["profile"].append(timed(cursor, profile_sql(name(scheme)), params))
                times[scheme]["page"].append(timed(cursor, page_sql(name(scheme)), params[:1]))
        for i, params in enumerate(feature_params):
            for scheme in rotated(i):
                times[scheme]["features"].append(timed(cursor, features_sql(name(scheme)), params))
        for i, k in enumerate((3, 7, 11)):
            for scheme in rotated(i):
                times[scheme]["slice"].append(timed(cursor, slice_sql(scheme, args.partitions, k), None))
        results: dict[str, Any] = {}
        for scheme in SCHEMES:
            table = name(scheme)
            cursor.execute(f"ANALYZE {table}")
            counts = imports[scheme]
            results[scheme] = {
                "partitions": {"plain": 1, "list": len(CATEGORY_WEIGHTS) + 1, "hash": args.partitions}[scheme],
                **built[scheme],
                "import": {
                    "rows": int(counts["import_rows"]),
                    "added": int(counts["import_added"]),
                    "seconds": round(counts["import_seconds"], 2),
                    "upsert_seconds": round(counts["import_upsert_seconds"], 2),
                    "upsert_rows_per_second": round(counts["import_rows"] / counts["import_upsert_seconds"]),
                    "upsert_seconds_by_round": rounds[scheme]["import"],
                },
                "reimport": {
                    "added": int(counts["reimport_added"]),
                    "seconds": round(counts["reimport_seconds"], 2),
                    "upsert_seconds": round(counts["reimport_upsert_seconds"], 2),
                    "upsert_seconds_by_round": rounds[scheme]["reimport"],
                },
                "profile_one_category": summary(times[scheme]["profile"]),
                "profile_page_all_records": summary(times[scheme]["page"]),
                "features_1000_enterprises": summary(times[scheme]["features"]),
                "hash_slice_1_of_16_seconds": round(statistics.mean(times[scheme]["slice"]) / 1000, 2),
                **sizes(cursor, scheme),
            }
            for title, sql, params in (
                ("profile (one USCC, one category, date range, counting)", profile_sql(table), profile_params[0]),
                ("profile page (one USCC, all records)", page_sql(table), profile_params[0][:1]),
                ("features (1,000 USCCs as of a date)", features_sql(table), feature_params[0]),
            ):
                plans.append(f"=== {scheme}: {title}\n{explain(cursor, sql, params)}\n")
        cursor.execute(f"ALTER TABLE bench_rec_platform RENAME TO {TABLE}")
    Path(args.plans).write_text("\n".join(plans), encoding="utf-8")
    print(
        json.dumps(
            {"benchmark": "pg_partitioning", "database": "postgresql", "rows": args.rows, **results}, ensure_ascii=False
        )
    )


if __name__ == "__main__":
    main()
