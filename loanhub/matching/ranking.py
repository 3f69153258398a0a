"""Why a lead sits where it does in the bank's list: the parts of its ranking value.

The workbench sorts by ``Lead.bank_score`` (engine.match): 0.7 × the risk-adjusted value,
normalised across the products the need was matched against, plus 0.3 × the fit of the need
to the product (amount, term, product type); once an approval-likelihood model learned from the
banks' decisions is in use, the value part is half that value, half the learned likelihood. The stored value
and the stored risk-adjusted value come from the judgement (credit data); the fit is recomputed
here from the need and the product alone, and the value part is what the stored total leaves after it, so the parts
always add up to the number shown. Callers show them only where the judgement is visible.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from . import engine, matcher
from .models import Lead

LGD_PERCENT = round(engine.LGD * 100)


@dataclass(frozen=True)
class RankParts:
    score: float  # the ranking value, 0–100
    value_part: float  # normalised risk-adjusted value, 0–1
    fit: float  # 0–1
    amount_fit: float
    term_fit: float
    type_fit: float
    expected_value: float  # yuan
    likelihood: float

    @property
    def value_points(self) -> float:
        return engine.BANK_VALUE_WEIGHT * self.value_part * 100

    @property
    def fit_points(self) -> float:
        return engine.BANK_FIT_WEIGHT * self.fit * 100


def rank_parts(leads: Sequence[Lead]) -> dict[int, RankParts]:
    """Lead id → the parts of its ranking value (leads whose product is no longer live: none)."""
    table = matcher.product_table()
    column = {int(pid): j for j, pid in enumerate(table.ids)}
    parts: dict[int, RankParts] = {}
    for lead in leads:
        j = column.get(lead.product_id)
        if j is None:
            continue
        one = slice(j, j + 1)
        ranges = (table.amount_min[one], table.amount_max[one], table.term_min[one], table.term_max[one])
        wanted = 1.0 if str(table.type_code[j]) in set(lead.need.product_types or ()) else 0.0
        a, t, w = (
            float(x[0, 0])
            for x in engine.fit_parts(
                ranges, np.array([[float(lead.need.amount)]]), np.array([[float(lead.need.term_months)]]),
                np.array([[wanted]]),
            )
        )  # fmt: skip
        weights = engine.FIT_WEIGHTS
        fit = weights["amount"] * a + weights["term"] * t + weights["type"] * w
        value = (lead.bank_score - engine.BANK_FIT_WEIGHT * fit) / engine.BANK_VALUE_WEIGHT
        parts[lead.pk] = RankParts(
            score=lead.bank_score * 100, value_part=min(max(value, 0.0), 1.0), fit=fit, amount_fit=a, term_fit=t,
            type_fit=w, expected_value=lead.expected_value, likelihood=lead.likelihood,
        )  # fmt: skip
    return parts
