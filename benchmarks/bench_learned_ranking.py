"""Ranking quality of the bank's lead list: the rule formula against the likelihood learned from decisions.

    .venv/bin/python benchmarks/bench_learned_ranking.py [--needs 6000] [--products 40] [--seed 0]

Synthetic sandbox decisions (nothing real): sandbox enterprises (``risk_models.sandbox``: regions,
industries) with a PD drawn from a latent health factor, financing needs over 180 days, live products of 8 banks; each
need is matched by the real engine (``loanhub.matching.engine.match``, one need per call as when its
leads are made) and pushed to its eligible products. Banks decide with a hidden policy the platform
does not know (PD against the product's limit, amount against the range, the product type asked
for, region, collateral, a bank's own appetite, noise). The approval model
(``risk_models.approval.train_approval``) learns from the first 120 days; on the held-out last 60
days each bank's weekly queue is ranked by ``bank_score`` from the formula and from the learned
likelihood, and we report NDCG@5 / NDCG@10 of the approved leads and the AUC of each likelihood.
Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from loanhub.matching import engine  # plain NumPy: no Django needed
from risk_models.approval import mean_ndcg, train_approval
from risk_models.metrics import auc
from risk_models.sandbox import generate

TYPES = ("credit", "mortgage", "guarantee", "supply_chain")
COLLATERAL = {"credit": "none", "mortgage": "property", "guarantee": "guarantee", "supply_chain": "none"}


def products(n: int, regions: list[str], rng: np.random.Generator) -> pd.DataFrame:
    kind = rng.choice(TYPES, n)
    low = rng.choice([1e5, 3e5, 5e5, 1e6], n)
    return pd.DataFrame(
        {
            "id": np.arange(1, n + 1), "institution_id": rng.integers(1, 9, n), "product_type": kind,
            "is_open": True, "amount_min": low, "amount_max": low * rng.choice([5, 10, 20], n),
            "term_min_months": 6, "term_max_months": rng.choice([12, 24, 36], n),
            "rate_min": rng.uniform(3.0, 4.5, n).round(2), "rate_max": rng.uniform(4.6, 7.0, n).round(2),
            "min_years_in_business": 0, "min_grade": rng.choice(["", "C", "D", "B"], n, p=[0.4, 0.3, 0.2, 0.1]),
            "max_pd": rng.choice([np.nan, 0.1, 0.15, 0.2], n), "collateral": [COLLATERAL[k] for k in kind],
            "required_categories": [[] for _ in range(n)],
            "eligible_regions": [list(rng.choice(regions, 3, replace=False)) if rng.random() < 0.4 else []
                                 for _ in range(n)],
            "eligible_industries": [[] for _ in range(n)],
        }
    )  # fmt: skip


def grade_of(pd_: np.ndarray) -> np.ndarray:
    return np.select([pd_ < 0.02, pd_ < 0.04, pd_ < 0.07, pd_ < 0.12], list("ABCD"), "E")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--needs", type=int, default=6000)
    parser.add_argument("--products", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    started = time.perf_counter()
    sandbox = generate(args.needs, seed=args.seed, months=12)
    firms = sandbox.enterprises
    # A PD per enterprise from a latent health draw (mean about 5%); the grade from its PD band.
    health = rng.normal(size=len(firms))
    pd_ = 1 / (1 + np.exp(-(-3.2 - 0.9 * health)))
    regions = sorted(firms["region"].unique())
    table = engine.prepare_products(products(args.products, regions, rng))
    appetite = {b: rng.normal(0, 0.6) for b in range(1, 9)}
    rows = []
    for i in range(len(firms)):
        grade = str(grade_of(pd_[i : i + 1])[0])
        wanted = frozenset(rng.choice(TYPES, rng.integers(1, 3), replace=False))
        need = engine.NeedRow(
            amount=float(rng.choice([2e5, 5e5, 1e6, 2e6, 5e6])), term_months=float(rng.choice([6, 12, 24, 36])),
            region=str(firms["region"].iloc[i]), industry=str(firms["industry"].iloc[i]), years_in_business=5,
            grade=grade, pd=float(pd_[i]), knockout=False, product_types=wanted,
            collateral_offered=frozenset({"none", *(["property"] if rng.random() < 0.4 else []),
                                          *(["guarantee"] if rng.random() < 0.3 else [])}),
            banks=frozenset(), consent={},
        )  # fmt: skip
        result = engine.match([need], table)
        for col in np.flatnonzero(result.eligible[0]):
            rows.append((i, int(col), need, float(result.bank_score[0, col]), float(result.likelihood[0, col])))
    day = rng.integers(0, 180, len(firms))
    leads = pd.DataFrame(rows, columns=["need", "product", "row", "formula_bank", "formula_likelihood"])
    leads["day"] = day[leads["need"]]
    leads["bank"] = table.institution[leads["product"]]
    j = leads["product"].to_numpy()
    needs = leads["row"].tolist()
    inputs = engine.approval_inputs(
        pd_=np.array([n.pd for n in needs]), grade=np.array([engine.GRADE_RANK[n.grade] for n in needs], dtype=float),
        amount=np.array([n.amount for n in needs]), term=np.array([n.term_months for n in needs]),
        amount_min=table.amount_min[j], amount_max=table.amount_max[j], term_min=table.term_min[j],
        term_max=table.term_max[j], max_pd=table.max_pd[j], min_grade=table.min_grade[j],
        wanted=np.array([float(table.type_code[k] in n.product_types) for n, k in zip(needs, j, strict=True)]),
        region_listed=np.array([float(engine.names_region(table.regions[k], n.region))
                                for n, k in zip(needs, j, strict=True)]),
        secured=table.secured[j].astype(float), rate_min=table.rate_min[j], rate_max=table.rate_max[j],
        product_type=table.type_code[j].astype(object),
    )  # fmt: skip
    # The banks' hidden policy.
    limit = np.where(np.isnan(table.max_pd[j]), 0.2, table.max_pd[j])
    logit = (
        1.2 - 9.0 * inputs["pd"] / limit - 1.5 * np.abs(np.log((inputs["amount_position"] + 0.2) / 0.5))
        + 0.9 * inputs["type_wanted"] + 0.8 * inputs["region_listed"] + 0.6 * inputs["secured"]
        + np.array([appetite[int(b)] for b in leads["bank"]]) + rng.normal(0, 0.7, len(leads))
    )  # fmt: skip
    approved = (rng.random(len(leads)) < 1 / (1 + np.exp(-logit))).astype(int)
    leads["approved"] = approved
    train_rows = leads["day"].to_numpy() < 120
    hold = ~train_rows
    model = train_approval(
        {k: v[train_rows] for k, v in inputs.items()}, approved[train_rows], order=leads["day"].to_numpy()[train_rows],
        formula=engine.formula_likelihood(inputs)[train_rows],
    )  # fmt: skip
    learned_bank = np.empty(len(leads))
    learned_likelihood = np.empty(len(leads))
    for _need, group in leads.groupby("need"):
        row = group["row"].iloc[0]
        result = engine.match([row], table, approval=model)
        cols = group["product"].to_numpy()
        learned_bank[group.index] = result.bank_score[0, cols]
        learned_likelihood[group.index] = result.likelihood[0, cols]
    queue = leads["bank"].astype(str) + "-" + (leads["day"] // 7).astype(str)
    held = leads[hold]
    rel = held["approved"].to_numpy(dtype=float)
    out = {
        "benchmark": "learned_ranking",
        "synthetic": True,
        "needs": int(len(firms)),
        "products": int(len(table)),
        "banks": 8,
        "leads": int(len(leads)),
        "training_decisions": int(train_rows.sum()),
        "held_out_decisions": int(hold.sum()),
        "approval_rate": round(float(approved.mean()), 4),
        "queues": int(queue[hold].nunique()),
    }
    for k in (5, 10):
        f = mean_ndcg(queue[hold].to_numpy(), held["formula_bank"].to_numpy(), rel, k)
        lrn = mean_ndcg(queue[hold].to_numpy(), learned_bank[hold], rel, k)
        out[f"ndcg@{k}_formula"] = round(f, 4)
        out[f"ndcg@{k}_learned"] = round(lrn, 4)
        out[f"ndcg@{k}_change"] = round(lrn - f, 4)
    out["likelihood_auc_formula"] = round(auc(rel, held["formula_likelihood"].to_numpy()), 4)
    out["likelihood_auc_learned"] = round(auc(rel, learned_likelihood[hold]), 4)
    out["model_holdout_auc_within_training"] = model.card["metrics"].get("holdout_auc")
    out["seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
