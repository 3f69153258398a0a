"""Champion and challenger: two PD models compared on the same out-of-time window.

The platform's labelled book (``loanhub.learning``) is split by decision date: a
challenger is trained on the earlier decisions and both models are scored on the
latest ones (``compare``). Plain Python: no Django.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .metrics import auc, ks, psi, score_distribution
from .model import RiskModel

GRADES = ("A", "B", "C", "D", "E")


def _finite(value: float) -> float | None:
    return None if value is None or not np.isfinite(value) else round(float(value), 4)


def _grade_rows(y: np.ndarray, pd_: np.ndarray, grades: np.ndarray) -> list[dict[str, Any]]:
    rows = []
    for grade in GRADES:
        mask = grades == grade
        n = int(mask.sum())
        rows.append(
            {
                "grade": grade,
                "count": n,
                "mean_pd": _finite(float(pd_[mask].mean())) if n else None,
                "bad_rate": _finite(float(y[mask].mean())) if n else None,
            }
        )
    return rows


def _approval_rates(grades: np.ndarray, cutoffs: Mapping[str, int]) -> dict[str, float | None]:
    """Share of the window at or above each grade cut-off (``cutoffs``: grade → products using it)."""
    rank = {g: i for i, g in enumerate(GRADES)}
    ranks = np.array([rank.get(str(g), len(GRADES)) for g in grades])
    return {g: (_finite(float((ranks <= rank[g]).mean())) if len(ranks) else None) for g in cutoffs if g in rank}


def compare(
    champion: RiskModel,
    challenger: RiskModel,
    features: pd.DataFrame,
    y: np.ndarray | Sequence[int],
    *,
    cutoffs: Mapping[str, int] | None = None,
    window: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """Both models on the same rows (``features`` holding each model's columns, ``y`` 1 = bad).

    Returns a JSON-ready dict: per model AUC, KS, mean PD, observed bad rate and the
    calibration by grade; the PSI between their score distributions (champion's as
    expected); for each grade cut-off the products use (``cutoffs``: grade → number of
    products) the share of the window each model would let through.
    """
    y = np.asarray(y, dtype=float)
    cutoffs = dict(cutoffs or {})
    out: dict[str, Any] = {"rows": len(y), "bads": int(y.sum()), "window": list(window) if window else None}
    scores: dict[str, np.ndarray] = {}
    for name, model in (("champion", champion), ("challenger", challenger)):
        scored = model.score(features, reasons=False)
        pd_ = scored["pd"].to_numpy(dtype=float)
        grades = scored["grade"].astype(str).to_numpy()
        scores[name] = scored["score"].to_numpy(dtype=float)
        two_classes = 0 < y.sum() < len(y)
        out[name] = {
            "version": model.version,
            "auc": _finite(auc(y, pd_)) if two_classes else None,
            "ks": _finite(ks(y, pd_)) if two_classes else None,
            "mean_pd": _finite(float(pd_.mean())) if len(pd_) else None,
            "bad_rate": _finite(float(y.mean())) if len(y) else None,
            "grades": _grade_rows(y, pd_, grades),
            "approval_rates": _approval_rates(grades, cutoffs),
        }
    out["psi"] = (
        _finite(psi(score_distribution(scores["champion"]), score_distribution(scores["challenger"])))
        if len(y)
        else None
    )
    out["cutoffs"] = [
        {
            "grade": g,
            "products": int(cutoffs[g]),
            "champion": out["champion"]["approval_rates"].get(g),
            "challenger": out["challenger"]["approval_rates"].get(g),
        }
        for g in GRADES
        if g in cutoffs
    ]
    for row in out["cutoffs"]:
        a, b = row["champion"], row["challenger"]
        row["change"] = _finite(b - a) if a is not None and b is not None else None
    return out
