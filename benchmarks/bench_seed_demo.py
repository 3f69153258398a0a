"""How long ``seed_demo`` takes on a fresh SQLite database, step by step, and what the
post-loan steps (loanhub.demo.loans, issue 15) add. Prints one JSON object.

    .venv/bin/python benchmarks/bench_seed_demo.py

Each run is its own process on its own migrated database (``migrate`` is not timed). The
same seed runs twice: without the post-loan steps (the seed as it was before issue 15) and
with them, so the difference is what they cost on this machine at this moment.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable

CHILD = """
import json, os, time
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loanhub.settings.dev")
django.setup()
from django.db import transaction
from loanhub.demo import services
from loanhub.demo.context import SeedContext
from loanhub.demo.loans import LOANS_SEED_STEPS
steps = [s for s in services.SEED_STEPS if os.environ["WITH_LOANS"] == "1" or s not in LOANS_SEED_STEPS]
ctx = SeedContext(password="Bench-seed-pass-1", progress=lambda _m: None)
timings = {}
start = time.perf_counter()
for step in steps:
    t = time.perf_counter()
    with transaction.atomic():
        step(ctx)
    timings[step.__name__] = round(time.perf_counter() - t, 2)
print(json.dumps({"total_s": round(time.perf_counter() - start, 2), "steps_s": timings}))
"""


def _run(db: Path, with_loans: bool) -> dict:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "WITH_LOANS": "1" if with_loans else "0"}
    out = subprocess.run([PY, "-c", CHILD], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "migrated.sqlite3"
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{base}"}
        subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, capture_output=True)
        results = {}
        for label, with_loans in (("without_post_loan", False), ("with_post_loan", True)):
            db = Path(tmp) / f"{label}.sqlite3"
            shutil.copy(base, db)
            results[label] = _run(db, with_loans)
    before, after = results["without_post_loan"]["total_s"], results["with_post_loan"]["total_s"]
    post_loan = {
        k: v
        for k, v in results["with_post_loan"]["steps_s"].items()
        if k.startswith("seed_")
        and k
        in {
            "seed_decision_history",
            "seed_loan_performance",
            "seed_compensation",
            "seed_renewal_request",
            "seed_alerts",
        }
    }
    print(json.dumps({
        "benchmark": "seed_demo", "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "load_average": os.getloadavg()[0], "before_s": before, "after_s": after,
        "post_loan_steps_s": post_loan, "post_loan_total_s": round(sum(post_loan.values()), 2),
        "runs": results,
    }, ensure_ascii=False, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
