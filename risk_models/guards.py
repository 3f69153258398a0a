"""Training guards: warnings that stop a run unless forced, so a model is never silently wrong.

Each check returns :class:`GuardWarning` objects naming the column and the
evidence. :func:`enforce` raises :class:`GuardError` (CLI exit code 3) when
there are any, unless ``force`` is set; forced warnings are recorded in the
model card (``guards.forced``).

==================  =========================================================
code                fires when
==================  =========================================================
``target_labels``   the target has more than two labels and ``negative`` is
                    not given (the extra labels would count as good)
``tiny_data``       fewer than :data:`MIN_ROWS` labelled rows or fewer than
                    :data:`MIN_CLASS_ROWS` rows of either class
``leak``            one feature alone separates bad from good with AUC above
                    :data:`LEAK_AUC` (numbers: by their order, missing lowest;
                    categories: by their bad rate, out of fold)
``id_like``         a numeric column of whole numbers, at least 98% distinct,
                    either densely consecutive (median gap between sorted
                    values <= 1) or in the row order (|Spearman with row
                    position| >= 0.99): an identifier, not a feature
``low_auc``         the validated AUC is below :data:`MIN_AUC`
==================  =========================================================
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from risk_models.exceptions import RiskModelsError
from risk_models.metrics import auc

MIN_ROWS = 200
MIN_CLASS_ROWS = 20
LEAK_AUC = 0.95
MIN_AUC = 0.55
ID_DISTINCT_SHARE = 0.98
ID_ORDER_SPEARMAN = 0.99


@dataclass(frozen=True)
class GuardWarning:
    """One reason not to trust a model, with the evidence."""

    code: str
    column: str | None
    message: str
    evidence: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form (for the model card)."""
        return {"code": self.code, "column": self.column, "message": self.message, "evidence": dict(self.evidence)}


class GuardError(RiskModelsError, ValueError):
    """Training stopped by guard warnings (pass ``force=True`` / ``--force`` to go on)."""

    def __init__(self, warnings: Sequence[GuardWarning]) -> None:
        self.warnings = list(warnings)
        lines = "\n  ".join(f"[{w.code}] {w.message}" for w in self.warnings)
        super().__init__(
            f"training stopped by {len(self.warnings)} warning(s):\n  {lines}\n"
            "Fix the data or options, or re-run with --force (the warnings are then recorded in the model card)."
        )


def enforce(warnings: Sequence[GuardWarning], force: bool) -> list[dict[str, Any]]:
    """Raise :class:`GuardError` for any warning unless ``force``; return them for the card."""
    if warnings and not force:
        raise GuardError(warnings)
    return [w.as_dict() for w in warnings]


# --------------------------------------------------------------------------- #
# target


def label_counts(values: pd.Series) -> dict[str, int]:
    """Counts of each label (as stripped text), most frequent first."""
    text = values.dropna().astype(str).str.strip()
    return {str(k): int(v) for k, v in text.value_counts().items()}


def check_labels(values: pd.Series, positive: object, negative: object) -> list[GuardWarning]:
    """More than two labels with ``positive`` but without ``negative``."""
    if positive is None or negative is not None:
        return []
    counts = label_counts(values)
    if len(counts) <= 2:
        return []
    others = [k for k in counts if k != str(positive).strip()]
    return [
        GuardWarning(
            "target_labels",
            str(values.name),
            f"target {values.name!r} has {len(counts)} labels {counts}; with --positive {positive} the labels "
            f"{others} would all count as good. Name the good label(s) with --negative "
            "(rows with any other label are then left out)",
            {"labels": counts, "positive": str(positive)},
        )
    ]


def check_size(y: np.ndarray) -> list[GuardWarning]:
    """Too few labelled rows, or too few of a class, for a validated model."""
    n, n_bad = int(y.size), int((y == 1).sum())
    n_good = n - n_bad
    if n >= MIN_ROWS and min(n_bad, n_good) >= MIN_CLASS_ROWS:
        return []
    return [
        GuardWarning(
            "tiny_data",
            None,
            f"only {n:,} labelled rows ({n_bad:,} bad, {n_good:,} good); the minimum is {MIN_ROWS} rows "
            f"with {MIN_CLASS_ROWS} of each class",
            {"n_rows": n, "n_bad": n_bad, "n_good": n_good},
        )
    ]


