"""Run every benchmark and print one JSON summary (and save it to benchmarks/latest.json).

    .venv/bin/python benchmarks/run_all.py            # full sizes (several minutes)
    .venv/bin/python benchmarks/run_all.py --quick    # small sizes, a smoke run

Each benchmark is its own script printing one JSON object; this runs them one after
another (never in parallel: they would measure each other) and gathers the results
with the machine they ran on.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
FULL = {
    "risk_models": ["bench_risk_models.py", "--enterprises", "100000"],
    "risk_models_generic": ["bench_risk_models_generic.py", "--rows", "200000", "--train-rows", "10000"],
    "import": ["bench_import.py", "--rows", "1000000"],
    "import_copy_postgresql": ["bench_import_copy.py", "--rows", "1000000"],
    "guards": ["bench_guards.py", "--rows", "10000"],
    "demo_codes": ["bench_demo_codes.py"],
    "seed_demo": ["bench_seed_demo.py"],
    "matching": ["bench_matching.py", "--products", "2000", "--needs", "100000"],
    "learned_ranking": ["bench_learned_ranking.py", "--needs", "6000", "--products", "40"],
    # Issue 14's end-to-end run on Dask (about an hour at 1M on 2 idle cores; a fraction of the load).
    "dask_scale": ["bench_dask_scale.py", "--enterprises", "1000000", "--load-partitions", "4"],
    "api_load": ["load_test.py", "--seconds", "30", "--leads", "2000", "--connections", "8"],
    "api_load_100k_leads": ["load_test.py", "--seconds", "15", "--leads", "100000", "--connections", "8"],
}
QUICK = {
    "risk_models": ["bench_risk_models.py", "--enterprises", "5000"],
    "risk_models_generic": ["bench_risk_models_generic.py", "--rows", "20000", "--train-rows", "3000"],
    "import": ["bench_import.py", "--rows", "20000"],
    "import_copy_postgresql": ["bench_import_copy.py", "--rows", "20000"],
    "matching": ["bench_matching.py", "--products", "500", "--needs", "2000"],
    "learned_ranking": ["bench_learned_ranking.py", "--needs", "1000", "--products", "40"],
    "dask_scale": ["bench_dask_scale.py", "--enterprises", "5000", "--partitions", "2", "--load-partitions", "1"],
    "api_load": ["load_test.py", "--seconds", "5", "--leads", "2000", "--connections", "8"],
}


def run(args: list[str]) -> dict:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, str(HERE / args[0]), *args[1:]], capture_output=True, text=True, cwd=HERE.parent
    )
    seconds = round(time.perf_counter() - started, 1)
    if result.returncode != 0:
        return {"error": result.stderr.strip().splitlines()[-5:], "seconds": seconds}
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    data = json.loads(lines[-1]) if lines else {"error": "no JSON output"}
    data["wall_seconds"] = seconds
    return data


def machine() -> dict:
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", nargs="*", help="names of benchmarks to run")
    args = parser.parse_args()
    plan = QUICK if args.quick else FULL
    summary = {"machine": machine(), "quick": args.quick, "results": {}}
    latest = HERE / "latest.json"
    if args.only and not args.quick and latest.exists():
        # Re-running some benchmarks keeps the others' latest figures.
        summary["results"] = json.loads(latest.read_text(encoding="utf-8")).get("results", {})
    for name, command in plan.items():
        if args.only and name not in args.only:
            continue
        print(f"[run_all] {name} …", file=sys.stderr, flush=True)
        summary["results"][name] = run(command)
    text = json.dumps(summary, ensure_ascii=False, indent=2)
    if not args.quick:
        latest.write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
