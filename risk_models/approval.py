"""Approval likelihood learned from the banks' own decisions, and ranking quality (NDCG).

A small L2-penalised logistic regression on what is known about a lead when it is
pushed (its grade and PD as the bank may see them, the amount and term against the
product's ranges, the product type asked for, region, collateral, rate). Inputs are
a mapping of equally shaped (broadcastable) arrays named as in :data:`NUMERIC` plus
``product_type`` (text); ``loanhub.matching.engine.approval_inputs`` builds them for
a needs × products matrix and for one lead per row alike. The model is a JSON card
(coefficients, scaling, levels, metrics), so it is stored in the model registry
without a binary file. Plain Python: no Django.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from .metrics import auc

FORMAT = "loanhub-approval-1"
# Enough decisions to learn from (issue 15): below either, the rule formula stays.
MIN_DECISIONS = 200
MIN_APPROVALS = 30
NUMERIC = (
    "grade_rank",
    "no_grade",
    "pd",
    "pd_headroom",
    "grade_room",
    "amount_fit",
    "amount_position",
    "term_fit",
    "type_wanted",
    "region_listed",
    "secured",
    "rate",
)
MAX_LEVELS = 20


def _sigmoid(z: np.ndarray) -> np.ndarray:
    out: np.ndarray = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
    return out


def _design(inputs: Mapping[str, Any], card: Mapping[str, Any]) -> tuple[np.ndarray, tuple[int, ...]]:
    """(rows × columns matrix, the inputs' broadcast shape)."""
    arrays = [np.asarray(inputs[name], dtype=float) for name in NUMERIC]
    types = np.asarray(inputs.get("product_type", ""), dtype=object)
    shape = np.broadcast_shapes(*(a.shape for a in arrays), types.shape)
    columns = []
    for name, values in zip(NUMERIC, arrays, strict=True):
        flat = np.broadcast_to(values, shape).reshape(-1)
        flat = np.where(np.isfinite(flat), flat, card["fill"][name])
        columns.append((flat - card["mean"][name]) / card["scale"][name])
    flat_types = np.broadcast_to(types, shape).reshape(-1).astype(str)
    for level in card["levels"]:
        columns.append((flat_types == level).astype(float))
    return np.column_stack(columns) if columns else np.zeros((int(np.prod(shape)), 0)), shape


class ApprovalModel:
    """A fitted approval-likelihood model: ``predict(inputs)`` gives P(approved) in the inputs' shape."""

    def __init__(self, card: Mapping[str, Any]) -> None:
        if card.get("format") != FORMAT:
            raise ValueError(f"not an approval-likelihood card (format {card.get('format')!r})")
        self.card = dict(card)
        self.coef = np.asarray(card["coef"], dtype=float)
        self.intercept = float(card["intercept"])

    @property
    def version(self) -> str:
        return str(self.card["version"])

    def predict(self, inputs: Mapping[str, Any]) -> np.ndarray:
        x, shape = _design(inputs, self.card)
        return _sigmoid(x @ self.coef + self.intercept).reshape(shape)

    __call__ = predict

    def save(self, folder: str | Path) -> Path:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / "approval_card.json.tmp"
        tmp.write_text(json.dumps(self.card, ensure_ascii=False, indent=1), encoding="utf-8")
        tmp.replace(folder / "approval_card.json")
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> ApprovalModel:
        return cls(json.loads((Path(folder) / "approval_card.json").read_text(encoding="utf-8")))


def enough_decisions(approved: Sequence[int] | np.ndarray) -> bool:
    y = np.asarray(approved)
    return len(y) >= MIN_DECISIONS and int(y.sum()) >= MIN_APPROVALS


def _fit_logistic(x: np.ndarray, y: np.ndarray, l2: float, iterations: int = 50) -> tuple[np.ndarray, float]:
    """Newton–Raphson (IRLS) with an L2 penalty on the coefficients (not the intercept)."""
    n, k = x.shape
    design = np.column_stack([np.ones(n), x])
    beta = np.zeros(k + 1)
    prior = y.mean()
    beta[0] = np.log(prior / (1 - prior)) if 0 < prior < 1 else 0.0
    penalty = np.full(k + 1, l2)
    penalty[0] = 0.0
    for _ in range(iterations):
        p = _sigmoid(design @ beta)
        gradient = design.T @ (p - y) + penalty * beta
        w = p * (1 - p) + 1e-9
        hessian = (design * w[:, None]).T @ design + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    return beta[1:], float(beta[0])


def train_approval(
    inputs: Mapping[str, Any],
    approved: Sequence[int] | np.ndarray,
    *,
    order: Sequence[Any] | np.ndarray | None = None,
    formula: Sequence[float] | np.ndarray | None = None,
    l2: float = 1.0,
    holdout_fraction: float = 0.25,
    version: str | None = None,
    force: bool = False,
) -> ApprovalModel:
    """Fit on the earlier decisions, report held-out AUC (and the formula's), refit on all.

    ``inputs``: 1-D arrays, one row per decided lead; ``approved``: 1 approved (or
    disbursed), 0 declined; ``order``: decision times (the latest ``holdout_fraction``
    are held out); ``formula``: the rule formula's likelihood on the same rows, for
    the comparison in the card. Refuses fewer than :data:`MIN_DECISIONS` decisions or
    :data:`MIN_APPROVALS` approvals unless ``force``.
    """
    y = np.asarray(approved, dtype=float)
    if not force and not enough_decisions(y):
        raise ValueError(
            f"{len(y)} decisions with {int(y.sum())} approvals; at least {MIN_DECISIONS} decisions "
            f"with {MIN_APPROVALS} approvals are needed"
        )
    n = len(y)
    numeric = {name: np.asarray(inputs[name], dtype=float).reshape(-1) for name in NUMERIC}
    types = np.asarray(inputs.get("product_type", [""] * n), dtype=object).reshape(-1).astype(str)
    counts: dict[str, int] = {}
    for t in types:
        counts[t] = counts.get(t, 0) + 1
    levels = sorted(t for t, c in sorted(counts.items(), key=lambda kv: -kv[1])[:MAX_LEVELS] if c >= 5)
    fill = {k: float(np.nanmedian(v)) if np.isfinite(v).any() else 0.0 for k, v in numeric.items()}
    filled = {k: np.where(np.isfinite(v), v, fill[k]) for k, v in numeric.items()}
    mean = {k: float(v.mean()) for k, v in filled.items()}
    scale = {k: float(v.std()) or 1.0 for k, v in filled.items()}
    card: dict[str, Any] = {
        "format": FORMAT,
        "kind": "approval",
        "version": version or datetime.now(UTC).strftime("approval-%Y%m%d-%H%M%S"),
        "features": list(NUMERIC) + ["product_type"],
        "levels": levels,
        "fill": fill,
        "mean": mean,
        "scale": scale,
        "l2": l2,
        "coef": [],
        "intercept": 0.0,
    }
    data = {**numeric, "product_type": types}
    x, _shape = _design(data, {**card, "coef": []})
    rank = np.argsort(np.asarray(order), kind="stable") if order is not None else np.arange(n)
    n_hold = int(round(n * holdout_fraction))
    metrics: dict[str, Any] = {"decisions": n, "approvals": int(y.sum()), "approval_rate": round(float(y.mean()), 4)}
    if n_hold >= 10 and n - n_hold >= 10:
        fit_idx, hold_idx = rank[: n - n_hold], rank[n - n_hold :]
        if 0 < y[fit_idx].sum() < len(fit_idx) and 0 < y[hold_idx].sum() < len(hold_idx):
            coef, intercept = _fit_logistic(x[fit_idx], y[fit_idx], l2)
            p_hold = _sigmoid(x[hold_idx] @ coef + intercept)
            metrics["holdout_rows"] = int(n_hold)
            metrics["holdout_auc"] = round(auc(y[hold_idx], p_hold), 4)
            if formula is not None:
                f = np.asarray(formula, dtype=float).reshape(-1)[hold_idx]
                metrics["formula_holdout_auc"] = round(auc(y[hold_idx], f), 4)
    if 0 < y.sum() < n:
        coef, intercept = _fit_logistic(x, y, l2)
    else:  # one class only (forced on a tiny book): a constant likelihood
        coef, intercept = np.zeros(x.shape[1]), float(np.log((y.mean() + 1e-3) / (1 - y.mean() + 1e-3)))
    columns = list(NUMERIC) + [f"product_type={lvl}" for lvl in levels]
    card.update(
        coef=[round(float(c), 8) for c in coef],
        intercept=round(intercept, 8),
        coefficients={name: round(float(c), 4) for name, c in zip(columns, coef, strict=True)},
        metrics=metrics,
    )
    return ApprovalModel(card)


def ndcg_at_k(relevance_in_rank_order: Sequence[float] | np.ndarray, k: int) -> float | None:
    """NDCG@k of one ranked list (binary or graded relevance); None when nothing is relevant."""
    rel = np.asarray(relevance_in_rank_order, dtype=float)
    ideal = np.sort(rel)[::-1][:k]
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    best = float((ideal * discounts[: len(ideal)]).sum())
    if best == 0:
        return None
    got = rel[:k]
    return float((got * discounts[: len(got)]).sum()) / best


def mean_ndcg(groups: Sequence[Any] | np.ndarray, scores: np.ndarray, relevance: np.ndarray, k: int) -> float:
    """Mean NDCG@k over groups (e.g. one bank's queue of a day), each ranked by ``scores`` descending."""
    groups_arr = np.asarray(groups)
    values = []
    for g in np.unique(groups_arr):
        idx = np.flatnonzero(groups_arr == g)
        order = idx[np.argsort(-scores[idx], kind="stable")]
        value = ndcg_at_k(relevance[order], k)
        if value is not None:
            values.append(value)
    return float(np.mean(values)) if values else float("nan")
