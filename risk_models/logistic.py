"""The logistic scorecard challenger: binned one-hot attributes, L2-penalised logistic regression.

Every numeric feature is cut at the deciles of its training values (plus a
"missing" attribute), every categorical feature keeps its card levels (plus a
"missing or unseen" attribute); each attribute gets one coefficient, fitted by
L2-penalised logistic regression (scikit-learn, lbfgs). Scoring needs NumPy
only: the model is a table of coefficients stored in the card's ``logistic``
section (JSON, never pickled).

Reasons: a feature's contribution is its attribute's coefficient minus the
feature's average coefficient over the training rows, so the contributions of
a row add up to its raw log-odds minus ``expected_value`` — the same contract
as LightGBM's TreeSHAP contributions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

MODEL_TYPE = "logistic_scorecard"
N_BINS = 10


def _numeric_edges(values: np.ndarray) -> list[float]:
    present = values[~np.isnan(values)]
    if present.size == 0:
        return []
    inner = np.unique(np.quantile(present, np.linspace(0, 1, N_BINS + 1)[1:-1]))
    return [float(v) for v in inner]


def _attribute_codes(x: np.ndarray, layout: Sequence[Mapping[str, Any]]) -> np.ndarray:
    """Attribute index (within its feature) per row and feature; the last index means missing."""
    codes = np.empty(x.shape, dtype=np.int64)
    for j, spec in enumerate(layout):
        column = x[:, j]
        missing = np.isnan(column)
        n_attr = len(spec["coef"]) if "coef" in spec else int(spec["n_attributes"])
        if spec["kind"] == "numeric":
            idx = np.searchsorted(np.asarray(spec["edges"], dtype=np.float64), column, side="right")
        else:
            idx = np.where(missing, 0, column).astype(np.int64)
            missing |= (idx < 0) | (idx >= n_attr - 1)
        codes[:, j] = np.where(missing, n_attr - 1, idx)
    return codes


def _layout(x: np.ndarray, features: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    layout: list[dict[str, Any]] = []
    for j, spec in enumerate(features):
        if spec["type"] == "categorical":
            layout.append({"name": spec["name"], "kind": "categorical", "n_attributes": len(spec["levels"]) + 1})
        else:
            edges = _numeric_edges(x[:, j])
            layout.append({"name": spec["name"], "kind": "numeric", "edges": edges, "n_attributes": len(edges) + 2})
    return layout


def _design(codes: np.ndarray, sizes: Sequence[int]) -> Any:
    from scipy import sparse  # type: ignore[import-untyped]  # scipy ships no type information

    offsets = np.r_[0, np.cumsum(sizes)[:-1]]
    n, f = codes.shape
    columns = (codes + offsets[None, :]).ravel()
    rows = np.repeat(np.arange(n), f)
    data = np.ones(columns.size)
    return sparse.csr_matrix((data, (rows, columns)), shape=(n, int(np.sum(sizes))))


def fit_logistic(
    x: np.ndarray,
    y: np.ndarray,
    features: Sequence[Mapping[str, Any]],
    c: float = 1.0,
) -> dict[str, Any]:
    """Fit the scorecard on an encoded matrix (see :func:`risk_models.model.encode_features`).

    Parameters
    ----------
    x : numpy.ndarray, shape (n_rows, n_features)
    y : numpy.ndarray of 0/1
    features : sequence of mapping
        The card's ``features`` entries (``name``, ``type``, ``levels``).
    c : float, default 1.0
        Inverse L2 strength (scikit-learn's ``C``).

    Returns
    -------
    dict
        The card's ``logistic`` section: ``C``, ``intercept``, ``expected_value``
        and per feature ``name, kind, edges`` (numeric), ``coef`` (one per
        attribute, the last for missing/unseen) and ``baseline``.
    """
    layout = _layout(x, features)
    codes = _attribute_codes(x, layout)
    sizes = [int(s["n_attributes"]) for s in layout]
    # Imported here, for fitting only: scikit-learn takes about a second to import, which
    # scoring (this module is loaded with every model) and every manage.py command paid.
    from sklearn.linear_model import LogisticRegression

    # tol 1e-4: the same AUC as 1e-6 to 1e-4 on the benchmark book, in a third of the time (selection budget).
    solver = LogisticRegression(C=float(c), solver="lbfgs", max_iter=1000, tol=1e-4)
    solver.fit(_design(codes, sizes), y)
    coef = np.asarray(solver.coef_, dtype=np.float64).ravel()
    intercept = float(np.asarray(solver.intercept_, dtype=np.float64)[0])
    out_features: list[dict[str, Any]] = []
    start = 0
    for j, spec in enumerate(layout):
        block = coef[start : start + sizes[j]]
        start += sizes[j]
        baseline = float(np.mean(block[codes[:, j]]))
        entry: dict[str, Any] = {"name": spec["name"], "kind": spec["kind"], "coef": [float(v) for v in block]}
        if spec["kind"] == "numeric":
            entry["edges"] = spec["edges"]
        entry["baseline"] = baseline
        out_features.append(entry)
    expected = intercept + sum(f["baseline"] for f in out_features)
    return {"C": float(c), "intercept": intercept, "expected_value": expected, "features": out_features}


def _coefficients(x: np.ndarray, section: Mapping[str, Any]) -> np.ndarray:
    layout = section["features"]
    if x.shape[1] != len(layout):
        raise ValueError(f"the scorecard has {len(layout)} features, the matrix {x.shape[1]} columns")
    codes = _attribute_codes(x, layout)
    out = np.empty(x.shape, dtype=np.float64)
    for j, spec in enumerate(layout):
        out[:, j] = np.asarray(spec["coef"], dtype=np.float64)[codes[:, j]] - float(spec["baseline"])
    return out


def logistic_raw(x: np.ndarray, section: Mapping[str, Any]) -> np.ndarray:
    """Raw log-odds of the scorecard for an encoded matrix."""
    raw: np.ndarray = _coefficients(x, section).sum(axis=1) + float(section["expected_value"])
    return raw


def logistic_contrib(x: np.ndarray, section: Mapping[str, Any]) -> np.ndarray:
    """Per-feature contributions plus the expected value as the last column (like ``pred_contrib``)."""
    contrib = _coefficients(x, section)
    bias = np.full((x.shape[0], 1), float(section["expected_value"]))
    return np.hstack([contrib, bias])
