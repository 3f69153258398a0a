"""Cost of the training and scoring guards (issue 18); prints JSON.

Usage::

    .venv/bin/python benchmarks/bench_guards.py [--rows 10000] [--seed 1]

On a generic bank book (the tests' ``make_generic_loans`` plus a date column, an
amount written with thousands separators and a numeric column): the input
preparation (dates, numbers from text), each guard (leak AUC, id-like, target
labels, size), the monotone suggestions and the violation sweep, against one
LightGBM cross-validated training (``select=False``) on the same rows; at
scoring, the coercion report against ``RiskModel.score(reasons=False)``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from risk_models import guards, monotone
from risk_models.coercion import coercion_report, prepare_training_frame
from risk_models.model import encode_features, predict_dense
from risk_models.training import infer_columns, make_target, train
from tests.risk_models.conftest import make_generic_loans


def _timed(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    data = make_generic_loans(args.rows, seed=args.seed)
    rng = np.random.default_rng(args.seed)
    days = np.datetime64("2022-01-01") + rng.integers(0, 900, args.rows).astype("timedelta64[D]")
    data["opened"] = [str(d) for d in days]
    data["loan_amount"] = [f"{v:,.0f}" for v in data["monthly_income"] * 1500]
    data["tenure_months"] = rng.integers(0, 240, args.rows)
    out: dict[str, Any] = {"rows": args.rows, "cpu_count": os.cpu_count(), "python": platform.python_version()}

    y = make_target(data["status"], "bad")
    frame = data.drop(columns=["status", "application_id"])
    out["prepare_s"], prepared = _timed(prepare_training_frame, frame)
    columns = infer_columns(prepared.frame)
    feats = columns.features
    out["check_labels_s"], _ = _timed(guards.check_labels, data["status"], "bad", None)
    out["check_size_s"], _ = _timed(guards.check_size, y)
    out["check_leaks_s"], _ = _timed(guards.check_leaks, prepared.frame, feats, y)
    out["check_id_like_s"], _ = _timed(guards.check_id_like, prepared.frame, feats)
    out["suggest_directions_s"], suggested = _timed(monotone.suggest_directions, prepared.frame, feats, y)

    kwargs: dict[str, Any] = {"positive": "bad", "id_col": "application_id", "cv": 5, "select": False}
    out["train_lightgbm_cv5_s"], model = _timed(train, data, "status", **kwargs)
    x = encode_features(prepared.frame, model.card["features"])
    directions = {k: v["direction"] for k, v in suggested.items()}
    booster = model.booster
    out["violations_s"], _ = _timed(
        monotone.violations, lambda m: predict_dense(booster, m, raw_score=True), x, model.card["features"], directions
    )
    out["guards_total_s"] = round(
        sum(out[k] for k in out if k.endswith("_s") and k != "train_lightgbm_cv5_s"),
        4,
    )
    out["guards_share_of_training"] = round(out["guards_total_s"] / out["train_lightgbm_cv5_s"], 4)

    scoring = data.drop(columns=["status"])
    out["score_no_reasons_s"], _ = _timed(model.score, scoring, reasons=False)
    out["coercion_report_s"], _ = _timed(coercion_report, scoring, model.card["features"])
    out["coercion_vs_score"] = round(out["coercion_report_s"] / out["score_no_reasons_s"], 4)
    print(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in out.items()}))


if __name__ == "__main__":
    main()