def check_auc(value: float, validation: str) -> list[GuardWarning]:
    """The validated AUC is too low for the model to rank risk."""
    if not np.isfinite(value) or value >= MIN_AUC:
        return []
    return [
        GuardWarning(
            "low_auc",
            None,
            f"the {validation} AUC is {value:.3f}, below {MIN_AUC}: the model barely ranks risk",
            {"auc": float(value), "validation": validation},
        )
    ]


# --------------------------------------------------------------------------- #
# columns


def _numeric_auc(values: np.ndarray, y: np.ndarray) -> float:
    filled = np.where(np.isnan(values), np.nanmin(values) - 1 if np.isfinite(values).any() else 0.0, values)
    a = auc(y, filled)
    return max(a, 1 - a)


def _category_auc(values: pd.Series, y: np.ndarray, seed: int = 0) -> float:
    """AUC of each row's out-of-fold, smoothed bad rate of its category (2 folds)."""
    text = values.astype(object).where(values.notna(), "\x00missing").astype(str).to_numpy()
    fold = np.random.default_rng(seed).integers(0, 2, size=y.size)
    prior = float(y.mean())
    encoded = np.empty(y.size)
    for k in (0, 1):
        fit = pd.DataFrame({"v": text[fold != k], "y": y[fold != k]}).groupby("v")["y"].agg(["sum", "count"])
        rate = (fit["sum"] + 10 * prior) / (fit["count"] + 10)
        encoded[fold == k] = pd.Series(text[fold == k]).map(rate).fillna(prior).to_numpy()
    a = auc(y, encoded)
    return max(a, 1 - a)


def check_leaks(frame: pd.DataFrame, features: Sequence[Mapping[str, Any]], y: np.ndarray) -> list[GuardWarning]:
    """Features that alone separate the classes almost perfectly (AUC > :data:`LEAK_AUC`)."""
    out = []
    for spec in features:
        name = str(spec["name"])
        column = frame[name]
        if spec["type"] == "categorical":
            value = _category_auc(column, y)
        else:
            value = _numeric_auc(column.to_numpy(dtype=np.float64, na_value=np.nan), y)
        if value > LEAK_AUC:
            out.append(
                GuardWarning(
                    "leak",
                    name,
                    f"column {name!r} alone separates bad from good with AUC {value:.3f} (> {LEAK_AUC}): "
                    "it probably records the outcome (days past due, write-off, collection status); "
                    "leave it out with --exclude",
                    {"auc": round(float(value), 4)},
                )
            )
    return out


def _spearman(a: np.ndarray, b: np.ndarray) -> float:
    ra = pd.Series(a).rank().to_numpy()
    rb = pd.Series(b).rank().to_numpy()
    if ra.std() == 0 or rb.std() == 0:
        return 0.0
    return float(np.corrcoef(ra, rb)[0, 1])


def check_id_like(frame: pd.DataFrame, features: Sequence[Mapping[str, Any]]) -> list[GuardWarning]:
    """Numeric columns that look like sequential identifiers."""
    out = []
    for spec in features:
        if spec["type"] != "numeric":
            continue
        name = str(spec["name"])
        values = frame[name].to_numpy(dtype=np.float64, na_value=np.nan)
        present = values[~np.isnan(values)]
        if present.size < 20 or not np.all(present == np.round(present)):
            continue
        distinct = np.unique(present)
        if distinct.size < ID_DISTINCT_SHARE * present.size:
            continue
        gap = float(np.median(np.diff(distinct)))
        order = _spearman(np.flatnonzero(~np.isnan(values)).astype(np.float64), present)
        if gap <= 1 or abs(order) >= ID_ORDER_SPEARMAN:
            out.append(
                GuardWarning(
                    "id_like",
                    name,
                    f"column {name!r} looks like an identifier: {distinct.size:,} distinct whole numbers "
                    f"of {present.size:,}, median gap {gap:g}, Spearman with row order {order:.3f}; "
                    "name it with --id-col or leave it out with --exclude",
                    {"distinct": int(distinct.size), "median_gap": gap, "row_order_spearman": round(order, 4)},
                )
            )
    return out
