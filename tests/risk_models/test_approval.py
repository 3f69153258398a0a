"""risk_models.approval: the learned approval likelihood and NDCG (plain Python, no Django)."""

from __future__ import annotations

import numpy as np
import pytest

from risk_models.approval import (
    MIN_APPROVALS,
    MIN_DECISIONS,
    NUMERIC,
    ApprovalModel,
    enough_decisions,
    mean_ndcg,
    ndcg_at_k,
    train_approval,
)


def _book(n: int, seed: int = 0) -> tuple[dict, np.ndarray]:
    rng = np.random.default_rng(seed)
    inputs = {name: rng.uniform(0, 1, n) for name in NUMERIC}
    inputs["pd"] = rng.uniform(0.01, 0.2, n)
    inputs["grade_rank"][rng.random(n) < 0.1] = np.nan  # no grade: filled, not an error
    inputs["product_type"] = rng.choice(["credit", "mortgage"], n).astype(object)
    logit = 2.0 - 25 * inputs["pd"] + 1.5 * (inputs["product_type"] == "mortgage")
    approved = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return inputs, approved


def test_ndcg_by_hand():
    assert ndcg_at_k([1, 0, 0], 3) == pytest.approx(1.0)
    # One relevant item ranked second: 1/log2(3).
    assert ndcg_at_k([0, 1, 0], 3) == pytest.approx(1 / np.log2(3))
    assert ndcg_at_k([0, 0, 0], 3) is None
    groups = np.array(["a", "a", "b", "b"])
    relevance = np.array([1.0, 0.0, 0.0, 1.0])
    assert mean_ndcg(groups, np.array([0.9, 0.1, 0.9, 0.1]), relevance, 2) == pytest.approx((1 + 1 / np.log2(3)) / 2)


def test_refuses_too_few_decisions_unless_forced():
    inputs, approved = _book(MIN_DECISIONS - 1)
    assert not enough_decisions(approved)
    with pytest.raises(ValueError, match=f"at least {MIN_DECISIONS} decisions with {MIN_APPROVALS} approvals"):
        train_approval(inputs, approved)
    assert train_approval(inputs, approved, force=True).card["metrics"]["decisions"] == MIN_DECISIONS - 1


def test_learns_the_decisions_and_round_trips(tmp_path):
    inputs, approved = _book(2000)
    formula = 1 - inputs["pd"] / 0.2
    model = train_approval(inputs, approved, order=np.arange(2000), formula=formula)
    metrics = model.card["metrics"]
    assert metrics["holdout_auc"] > 0.7 and metrics["holdout_rows"] == 500 and "formula_holdout_auc" in metrics
    assert model.card["coefficients"]["pd"] < 0 and model.card["coefficients"]["product_type=mortgage"] > 0
    # Broadcasting: (2, 1) needs against (1, 3) products give a (2, 3) matrix.
    grid = {name: np.full((1, 3), 0.5) for name in NUMERIC}
    grid["pd"] = np.array([[0.02], [0.18]])
    grid["product_type"] = np.array([["credit", "mortgage", "unknown"]], dtype=object)
    p = model.predict(grid)
    assert p.shape == (2, 3) and (p[0] > p[1]).all() and p[0, 1] > p[0, 0]
    loaded = ApprovalModel.load(model.save(tmp_path / "m"))
    assert np.allclose(loaded.predict(grid), p)
    with pytest.raises(ValueError, match="not an approval-likelihood card"):
        ApprovalModel({"format": "other"})
