"""Monotone risk directions for any labelled book: check given names, suggest, measure violations.

* :func:`check_directions` rejects a direction for a name that is not a column,
  is a text (categorical) column, or is not a feature (dropped, excluded, the
  target, the id or time column), naming the close matches.
* :func:`suggest_directions` proposes a direction per numeric feature from
  the data. Rule: Spearman's rank correlation ρ between the feature (rows
  where it is present) and the bad flag; the direction is sign(ρ) when
  |ρ|·√(n−1) ≥ :data:`SUGGEST_Z` (about p < 0.003 two-sided) **and** ρ has that
  same sign in each of :data:`SUGGEST_FOLDS` random folds of the rows; else 0
  (left free).
* :func:`violations` measures how often the model's PD moves the wrong way
  along a feature with a direction: for up to :data:`CHECK_ROWS` training
  rows, the feature is swept over :data:`CHECK_POINTS` quantiles of its
  training values (other features kept) and a row violates when the margin
  falls by more than 1e-9 between two consecutive points where it should rise
  (or the reverse).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from risk_models.exceptions import DataError

SUGGEST_Z = 3.0
SUGGEST_FOLDS = 3
CHECK_ROWS = 300
CHECK_POINTS = 11
TOLERANCE = 1e-9


def check_directions(
    directions: Mapping[str, int],
    columns: Iterable[str],
    features: Sequence[Mapping[str, Any]],
    not_features: Mapping[str, str],
) -> None:
    """Raise :class:`DataError` for a direction given to anything but a numeric feature.

    Parameters
    ----------
    directions : mapping of str to int
        The given directions (``--monotone NAME=+1``).
    columns : iterable of str
        Every column of the input.
    features : sequence of mapping
        The chosen features (``name``, ``type``).
    not_features : mapping of str to str
        Columns that are not features, with the reason (dropped, excluded, target…).
    """
    names = [str(c) for c in columns]
    kinds = {str(f["name"]): str(f["type"]) for f in features}
    problems = []
    for name, value in directions.items():
        if value not in (-1, 0, 1):
            problems.append(f"{name!r}: direction must be +1, -1 or 0, got {value!r}")
        elif name in kinds and kinds[name] != "numeric":
            problems.append(f"{name!r} is a text (categorical) column; a monotone direction needs a numeric column")
        elif name in not_features:
            problems.append(f"{name!r} is not a feature ({not_features[name]})")
        elif name not in kinds:
            close = difflib.get_close_matches(name, names, n=3)
            hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
            problems.append(f"{name!r} is not a column of the data{hint}")
    if problems:
        raise DataError("--monotone: " + "; ".join(problems))


def spearman(x: np.ndarray, y: np.ndarray) -> float:
    """Spearman's rank correlation (average ranks for ties); 0 when either side is constant."""
    rx = pd.Series(x).rank().to_numpy()
    ry = pd.Series(y).rank().to_numpy()
    if rx.size < 3 or rx.std() == 0 or ry.std() == 0:
        return 0.0
    return float(np.corrcoef(rx, ry)[0, 1])


def suggest_directions(
    frame: pd.DataFrame,
    features: Sequence[Mapping[str, Any]],
    y: np.ndarray,
    seed: int = 0,
) -> dict[str, dict[str, Any]]:
    """Suggested direction of each numeric feature with its evidence.

    Returns
    -------
    dict
        ``{name: {"direction": -1|0|1, "spearman": ρ, "z": |ρ|·√(n−1), "fold_signs": [...], "n": n}}``.
    """
    rng = np.random.default_rng(seed)
    fold = rng.integers(0, SUGGEST_FOLDS, size=y.size)
    out: dict[str, dict[str, Any]] = {}
    for spec in features:
        if spec["type"] != "numeric":
            continue
        name = str(spec["name"])
        values = frame[name].to_numpy(dtype=np.float64, na_value=np.nan)
        present = ~np.isnan(values)
        n = int(present.sum())
        rho = spearman(values[present], y[present])
        z = abs(rho) * np.sqrt(max(n - 1, 0))
        signs = [
            int(np.sign(spearman(values[present & (fold == k)], y[present & (fold == k)])))
            for k in range(SUGGEST_FOLDS)
        ]
        sign = int(np.sign(rho))
        direction = sign if z >= SUGGEST_Z and sign != 0 and all(s == sign for s in signs) else 0
        out[name] = {
            "direction": direction,
            "spearman": round(rho, 4),
            "z": round(float(z), 2),
            "fold_signs": signs,
            "n": n,
        }
    return out


def violations(
    predict_raw: Callable[[np.ndarray], np.ndarray],
    x: np.ndarray,
    features: Sequence[Mapping[str, Any]],
    directions: Mapping[str, int],
    seed: int = 0,
) -> dict[str, dict[str, Any]]:
    """Share of rows along which the margin moves against each feature's direction.

    Parameters
    ----------
    predict_raw : callable
        Encoded matrix → raw margins (log-odds of bad).
    x : numpy.ndarray
        Encoded training matrix (columns in ``features`` order).
    features : sequence of mapping
    directions : mapping of str to int
        The direction to check per feature name (features with 0 are skipped).

    Returns
    -------
    dict
        ``{name: {"direction", "rows_checked", "rows_violating", "share"}}``.
    """
    if x.shape[0] == 0:
        return {}
    rng = np.random.default_rng(seed)
    rows = x[rng.choice(x.shape[0], size=min(CHECK_ROWS, x.shape[0]), replace=False)]
    out: dict[str, dict[str, Any]] = {}
    for j, spec in enumerate(features):
        name = str(spec["name"])
        direction = int(directions.get(name, 0))
        if direction == 0 or spec["type"] != "numeric":
            continue
        column = x[:, j][~np.isnan(x[:, j])]
        if column.size == 0:
            continue
        grid = np.unique(np.quantile(column, np.linspace(0.0, 1.0, CHECK_POINTS)))
        if grid.size < 2:
            continue
        sweep = np.repeat(rows, grid.size, axis=0)
        sweep[:, j] = np.tile(grid, rows.shape[0])
        margin = predict_raw(sweep).reshape(rows.shape[0], grid.size)
        steps = np.diff(margin, axis=1) * direction
        bad = (steps < -TOLERANCE).any(axis=1)
        out[name] = {
            "direction": direction,
            "rows_checked": int(rows.shape[0]),
            "rows_violating": int(bad.sum()),
            "share": round(float(bad.mean()), 4),
        }
    return out
