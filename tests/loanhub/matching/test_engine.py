"""The matching engine's rules one by one, and its ranking, on constructed cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from loanhub.matching import engine

engine.set_categories(["registration", "tax_rating", "penalty", "social_insurance"])


def product(**overrides: object) -> dict:
    row = {
        "id": 1, "title": "p", "institution_id": 10, "institution_name": "甲", "product_type": "credit",
        "is_open": True, "amount_min": 100_000.0, "amount_max": 1_000_000.0, "term_min_months": 6,
        "term_max_months": 24, "rate_min": 3.5, "rate_max": 4.5, "min_years_in_business": 1.0,
        "min_grade": "", "max_pd": np.nan, "collateral": "none", "eligible_regions": [],
        "eligible_industries": [], "required_categories": ["registration"],
    }  # fmt: skip
    row.update(overrides)
    return row


def need(**overrides: object) -> engine.NeedRow:
    values = {
        "amount": 500_000.0, "term_months": 12.0, "region": "440106", "industry": "C39",
        "years_in_business": 5.0, "grade": "B", "pd": 0.03, "knockout": False,
        "product_types": frozenset(), "collateral_offered": frozenset({"none"}), "banks": frozenset(),
        "consent": {10: engine.category_mask(["registration", "tax_rating"])},
    }  # fmt: skip
    values.update(overrides)
    return engine.NeedRow(**values)


def failures(p: dict, n: engine.NeedRow) -> set[str]:
    result = engine.match([n], engine.prepare_products(pd.DataFrame([p])))
    return {engine.CHECKS[k] for k in np.flatnonzero(result.failures[0, 0])}


def test_a_fitting_need_passes_every_rule():
    assert failures(product(), need()) == set()


@pytest.mark.parametrize(
    ("overrides", "need_overrides", "check"),
    [
        ({"is_open": False}, {}, "closed"),
        ({}, {"banks": frozenset({99})}, "bank"),
        ({}, {"product_types": frozenset({"mortgage"})}, "type"),
        ({"eligible_regions": ["440300"]}, {}, "region"),
        ({"eligible_industries": ["I"]}, {}, "industry"),
        ({"min_years_in_business": 8.0}, {}, "age"),
        ({}, {"amount": 2_000_000.0}, "amount_high"),
        ({}, {"amount": 50_000.0}, "amount_low"),
        ({}, {"term_months": 36.0}, "term_high"),
        ({}, {"term_months": 3.0}, "term_low"),
        ({"min_grade": "A"}, {}, "grade"),
        ({"max_pd": 0.02}, {}, "pd"),
        ({"collateral": "mortgage"}, {}, "collateral"),
        ({"required_categories": ["penalty"]}, {}, "consent"),
        ({}, {"knockout": True}, "knockout"),
    ],
)
def test_each_rule_rejects_on_its_own(overrides, need_overrides, check):
    assert failures(product(**overrides), need(**need_overrides)) == {check}


@pytest.mark.parametrize("codes", [["440106"], ["440100"], ["440000"]])
def test_region_matches_district_city_or_province(codes):
    assert failures(product(eligible_regions=codes), need()) == set()


def test_knockout_spares_secured_products_and_collateral_can_be_offered():
    secured = product(collateral="mortgage")
    assert failures(secured, need(knockout=True, collateral_offered=frozenset({"none", "mortgage"}))) == set()


def test_an_applied_grant_covers_any_bank():
    assert (
        failures(product(required_categories=["penalty"]), need(consent={-1: engine.category_mask(["penalty"])}))
        == set()
    )


def test_sme_ranking_prefers_cheaper_and_roomier_products():
    frame = pd.DataFrame(
        [
            product(id=1, rate_min=6.0, rate_max=8.0),
            product(id=2, rate_min=3.2, rate_max=4.0),
            product(id=3, rate_min=3.2, rate_max=4.0, max_pd=0.035),  # little PD headroom
        ]
    )
    result = engine.match([need()], engine.prepare_products(frame))
    order = list(np.argsort(-result.sme_score[0]) + 1)
    assert order == [2, 3, 1]
    assert result.likelihood[0, 1] > result.likelihood[0, 2]


def test_bank_ranking_prefers_higher_risk_adjusted_value():
    table = engine.prepare_products(pd.DataFrame([product()]))
    safe = need(pd=0.01, amount=800_000.0)
    risky = need(pd=0.15, amount=800_000.0)
    small = need(pd=0.01, amount=150_000.0)
    result = engine.match([safe, risky, small], table)
    values = result.expected_value[:, 0]
    assert values[0] > values[2] > values[1]
    assert result.bank_score[0, 0] > result.bank_score[1, 0]


def test_many_needs_give_the_same_answers_as_one_at_a_time():
    table = engine.prepare_products(pd.DataFrame([product(id=i, amount_max=300_000.0 * i) for i in range(1, 6)]))
    needs = [need(amount=a) for a in (200_000.0, 700_000.0, 1_400_000.0)]
    together = engine.match(needs, table)
    for i, n in enumerate(needs):
        alone = engine.match([n], table)
        assert (alone.eligible[0] == together.eligible[i]).all()
