"""Benchmark risk_models (generation, features, scoring, reasons); prints JSON.

Usage::

    .venv/bin/python benchmarks/bench_risk_models.py [--enterprises 100000] [--seed 1]

The model is the bundled sandbox model (trained into a temporary folder first,
not timed in the batch figures). "plain predict" is ``Booster.predict`` on the
already-encoded float matrix; "score without reasons" starts from the feature
DataFrame and ends with PD, score, grade and the knock-out flag.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from risk_models import sandbox
from risk_models.bundled import ensure_sandbox_model
from risk_models.features import build_features
from risk_models.model import RiskModel


def _timed(fn: Callable[..., Any], *args: Any, repeat: int = 1, **kwargs: Any) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn(*args, **kwargs)
        best = min(best, time.perf_counter() - start)
    return best, result


def run(n: int, seed: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        t_model, path = _timed(ensure_sandbox_model, Path(tmp) / "model")
        model = RiskModel.load(path)
    t_gen, data = _timed(sandbox.generate, n, seed)
    n_records = sum(len(f) for f in data.records.values())
    t_feat, feats = _timed(build_features, data.enterprises, data.records, data.as_of)
    t_score, _ = _timed(model.score, feats, reasons=False, repeat=3)
    x = model.matrix(feats)
    t_plain, _ = _timed(model.booster.predict, x, raw_score=True, repeat=3)
    t_reasons, scored = _timed(model.score, feats, reasons=True)
    return {
        "enterprises": n,
        "records": n_records,
        "loans": len(data.loans),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "bundled_model_train_s": round(t_model, 2),
        "generate_s": round(t_gen, 2),
        "features_s": round(t_feat, 2),
        "score_no_reasons_s": round(t_score, 3),
        "features_score_grade_s": round(t_feat + t_score, 2),
        "plain_booster_predict_s": round(t_plain, 3),
        "score_vs_plain_predict_throughput": round(t_plain / t_score, 3),
        "score_with_reasons_s": round(t_reasons, 2),
        "reasons_rows_per_s": round(n / t_reasons),
        "score_rows_per_s": round(n / t_score),
        "grade_shares": scored["grade"].value_counts(normalize=True).round(4).to_dict(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(json.dumps(run(args.enterprises, args.seed), ensure_ascii=False))


if __name__ == "__main__":
    main()
