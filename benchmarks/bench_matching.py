"""Benchmark: the matching engine on synthetic products and needs. Prints JSON.

python benchmarks/bench_matching.py --products 2000 --needs 100000
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from loanhub.matching import engine

CATEGORIES = ["registration", "licence", "penalty", "tax_rating", "tax_payment", "social_insurance"]
REGIONS = ["440100", "440300", "440600", "441900", "442000", "440400", "440700", "441300"]


def products(n: int, rng: np.random.Generator) -> pd.DataFrame:
    low = rng.choice([1e5, 5e5, 1e6], n)
    return pd.DataFrame(
        {
            "id": np.arange(1, n + 1),
            "institution_id": rng.integers(1, 40, n),
            "product_type": rng.choice(["credit", "mortgage", "guarantee", "green", "first_loan"], n),
            "is_open": rng.random(n) < 0.95,
            "amount_min": low,
            "amount_max": low * rng.choice([5, 10, 30], n),
            "term_min_months": rng.choice([1, 3, 6], n),
            "term_max_months": rng.choice([12, 24, 36, 60], n),
            "rate_min": rng.uniform(2.8, 4.5, n).round(2),
            "rate_max": rng.uniform(4.5, 9, n).round(2),
            "min_years_in_business": rng.choice([0, 1, 2, 3], n),
            "min_grade": rng.choice(["", "C", "B", "D"], n),
            "max_pd": np.where(rng.random(n) < 0.3, 0.08, np.nan),
            "collateral": rng.choice(["none", "none", "mortgage", "guarantee"], n),
            "eligible_regions": [list(rng.choice(REGIONS, 2)) if rng.random() < 0.4 else [] for _ in range(n)],
            "eligible_industries": [["C", "I"] if rng.random() < 0.2 else [] for _ in range(n)],
            "required_categories": [list(rng.choice(CATEGORIES, 2, replace=False)) for _ in range(n)],
        }
    )


def needs(n: int, rng: np.random.Generator) -> list[engine.NeedRow]:
    full = engine.category_mask(CATEGORIES)
    return [
        engine.NeedRow(
            amount=float(rng.choice([2e5, 1e6, 3e6])), term_months=float(rng.choice([6, 12, 36])),
            region=str(rng.choice(REGIONS)), industry=str(rng.choice(list("ACFI"))),
            years_in_business=float(rng.uniform(0, 15)), grade=str(rng.choice(list("ABCDE"))),
            pd=float(rng.uniform(0.005, 0.2)), knockout=bool(rng.random() < 0.01),
            product_types=frozenset(), collateral_offered=frozenset({"none"}), banks=frozenset(),
            consent={-1: full},
        )
        for _ in range(n)
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=2000)
    parser.add_argument("--needs", type=int, default=100_000)
    parser.add_argument("--chunk", type=int, default=256)
    args = parser.parse_args()
    rng = np.random.default_rng(7)
    engine.set_categories(CATEGORIES)
    started = time.perf_counter()
    table = engine.prepare_products(products(args.products, rng))
    prepare = time.perf_counter() - started
    singles = needs(300, rng)
    timings = []
    for need in singles:
        t0 = time.perf_counter()
        result = engine.match([need], table)
        np.argsort(-np.where(result.eligible[0], result.sme_score[0], -1))  # the SME's ranking is timed too
        timings.append((time.perf_counter() - t0) * 1000)
    batch = needs(args.needs, rng)
    started = time.perf_counter()
    pairs = 0
    for start in range(0, len(batch), args.chunk):
        pairs += int(engine.match(batch[start : start + args.chunk], table).eligible.sum())
    full = time.perf_counter() - started
    print(
        json.dumps(
            {
                "benchmark": "matching",
                "products": args.products,
                "prepare_products_ms": round(prepare * 1000, 1),
                "one_sme_p50_ms": round(float(np.percentile(timings, 50)), 2),
                "one_sme_p95_ms": round(float(np.percentile(timings, 95)), 2),
                "needs": args.needs,
                "full_rematch_seconds": round(full, 1),
                "eligible_pairs": pairs,
                "pairs_per_second": round(args.needs * args.products / full),
            }
        )
    )


if __name__ == "__main__":
    main()
