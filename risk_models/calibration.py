"""Probability calibration of raw LightGBM margins, stored as plain numbers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

PD_FLOOR = 1e-4
PD_CEILING = 1 - 1e-4


def _sigmoid(x: np.ndarray) -> np.ndarray:
    p: np.ndarray = 1.0 / (1.0 + np.exp(-x))
    return p


def _log_loss(design: np.ndarray, t: np.ndarray, w: np.ndarray, l2: float) -> float:
    z = design @ w
    loss = np.logaddexp(0.0, z) - t * z
    return float(loss.sum() + 0.5 * l2 * w @ w)


def fit_platt(raw: np.ndarray, y: np.ndarray, l2: float = 1e-3) -> dict[str, Any]:
    """Fit ``pd = 1 / (1 + exp(-(a * raw + b)))`` by Newton's method on log-loss.

    Parameters
    ----------
    raw : array-like
        Raw margins (log-odds) of the model on a validation sample.
    y : array-like of 0/1
    l2 : float
        Tiny ridge penalty that keeps the fit finite on separable data.

    Returns
    -------
    dict
        ``{"method": "platt", "a": float, "b": float}`` with ``a > 0``.
    """
    x = np.asarray(raw, dtype=np.float64)
    t = np.asarray(y, dtype=np.float64)
    centre, spread = float(x.mean()), float(x.std()) or 1.0
    design = np.column_stack([(x - centre) / spread, np.ones_like(x)])
    rate = min(max(t.mean(), 1e-6), 1 - 1e-6)
    w = np.array([1.0, np.log(rate / (1 - rate))])
    loss = _log_loss(design, t, w, l2)
    for _ in range(100):
        p = _sigmoid(design @ w)
        grad = design.T @ (p - t) + l2 * w
        hess = (design * (p * (1 - p))[:, None]).T @ design + l2 * np.eye(2)
        step = np.linalg.solve(hess, grad)
        scale = 1.0
        while scale > 1e-6 and _log_loss(design, t, w - scale * step, l2) > loss:
            scale /= 2  # backtracking keeps Newton from overshooting
        w = w - scale * step
        new_loss = _log_loss(design, t, w, l2)
        if loss - new_loss < 1e-12:
            break
        loss = new_loss
    w = np.array([w[0] / spread, w[1] - w[0] * centre / spread])
    a = max(float(w[0]), 1e-6)  # a monotone map keeps the model's constraints
    return {"method": "platt", "a": a, "b": float(w[1])}


def fit_isotonic(raw: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    """Fit a non-decreasing step map raw → PD (pool-adjacent-violators).

    Returns
    -------
    dict
        ``{"method": "isotonic", "x": [...], "y": [...]}``: block mean raw
        values and block bad rates; applied by linear interpolation.
    """
    order = np.argsort(np.asarray(raw, dtype=np.float64), kind="stable")
    xs = np.asarray(raw, dtype=np.float64)[order]
    ys = np.asarray(y, dtype=np.float64)[order]
    sums, counts, xsum = [], [], []
    for xv, yv in zip(xs, ys, strict=True):
        sums.append(yv)
        counts.append(1.0)
        xsum.append(xv)
        while len(sums) > 1 and sums[-2] / counts[-2] >= sums[-1] / counts[-1]:
            s, c, xx = sums.pop(), counts.pop(), xsum.pop()
            sums[-1] += s
            counts[-1] += c
            xsum[-1] += xx
    x_out = [xx / c for xx, c in zip(xsum, counts, strict=True)]
    y_out = [s / c for s, c in zip(sums, counts, strict=True)]
    return {"method": "isotonic", "x": x_out, "y": y_out}


def apply_calibration(raw: np.ndarray, calibration: Mapping[str, Any]) -> np.ndarray:
    """Map raw margins to PDs with a stored calibration, clipped to (1e-4, 1-1e-4).

    Parameters
    ----------
    raw : array-like
    calibration : mapping
        As returned by :func:`fit_platt` or :func:`fit_isotonic`, or
        ``{"method": "none"}`` (plain sigmoid).

    Returns
    -------
    numpy.ndarray
    """
    x = np.asarray(raw, dtype=np.float64)
    method = calibration.get("method")
    if method == "platt":
        p = _sigmoid(float(calibration["a"]) * x + float(calibration["b"]))
    elif method == "isotonic":
        p = np.interp(x, calibration["x"], calibration["y"])
    elif method == "none":
        p = _sigmoid(x)
    else:
        raise ValueError(f"unknown calibration method {method!r}")
    clipped: np.ndarray = np.clip(p, PD_FLOOR, PD_CEILING)
    return clipped


def _log_loss_of(pd_: np.ndarray, y: np.ndarray) -> float:
    p = np.clip(pd_, PD_FLOOR, PD_CEILING)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def select_calibration(raw: np.ndarray, y: np.ndarray, folds: np.ndarray) -> tuple[dict[str, Any], dict[str, Any]]:
    """Choose Platt or isotonic by cross-validated log-loss, then fit the winner on all rows.

    Parameters
    ----------
    raw : array-like
        Raw margins of the reference sample (out-of-fold or validation predictions).
    y : array-like of 0/1
    folds : array-like of int
        Fold number per row (e.g. :func:`risk_models.training.stratified_folds`).

    Returns
    -------
    tuple of dict
        The fitted calibration (as :func:`fit_platt` / :func:`fit_isotonic`) and
        the card's ``calibration_selection`` record: per method the mean
        held-out log-loss and Brier score, the chosen method and why. Platt wins
        ties (two parameters instead of a step function).
    """
    x = np.asarray(raw, dtype=np.float64)
    t = np.asarray(y, dtype=np.float64)
    f = np.asarray(folds)
    fitters = {"platt": fit_platt, "isotonic": fit_isotonic}
    losses: dict[str, list[float]] = {name: [] for name in fitters}
    briers: dict[str, list[float]] = {name: [] for name in fitters}
    for fold in np.unique(f):
        test = f == fold
        if t[~test].min() == t[~test].max() or not test.any():
            continue
        for name, fitter in fitters.items():
            p = apply_calibration(x[test], fitter(x[~test], t[~test]))
            losses[name].append(_log_loss_of(p, t[test]))
            briers[name].append(float(np.mean((p - t[test]) ** 2)))
    mean = {name: float(np.mean(v)) if v else float("inf") for name, v in losses.items()}
    chosen = "isotonic" if mean["isotonic"] < mean["platt"] else "platt"
    other = "platt" if chosen == "isotonic" else "isotonic"
    record = {
        "method": chosen,
        "chosen_by": f"{len(losses['platt'])}-fold cross-validated log-loss on the calibration sample",
        "cv_log_loss": {name: round(v, 6) for name, v in mean.items()},
        "cv_brier": {name: round(float(np.mean(v)), 6) if v else None for name, v in briers.items()},
        "reason": f"{chosen} has the lower held-out log-loss ({mean[chosen]:.5f}; {other} {mean[other]:.5f})",
    }
    return fitters[chosen](x, t), record
