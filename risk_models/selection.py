"""Model selection: a small, budgeted search over LightGBM settings and a logistic scorecard.

No fixed LightGBM setting wins on every book (smaller trees help on one and
hurt on another), and on books with a few high-cardinality text columns an
L2-penalised logistic scorecard can beat boosting. So training compares, on
the *same* stratified folds:

* ``lgb_default``: the historical setting (15 leaves, learning rate sized to
  the data by :func:`risk_models.training.boosting_schedule`);
* ``lgb_small_trees``: 7 leaves, twice the minimum leaf size, ``lambda_l2`` 5,
  twice the rate;
* ``lgb_cat_regularised`` when a text column has more levels than LightGBM
  one-hot encodes: stronger smoothing of high-cardinality categoricals
  (``cat_smooth``, ``cat_l2``, ``max_cat_threshold``, ``min_data_per_group``),
  twice the rate; otherwise ``lgb_large_trees``: 31 leaves, half the minimum
  leaf size, twice the rate;
* ``logistic_c0.1`` and ``logistic_c1``: the binned one-hot logistic scorecard
  of :mod:`risk_models.logistic` at two L2 strengths (skipped when monotone
  directions are set: the binned scorecard does not enforce them).

Budget (successive halving): every candidate is fitted on the first
:data:`SCREEN_FOLDS` folds; then only the best LightGBM candidate and the best
logistic one go on to the remaining folds. The winner is the candidate with the
highest mean AUC over all folds; the card records every candidate, its fold
AUCs, its time and the reason the winner won.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

SCREEN_FOLDS = 2
LOGISTIC_C: tuple[float, ...] = (0.1, 1.0)


@dataclass
class Candidate:
    """One setting tried: a LightGBM parameter override or a logistic L2 strength."""

    name: str
    kind: str  # "lightgbm" or "logistic"
    params: dict[str, Any]
    fold_aucs: list[float] = field(default_factory=list)
    iterations: list[int] = field(default_factory=list)
    seconds: float = 0.0
    pruned: bool = False

    @property
    def cv_auc(self) -> float:
        """Mean AUC over the folds evaluated so far (NaN before any)."""
        return float(np.mean(self.fold_aucs)) if self.fold_aucs else float("nan")


def candidates(
    base: Mapping[str, Any],
    features: Sequence[Mapping[str, Any]],
    *,
    logistic: bool = True,
) -> list[Candidate]:
    """The candidate grid for a dataset.

    Parameters
    ----------
    base : mapping
        The LightGBM parameters of the default candidate (after sizing to the data).
    features : sequence of mapping
        The card's ``features`` (``type``, ``levels``, ``direction``).
    logistic : bool, default True
        Include the logistic scorecard challengers.

    Returns
    -------
    list of Candidate
        The default first.
    """
    rate = float(base["learning_rate"])
    leaf = int(base["min_data_in_leaf"])
    out = [
        Candidate("lgb_default", "lightgbm", {}),
        Candidate(
            "lgb_small_trees",
            "lightgbm",
            {"num_leaves": 7, "min_data_in_leaf": 2 * leaf, "lambda_l2": 5.0, "learning_rate": 2 * rate},
        ),
    ]
    onehot = int(base.get("max_cat_to_onehot", 4))
    if any(f["type"] == "categorical" and len(f["levels"]) > onehot for f in features):
        regularised = {
            "cat_smooth": 50.0,
            "cat_l2": 50.0,
            "max_cat_threshold": 16,
            "min_data_per_group": max(100, 2 * leaf),
            "learning_rate": 2 * rate,
        }
        out.append(Candidate("lgb_cat_regularised", "lightgbm", regularised))
    else:
        larger = {"num_leaves": 31, "min_data_in_leaf": max(5, leaf // 2), "learning_rate": 2 * rate}
        out.append(Candidate("lgb_large_trees", "lightgbm", larger))
    if logistic:
        out += [Candidate(f"logistic_c{c:g}", "logistic", {"C": c}) for c in LOGISTIC_C]
    return out


def prune(pool: list[Candidate]) -> None:
    """After the screening folds keep the best LightGBM and the best logistic candidate."""
    for kind in ("lightgbm", "logistic"):
        group = [c for c in pool if c.kind == kind and not c.pruned]
        if len(group) > 1:
            best = max(group, key=lambda c: c.cv_auc)
            for c in group:
                c.pruned = c is not best


def choose(pool: Sequence[Candidate], k: int) -> tuple[Candidate, dict[str, Any]]:
    """The winner (highest mean AUC over all ``k`` folds) and the card's ``selection`` section."""
    finalists = [c for c in pool if not c.pruned and len(c.fold_aucs) == k]
    if not finalists:
        raise ValueError("no candidate was evaluated on every fold")
    ranked = sorted(finalists, key=lambda c: c.cv_auc, reverse=True)
    winner = ranked[0]
    if len(ranked) > 1:
        second = ranked[1]
        wins = sum(a > b for a, b in zip(winner.fold_aucs, second.fold_aucs, strict=True))
        reason = (
            f"{winner.name} has the highest mean AUC over the {k} shared folds: {winner.cv_auc:.4f} against "
            f"{second.cv_auc:.4f} for {second.name} (+{winner.cv_auc - second.cv_auc:.4f}, better on {wins} of "
            f"{k} folds); the other candidates were dropped after {SCREEN_FOLDS} folds"
        )
    else:
        reason = f"{winner.name} was the only candidate evaluated on all {k} folds"
    section = {
        "method": (
            f"stratified {k}-fold cross-validation on shared folds; every candidate on the first "
            f"{SCREEN_FOLDS} folds, then the best LightGBM and the best logistic candidate on the rest"
        ),
        "folds": k,
        "winner": winner.name,
        "winner_kind": winner.kind,
        "reason": reason,
        "candidates": [_record(c, winner, k) for c in pool],
    }
    return winner, section


def _record(c: Candidate, winner: Candidate, k: int) -> dict[str, Any]:
    status = "winner" if c is winner else (f"dropped after {len(c.fold_aucs)} folds" if c.pruned else "finalist")
    return {
        "name": c.name,
        "kind": c.kind,
        "params": dict(c.params),
        "fold_aucs": [round(a, 6) for a in c.fold_aucs],
        "cv_auc": round(c.cv_auc, 6),
        "cv_auc_std": round(float(np.std(c.fold_aucs)), 6) if c.fold_aucs else None,
        "folds_evaluated": len(c.fold_aucs),
        "iterations": list(c.iterations),
        "status": status if len(c.fold_aucs) == k or c.pruned else "incomplete",
    }
