"""Benchmark: import a large exchange file into the record store.

Prints one JSON object. Uses its own database (``--database-url``, default a fresh
SQLite file under a temporary folder), migrated before the run.

    python benchmarks/bench_import.py --rows 1000000
    python benchmarks/bench_import.py --rows 1000000 --database-url postgres://…
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def make_file(rows: int, path: Path) -> None:
    from risk_models.uscc import make_codes

    months = 36
    firms = -(-rows // months)
    codes = make_codes(np.full(firms, "440100"), np.arange(1_000_000, 1_000_000 + firms))
    month_ends = pd.date_range(end="2026-10-31", periods=months, freq="ME").strftime("%Y-%m-%d")
    rng = np.random.default_rng(2)
    frame = pd.DataFrame(
        {
            "uscc": np.repeat(codes, months)[:rows],
            "record_date": np.tile(month_ends, firms)[:rows],
            "headcount": rng.integers(1, 200, rows),
            "amount_paid": rng.integers(1000, 400000, rows),
            "arrears": np.where(rng.random(rows) < 0.03, rng.integers(1, 5000, rows), 0),
        }
    )
    frame.insert(2, "month", frame["record_date"])
    frame["headcount"] = frame["headcount"].astype(object)
    frame.loc[frame.sample(frac=0.001, random_state=3).index, "headcount"] = "bad"
    frame.to_csv(path, index=False)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="loanhub-bench-"))
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loanhub.settings.test")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from loanhub.credit_data.services import credit_records_import

    path = workdir / "social_insurance.csv"
    make_file(args.rows, path)
    data = path.read_bytes()
    started = time.perf_counter()
    batch = credit_records_import(
        data=data, file_name=path.name, category="social_insurance",
        progress=lambda b: print(f"  {b.rows_done}/{b.rows_total}", file=sys.stderr),
    )  # fmt: skip
    first = time.perf_counter() - started
    started = time.perf_counter()
    again = credit_records_import(data=data, file_name=path.name, category="social_insurance")
    second = time.perf_counter() - started
    print(
        json.dumps(
            {
                "benchmark": "import_credit_records",
                "database": os.environ["DATABASE_URL"].split(":", 1)[0],
                "rows": batch.rows_total,
                "file_mb": round(len(data) / 1e6, 1),
                "loaded": batch.rows_loaded,
                "rejected": batch.rows_rejected,
                "seconds": round(first, 1),
                "rows_per_second": round(batch.rows_total / first),
                "reimport_seconds": round(second, 1),
                "reimport_added": again.rows_loaded,
                "reimport_skipped": again.rows_skipped,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
