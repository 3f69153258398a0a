"""Benchmark the generic risk_models path, before (a git ref) and after (the work tree); prints JSON.

Usage::

    .venv/bin/python benchmarks/bench_risk_models_generic.py [--rows 200000] [--train-rows 10000]
        [--baseline-ref a18a195]

A synthetic bank book (800-level shop column, region, purpose, eight numbers,
one interaction) is written once; the baseline's ``risk_models`` is unpacked
from ``--baseline-ref`` with ``git archive`` and every measurement runs in its
own child process (so peak RSS is that task's), old and new side by side:

* training on ``--train-rows`` rows (5-fold CV): the baseline, the new default
  (model selection) and the new code with ``--no-select``; CV AUC of each;
* scoring without reasons on ``--rows`` rows: raw ``Booster.predict`` on the
  encoded matrix against end-to-end ``RiskModel.score`` (old; new compiled and
  not compiled), and the one-off compile time;
* the CLI ``score`` command with reasons on the same file: seconds, rows/s and
  peak RSS, old against new (same LightGBM setting: ``--no-select``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]


def make_book(n: int, seed: int) -> pd.DataFrame:
    """A bank-style labelled book with a high-cardinality text column."""
    rng = np.random.default_rng(seed)
    shops = np.array([f"S{i:04d}" for i in range(800)])
    shop_effect = rng.normal(0, 0.8, shops.size)
    shop = rng.integers(0, shops.size, n)
    region = rng.integers(0, 6, n)
    purpose = rng.integers(0, 4, n)
    income = np.exp(rng.normal(10, 0.7, n)).round(0)
    debt = rng.uniform(0, 1.5, n).round(3)
    years = rng.integers(0, 30, n)
    inquiries = rng.poisson(2, n)
    util = rng.uniform(0, 1, n).round(3)
    late = rng.poisson(0.3, n)
    logit = (
        -2.6
        + shop_effect[shop]
        + 1.4 * debt
        - 0.5 * (np.log(income) - 10)
        + 0.15 * inquiries
        + 0.6 * late
        + 0.8 * util * (debt > 0.8)
        - 0.02 * years
        + 0.2 * (region == 3)
    )
    bad = rng.random(n) < 1 / (1 + np.exp(-logit))
    frame = pd.DataFrame(
        {
            "loan_id": [f"L{i:07d}" for i in range(n)],
            "shop": shops[shop],
            "region": np.array(["华南", "华东", "华北", "西南", "西北", "东北"])[region],
            "purpose": np.array(["经营周转", "设备采购", "扩大生产", "其他"])[purpose],
            "income": income,
            "debt_ratio": debt,
            "age": rng.integers(21, 65, n),
            "years_in_business": years,
            "amount": rng.lognormal(11, 0.6, n) // 100 * 100,
            "inquiries_6m": inquiries,
            "utilisation": util,
            "late_payments": late,
            "bad": bad.astype(int),
        }
    )
    frame.loc[rng.random(n) < 0.05, "income"] = np.nan
    return frame


# --------------------------------------------------------------------------- #
# children (one task each, run with the old or new risk_models first on sys.path)


def _best(fn: Any, repeat: int) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def child_train(args: argparse.Namespace) -> dict[str, Any]:
    from risk_models.training import train

    frame = pd.read_csv(args.train_csv, dtype={"loan_id": "str"})
    kwargs: dict[str, Any] = {"id_col": "loan_id", "cv": 5, "seed": 0}
    if args.select is not None:
        kwargs["select"] = args.select == "yes"
    seconds, model = _best(lambda: train(frame, "bad", **kwargs), 1)
    if args.model_out:
        model.save(args.model_out)
    card = model.card
    return {
        "seconds": round(seconds, 2),
        "cv_auc": round(card["metrics"]["auc"], 4),
        "winner": card.get("selection", {}).get("winner", "lgb_default (no selection)"),
        "candidates": {c["name"]: c["cv_auc"] for c in card.get("selection", {}).get("candidates", [])},
        "trees": None if model.booster is None else model.booster.num_trees(),
    }


def child_score(args: argparse.Namespace) -> dict[str, Any]:
    from risk_models.model import RiskModel

    model = RiskModel.load(args.model)
    frame = pd.read_csv(args.data, dtype=dict.fromkeys(("loan_id", "shop", "region", "purpose"), "str"))
    x = model.matrix(frame)
    out: dict[str, Any] = {"rows": len(frame)}
    out["raw_booster_predict_s"], _ = _best(lambda: model.booster.predict(x, raw_score=True), 3)
    out["encode_s"], _ = _best(lambda: model.matrix(frame), 3)
    if hasattr(model, "forest"):
        start = time.perf_counter()
        compiled = model.forest.compile(x)
        out["compile_once_s"] = round(time.perf_counter() - start, 2)
        out["compiled"] = compiled
        out["compiled_predict_s"], _ = _best(lambda: model.forest.raw(x), 3)
        out["score_no_reasons_s"], _ = _best(lambda: model.score(frame, reasons=False, compiled=True), 3)
        out["score_no_reasons_lightgbm_s"], _ = _best(lambda: model.score(frame, reasons=False, compiled=False), 3)
    else:
        out["score_no_reasons_s"], _ = _best(lambda: model.score(frame, reasons=False), 3)
    for key in [k for k in out if k.endswith("_s")]:
        out[key] = round(out[key], 3)
    out["score_vs_raw_predict_throughput"] = round(out["raw_booster_predict_s"] / out["score_no_reasons_s"], 2)
    if "score_no_reasons_lightgbm_s" in out:
        ratio = out["raw_booster_predict_s"] / out["score_no_reasons_lightgbm_s"]
        out["score_lightgbm_vs_raw_predict_throughput"] = round(ratio, 2)
    return out


def child_reasons(args: argparse.Namespace) -> dict[str, Any]:
    from risk_models.cli import main

    start = time.perf_counter()
    code = main(
        ["--quiet", "score", "--model", args.model, "--data", args.data, "--out", args.out, *args.extra.split()]
    )
    if code:
        raise SystemExit(f"score exited {code}")
    seconds = time.perf_counter() - start
    rows = sum(1 for _ in open(args.out, encoding="utf-8")) - 1
    return {
        "exit": code,
        "rows": rows,
        "seconds": round(seconds, 2),
        "rows_per_s": round(rows / seconds),
        "peak_rss_mb": _peak_rss_mb(),
    }


# --------------------------------------------------------------------------- #
# parent


def _unpack_baseline(ref: str, into: Path) -> Path:
    blob = subprocess.run(["git", "archive", ref, "risk_models"], cwd=ROOT, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=BytesIO(blob)) as tar:
        tar.extractall(into, filter="data")
    return into


def _child(code_root: Path, task: str, **options: Any) -> dict[str, Any]:
    argv = [sys.executable, __file__, "--child", task]
    for key, value in options.items():
        if key == "extra":
            argv += [f"--extra={' '.join(value)}"] if value else []
        elif value is not None:
            argv += [f"--{key.replace('_', '-')}", str(value)]
    env = dict(os.environ, PYTHONPATH=str(code_root))
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"{task} with {code_root} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run(rows: int, train_rows: int, ref: str, only: str | None = None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-rm-") as tmp:
        work = Path(tmp)
        old_root = _unpack_baseline(ref, work / "old")
        train_csv, score_csv = work / "train.csv", work / "score.csv"
        make_book(train_rows, 1).to_csv(train_csv, index=False)
        make_book(rows, 2).drop(columns="bad").to_csv(score_csv, index=False)
        train: dict[str, Any] = {
            "baseline": _child(old_root, "train", train_csv=train_csv, model_out=work / "m_old"),
            "new_default_selection": _child(ROOT, "train", train_csv=train_csv, select="yes"),
            "new_no_select": _child(ROOT, "train", train_csv=train_csv, select="no", model_out=work / "m_new"),
        }
        base_s = train["baseline"]["seconds"]
        train["selection_cost_vs_baseline"] = round(train["new_default_selection"]["seconds"] / base_s, 2)
        if only == "training":
            return {"benchmark": "risk_models_generic", "train_rows": train_rows, "training": train}
        score = {
            "baseline": _child(old_root, "score", model=work / "m_old", data=score_csv),
            "new": _child(ROOT, "score", model=work / "m_new", data=score_csv),
        }
        reasons = {
            "baseline": _child(old_root, "reasons", model=work / "m_old", data=score_csv, out=work / "r_old.csv"),
            # The shop column has 800 levels, the card keeps 200: the coercion guard would stop the run.
            "new": _child(
                ROOT,
                "reasons",
                model=work / "m_new",
                data=score_csv,
                out=work / "r_new.csv",
                extra=["--max-coercion-rate", "1"],
            ),
        }
        reasons["speedup"] = round(reasons["baseline"]["seconds"] / reasons["new"]["seconds"], 2)
    return {
        "benchmark": "risk_models_generic",
        "baseline_ref": ref,
        "rows": rows,
        "train_rows": train_rows,
        "cpu_count": os.cpu_count(),
        "load_average_1m": round(os.getloadavg()[0], 1),
        "python": platform.python_version(),
        "training": train,
        "scoring_without_reasons": score,
        "cli_score_with_reasons": reasons,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--train-rows", type=int, default=10_000)
    parser.add_argument("--baseline-ref", default="a18a195")
    parser.add_argument("--only", choices=("training",), help="stop after the training comparison")
    parser.add_argument("--child", choices=("train", "score", "reasons"))
    parser.add_argument("--train-csv")
    parser.add_argument("--select", choices=("yes", "no"))
    parser.add_argument("--model-out")
    parser.add_argument("--model")
    parser.add_argument("--data")
    parser.add_argument("--out")
    parser.add_argument("--extra", default="")  # CLI options passed through, space-separated
    args = parser.parse_args()
    if args.child:
        task = {"train": child_train, "score": child_score, "reasons": child_reasons}[args.child]
        print(json.dumps(task(args), ensure_ascii=False))
        return
    print(json.dumps(run(args.rows, args.train_rows, args.baseline_ref, args.only), ensure_ascii=False))


if __name__ == "__main__":
    main()
