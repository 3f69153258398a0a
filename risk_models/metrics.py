"""Discrimination, calibration and stability metrics (NumPy only)."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd

#: Score bins of the PSI baseline: 300, 350, …, 900.
SCORE_BIN_EDGES: tuple[float, ...] = tuple(float(x) for x in range(300, 901, 50))


def _check(y: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y, dtype=np.float64).ravel()
    p = np.asarray(p, dtype=np.float64).ravel()
    if y.shape != p.shape:
        raise ValueError(f"y and p differ in length: {y.size} vs {p.size}")
    if not np.isin(y, (0.0, 1.0)).all():
        raise ValueError("y must contain only 0 and 1")
    return y, p


def auc(y: np.ndarray, p: np.ndarray) -> float:
    """Area under the ROC curve (ties count one half); NaN if one class is absent.

    Parameters
    ----------
    y : array-like of 0/1
    p : array-like of float
        Higher means more likely 1.

    Returns
    -------
    float
    """
    y, p = _check(y, p)
    n_pos = y.sum()
    n_neg = y.size - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = pd.Series(p).rank(method="average").to_numpy()
    return float((ranks[y == 1].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def ks(y: np.ndarray, p: np.ndarray) -> float:
    """Kolmogorov-Smirnov statistic between the score distributions of 1s and 0s.

    Parameters
    ----------
    y : array-like of 0/1
    p : array-like of float

    Returns
    -------
    float
        In [0, 1]; NaN if one class is absent.
    """
    y, p = _check(y, p)
    n_pos = y.sum()
    n_neg = y.size - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    order = np.argsort(p, kind="stable")
    ps, ys = p[order], y[order]
    cum_pos = np.cumsum(ys) / n_pos
    cum_neg = np.cumsum(1 - ys) / n_neg
    last_of_tie = np.r_[ps[1:] != ps[:-1], True]
    return float(np.max(np.abs(cum_pos - cum_neg)[last_of_tie]))


def brier(y: np.ndarray, p: np.ndarray) -> float:
    """Mean squared error of probabilities."""
    y, p = _check(y, p)
    return float(np.mean((p - y) ** 2))


def bootstrap_auc_std(y: np.ndarray, p: np.ndarray, n_boot: int = 200, seed: int = 0) -> float:
    """Standard deviation of the AUC over bootstrap resamples."""
    y, p = _check(y, p)
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(n_boot):
        idx = rng.integers(0, y.size, y.size)
        values.append(auc(y[idx], p[idx]))
    return float(np.nanstd(values))


def calibration_table(y: np.ndarray, pd_: np.ndarray, bins: int = 10) -> list[dict[str, float]]:
    """Observed bad rate against mean PD in PD quantile bins.

    Returns
    -------
    list of dict
        ``bin, n, mean_pd, bad_rate`` per bin, lowest PD first.
    """
    y, p = _check(y, pd_)
    ranks = pd.Series(p).rank(method="first").to_numpy()
    bin_of = np.minimum((ranks - 1) * bins // y.size, bins - 1).astype(int)
    out = []
    for b in range(bins):
        sel = bin_of == b
        if sel.any():
            out.append(
                {
                    "bin": b + 1,
                    "n": int(sel.sum()),
                    "mean_pd": round(float(p[sel].mean()), 6),
                    "bad_rate": round(float(y[sel].mean()), 6),
                }
            )
    return out


def grade_table(y: np.ndarray, grades: np.ndarray, labels: list[str]) -> list[dict[str, Any]]:
    """Count, share and observed default rate per grade (in ``labels`` order)."""
    y = np.asarray(y, dtype=np.float64)
    grades = np.asarray(grades)
    out = []
    for label in labels:
        sel = grades == label
        n = int(sel.sum())
        out.append(
            {
                "grade": label,
                "n": n,
                "share": round(n / max(y.size, 1), 6),
                "bad_rate": round(float(y[sel].mean()), 6) if n else None,
            }
        )
    return out


def is_monotone_increasing(rates: list[float | None]) -> bool:
    """Whether the non-missing rates never decrease."""
    values = [r for r in rates if r is not None]
    return all(b >= a for a, b in pairwise(values))


def score_distribution(scores: np.ndarray, edges: tuple[float, ...] = SCORE_BIN_EDGES) -> list[float]:
    """Share of scores in each bin ``[edges[i], edges[i+1])`` (last bin closed)."""
    scores = np.asarray(scores, dtype=np.float64)
    inner = np.asarray(edges[1:-1])
    idx = np.searchsorted(inner, scores, side="right")
    counts = np.bincount(idx, minlength=len(edges) - 1)
    shares: list[float] = (counts / max(scores.size, 1)).tolist()
    return shares


def psi(expected: list[float], actual: list[float], floor: float = 1e-4) -> float:
    """Population stability index between two binned distributions.

    Parameters
    ----------
    expected, actual : list of float
        Shares per bin (same bins), e.g. from :func:`score_distribution`.
    floor : float
        Shares are floored at this value to keep the logarithm finite.

    Returns
    -------
    float
        < 0.1 stable, 0.1-0.25 some shift, > 0.25 a significant shift.
    """
    e = np.maximum(np.asarray(expected, dtype=np.float64), floor)
    a = np.maximum(np.asarray(actual, dtype=np.float64), floor)
    if e.shape != a.shape:
        raise ValueError("expected and actual must have the same number of bins")
    return float(np.sum((a - e) * np.log(a / e)))
