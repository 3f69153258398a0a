"""Benchmark: wall and CPU time of ``manage.py demo_logins --codes`` (one Django start-up). Prints JSON.

The TOTP codes it prints live 30 seconds; almost all of the time is Django's start-up,
which loads every app's back-office hooks. Runs against the configured database (the
demo's db.sqlite3 unless DATABASE_URL says otherwise); seed the demo first.

    python benchmarks/bench_demo_codes.py --runs 5
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def one_run() -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "manage.py", "demo_logins", "--codes"], cwd=ROOT, check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    runs = [one_run() for _ in range(args.runs)]
    walls, cpus = [w for w, _c in runs], [c for _w, c in runs]
    print(
        json.dumps(
            {
                "benchmark": "demo_logins_codes",
                "runs": args.runs,
                "wall_s_median": round(statistics.median(walls), 2),
                "wall_s_min": round(min(walls), 2),
                "cpu_s_median": round(statistics.median(cpus), 2),
            }
        )
    )


if __name__ == "__main__":
    main()
