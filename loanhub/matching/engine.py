"""The matching engine: hard eligibility, then ranking — vectorized with NumPy.

Needs (one row per financing need, with the enterprise's facts) are matched
against live products (``cms.selectors.product_frame()``) as a needs × products
matrix, chunk by chunk, so one SME against 2,000 products and 100k needs against
2,000 products run the same code. No Django import: the callers turn models into
frames.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

GRADES = "ABCDE"
GRADE_RANK = {g: i for i, g in enumerate(GRADES)}  # 0 best … 4 worst
UNSECURED = "none"
LGD = 0.45  # loss given default used for the bank's risk-adjusted value
DEFAULT_MAX_PD = 0.2

CATEGORY_BITS: dict[str, int] = {}  # filled by ``set_categories``


def set_categories(codes: Iterable[str]) -> None:
    CATEGORY_BITS.clear()
    CATEGORY_BITS.update({code: 1 << i for i, code in enumerate(codes)})


def category_mask(codes: Iterable[str] | None) -> int:
    mask = 0
    for code in codes or ():
        mask |= CATEGORY_BITS.get(code, 0)
    return mask


# Checks in the order their reasons are reported; each has a stable code.
CHECKS: tuple[str, ...] = (
    "closed", "bank", "type", "region", "industry", "age", "amount_high", "amount_low",
    "term_high", "term_low", "grade", "pd", "collateral", "consent", "knockout",
)  # fmt: skip


@dataclass
class ProductTable:
    """Products as arrays, prepared once and reused for every match."""

    frame: pd.DataFrame
    ids: np.ndarray
    institution: np.ndarray
    inst_index: np.ndarray
    institutions: np.ndarray
    type_code: np.ndarray
    is_open: np.ndarray
    amount_min: np.ndarray
    amount_max: np.ndarray
    term_min: np.ndarray
    term_max: np.ndarray
    rate_min: np.ndarray
    rate_max: np.ndarray
    min_years: np.ndarray
    min_grade: np.ndarray  # rank, 4 = no limit
    max_pd: np.ndarray  # NaN = no limit
    secured: np.ndarray  # needs collateral of kind ``collateral``
    collateral: np.ndarray
    required: np.ndarray  # category bit masks
    regions: list[frozenset[str]]
    industries: list[frozenset[str]]
    _region_cache: dict[str, np.ndarray]
    _industry_cache: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.ids)

    def region_ok(self, region: str) -> np.ndarray:
        if region not in self._region_cache:
            keys = {region, region[:4] + "00", region[:2] + "0000"}
            self._region_cache[region] = np.array(
                [not allowed or bool(keys & allowed) for allowed in self.regions], dtype=bool
            )
        return self._region_cache[region]

    def industry_ok(self, industry: str) -> np.ndarray:
        section = (industry or "")[:1]
        if section not in self._industry_cache:
            self._industry_cache[section] = np.array(
                [not allowed or section in allowed for allowed in self.industries], dtype=bool
            )
        return self._industry_cache[section]


def _floats(frame: pd.DataFrame, column: str, fill: float) -> np.ndarray:
    return pd.to_numeric(frame[column], errors="coerce").fillna(fill).to_numpy(dtype=float)


def prepare_products(frame: pd.DataFrame) -> ProductTable:
    frame = frame.reset_index(drop=True)
    institution = frame["institution_id"].fillna(-1).astype(int).to_numpy()
    institutions, inst_index = np.unique(institution, return_inverse=True)
    min_grade = frame["min_grade"].map(lambda g: GRADE_RANK.get(g or "", 4)).to_numpy(dtype=int)
    max_pd = pd.to_numeric(frame["max_pd"], errors="coerce").to_numpy(dtype=float)
    return ProductTable(
        frame=frame,
        ids=frame["id"].to_numpy(dtype=int),
        institution=institution,
        inst_index=inst_index,
        institutions=institutions,
        type_code=frame["product_type"].astype(str).to_numpy(),
        is_open=frame["is_open"].astype(bool).to_numpy(),
        amount_min=_floats(frame, "amount_min", 0.0),
        amount_max=_floats(frame, "amount_max", np.inf),
        term_min=_floats(frame, "term_min_months", 0.0),
        term_max=_floats(frame, "term_max_months", np.inf),
        rate_min=_floats(frame, "rate_min", 0.0),
        rate_max=_floats(frame, "rate_max", 0.0),
        min_years=_floats(frame, "min_years_in_business", 0.0),
        min_grade=min_grade,
        max_pd=max_pd,
        secured=(frame["collateral"].astype(str) != UNSECURED).to_numpy(),
        collateral=frame["collateral"].astype(str).to_numpy(),
        required=np.array([category_mask(c) for c in frame["required_categories"]], dtype=np.int64),
        regions=[frozenset(r or ()) for r in frame["eligible_regions"]],
        industries=[frozenset(i or ()) for i in frame["eligible_industries"]],
        _region_cache={},
        _industry_cache={},
    )


@dataclass
class NeedRow:
    """What the engine needs to know about one need and its enterprise."""

    amount: float
    term_months: float
    region: str
    industry: str
    years_in_business: float
    grade: str | None
    pd: float | None
    knockout: bool
    product_types: frozenset[str]  # empty = any
    collateral_offered: frozenset[str]  # kinds the SME can offer
    banks: frozenset[int]  # empty = all matching banks
    consent: dict[int, int]  # institution id → authorized category mask; key -1 = any bank


@dataclass
class MatchResult:
    eligible: np.ndarray  # (needs, products) bool
    failures: np.ndarray  # (needs, products, checks) bool
    likelihood: np.ndarray
    sme_score: np.ndarray
    bank_score: np.ndarray
    expected_value: np.ndarray


def _consent_masks(needs: list[NeedRow], table: ProductTable) -> np.ndarray:
    """(needs, products) authorized category masks for each product's institution."""
    per_inst = np.zeros((len(needs), len(table.institutions)), dtype=np.int64)
    for i, need in enumerate(needs):
        anyone = need.consent.get(-1, 0)
        for j, inst in enumerate(table.institutions):
            per_inst[i, j] = need.consent.get(int(inst), 0) | anyone
    return per_inst[:, table.inst_index]


# A learned approval likelihood (``risk_models.approval.ApprovalModel``, reached through
# ``loanhub.scoring.services.approval_model_in_use``): called with ``approval_inputs``.
ApprovalPredictor = Callable[[dict[str, np.ndarray]], np.ndarray]


def match(needs: list[NeedRow], table: ProductTable, approval: ApprovalPredictor | None = None) -> MatchResult:
    """Eligibility and scores of every (need, product) pair.

    ``approval``: a learned approval-likelihood model; without one the rule formula
    (``_likelihood``) estimates it. With one, the value part of the bank's ranking is
    half the normalised risk-adjusted value and half the learned likelihood
    (``LEARNED_LIKELIHOOD_WEIGHT``): a lead banks like this one decline is worth less.
    """
    n, m = len(needs), len(table)

    def col(values: list[float]) -> np.ndarray:
        return np.asarray(values, dtype=float)[:, None]

    amount, term = col([x.amount for x in needs]), col([x.term_months for x in needs])
    years = col([x.years_in_business for x in needs])
    pd_ = col([x.pd if x.pd is not None else np.nan for x in needs])
    grade = np.array([GRADE_RANK.get(x.grade or "", 4) for x in needs])[:, None]
    f = np.zeros((n, m, len(CHECKS)), dtype=bool)
    wanted = np.zeros((n, m), dtype=float)
    f[:, :, 0] = ~table.is_open[None, :]
    for i, need in enumerate(needs):
        if need.banks:
            f[i, :, 1] = ~np.isin(table.institution, list(need.banks))
        if need.product_types:
            wanted[i] = np.isin(table.type_code, list(need.product_types))
            f[i, :, 2] = wanted[i] == 0
        f[i, :, 3] = ~table.region_ok(need.region)
        f[i, :, 4] = ~table.industry_ok(need.industry)
        f[i, :, 12] = table.secured & ~np.isin(table.collateral, list(need.collateral_offered))
        if need.knockout:
            f[i, :, 14] = ~table.secured
    f[:, :, 5] = years < table.min_years[None, :]
    f[:, :, 6] = amount > table.amount_max[None, :]
    f[:, :, 7] = amount < table.amount_min[None, :]
    f[:, :, 8] = term > table.term_max[None, :]
    f[:, :, 9] = term < table.term_min[None, :]
    f[:, :, 10] = grade > table.min_grade[None, :]
    with np.errstate(invalid="ignore"):
        f[:, :, 11] = np.nan_to_num(pd_, nan=1.0) > np.nan_to_num(table.max_pd[None, :], nan=np.inf)
    allowed = _consent_masks(needs, table)
    f[:, :, 13] = (table.required[None, :] & ~allowed) != 0
    eligible = np.asarray(~f.any(axis=2))  # no copy: the stubs call .any() a bool or an array
    fit = _fit(table, amount, term, wanted)
    if approval is None:
        likelihood = _likelihood(pd_, grade, table)
    else:
        region_listed = np.array([[float(names_region(r, x.region)) for r in table.regions] for x in needs])
        inputs = approval_inputs(
            pd_=pd_, grade=grade, amount=amount, term=term, amount_min=table.amount_min[None, :],
            amount_max=table.amount_max[None, :], term_min=table.term_min[None, :], term_max=table.term_max[None, :],
            max_pd=table.max_pd[None, :], min_grade=table.min_grade[None, :], wanted=wanted,
            region_listed=region_listed.reshape(n, m), secured=table.secured[None, :],
            rate_min=table.rate_min[None, :], rate_max=table.rate_max[None, :], product_type=table.type_code[None, :],
        )  # fmt: skip
        likelihood = np.clip(np.broadcast_to(approval(inputs), (n, m)), 0, 1)
    cost = _cost(table)
    sme = 0.5 * likelihood + 0.3 * cost[None, :] + 0.2 * fit
    expected = _expected_value(amount, term, pd_, table)
    value = _normalise(expected)
    if approval is not None:
        value = (1 - LEARNED_LIKELIHOOD_WEIGHT) * value + LEARNED_LIKELIHOOD_WEIGHT * likelihood
    bank = BANK_VALUE_WEIGHT * value + BANK_FIT_WEIGHT * fit
    return MatchResult(eligible, f, likelihood, sme, bank, expected)


def names_region(allowed: frozenset[str] | set[str], region: str) -> bool:
    """The product names the enterprise's region (city, prefecture or province) in its list."""
    return bool(allowed) and bool({region, region[:4] + "00", region[:2] + "0000"} & allowed)


def formula_likelihood(inputs: dict[str, np.ndarray]) -> np.ndarray:
    """The rule formula (``_likelihood``) from ``approval_inputs``: PD headroom and grade room."""
    return np.clip(0.6 * inputs["pd_headroom"] + 0.4 * inputs["grade_room"], 0, 1)


def approval_inputs(
    *,
    pd_: np.ndarray,
    grade: np.ndarray,
    amount: np.ndarray,
    term: np.ndarray,
    amount_min: np.ndarray,
    amount_max: np.ndarray,
    term_min: np.ndarray,
    term_max: np.ndarray,
    max_pd: np.ndarray,
    min_grade: np.ndarray,
    wanted: np.ndarray,
    region_listed: np.ndarray,
    secured: np.ndarray,
    rate_min: np.ndarray,
    rate_max: np.ndarray,
    product_type: np.ndarray,
) -> dict[str, np.ndarray]:
    """What is known about a (need, product) pair when the lead is pushed, as the approval model reads it.

    Broadcastable arrays: (needs, 1) against (1, products) in ``match``, or one lead per
    row (1-D) when the platform's decisions are learned from. ``grade``: rank 0 (A) … 4
    (no grade); ``pd_`` NaN when there is none; amounts in yuan; ``max_pd`` NaN = no limit.
    """
    pd_ = np.asarray(pd_, dtype=float)
    grade = np.asarray(grade, dtype=float)
    amount, term = np.asarray(amount, dtype=float), np.asarray(term, dtype=float)
    amount_min, amount_max = np.asarray(amount_min, dtype=float), np.asarray(amount_max, dtype=float)
    term_min, term_max = np.asarray(term_min, dtype=float), np.asarray(term_max, dtype=float)
    pd_filled = np.nan_to_num(pd_, nan=0.1)
    limit = np.where(np.isnan(np.asarray(max_pd, dtype=float)), DEFAULT_MAX_PD, max_pd)
    top = np.where(np.isfinite(amount_max), amount_max, amount * 2 + 1)
    centre = (amount_min + top) / 2
    term_top = np.where(np.isfinite(term_max), term_max, 60)
    rate_max = np.asarray(rate_max, dtype=float)
    rate = (np.asarray(rate_min, dtype=float) + np.where(rate_max > 0, rate_max, rate_min)) / 2
    return {
        "grade_rank": np.where(grade >= 4, np.nan, grade),
        "no_grade": (grade >= 4).astype(float),
        "pd": pd_,
        "pd_headroom": np.clip(1 - pd_filled / np.maximum(limit, 1e-6), 0, 1),
        "grade_room": np.clip((np.asarray(min_grade, dtype=float) - grade + 1) / 5, 0, 1),
        "amount_fit": np.clip(1 - np.abs(np.log((amount + 1) / (centre + 1))) / 3, 0, 1),
        "amount_position": np.clip((amount - amount_min) / np.maximum(top - amount_min, 1.0), -1, 2),
        "term_fit": np.clip(1 - np.abs(term - (term_min + term_top) / 2) / 60, 0, 1),
        "type_wanted": np.asarray(wanted, dtype=float),
        "region_listed": np.asarray(region_listed, dtype=float),
        "secured": np.asarray(secured, dtype=float),
        "rate": rate,
        "product_type": np.asarray(product_type, dtype=object),
    }


def _likelihood(pd_: np.ndarray, grade: np.ndarray, table: ProductTable) -> np.ndarray:
    """How likely approval is: the PD's headroom under the product's limit."""
    pd_filled = np.nan_to_num(pd_, nan=0.1)
    limit = np.where(np.isnan(table.max_pd), DEFAULT_MAX_PD, table.max_pd)[None, :]
    headroom = np.clip(1 - pd_filled / np.maximum(limit, 1e-6), 0, 1)
    grade_room = np.clip((table.min_grade[None, :] - grade + 1) / 5, 0, 1)
    return np.clip(0.6 * headroom + 0.4 * grade_room, 0, 1)


# The bank's ranking value (bank_score, 0–1): risk-adjusted value, normalised across the products
# a need is matched against, weighed with the fit of the need to the product.
BANK_VALUE_WEIGHT, BANK_FIT_WEIGHT = 0.7, 0.3
# With a learned approval likelihood, its share of the value part (the rest: normalised value).
LEARNED_LIKELIHOOD_WEIGHT = 0.5
# Fit (0–1): amount near the product's range centre, term near its centre, a product type asked for.
FIT_WEIGHTS = {"amount": 0.4, "term": 0.3, "type": 0.3}


def fit_parts(
    ranges: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    amount: np.ndarray,
    term: np.ndarray,
    wanted: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(amount fit, term fit, type asked for), each (needs, products) in 0–1.

    ``ranges``: the products' amount_min, amount_max, term_min, term_max (inf = no limit).
    """  # fmt: skip
    amount_min, amount_max, term_min, term_max = ranges
    span_a = np.where(np.isfinite(amount_max), amount_max, amount.max() * 2 + 1)
    centre_a = (amount_min + span_a) / 2
    amount_fit = np.clip(1 - np.abs(np.log((amount + 1) / (centre_a[None, :] + 1))) / 3, 0, 1)
    span_t = np.where(np.isfinite(term_max), term_max, 60)
    term_fit = np.clip(1 - np.abs(term - (term_min + span_t)[None, :] / 2) / 60, 0, 1)
    return amount_fit, term_fit, np.broadcast_to(wanted, amount_fit.shape)


def _fit(table: ProductTable, amount: np.ndarray, term: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    ranges = (table.amount_min, table.amount_max, table.term_min, table.term_max)
    amount_fit, term_fit, type_fit = fit_parts(ranges, amount, term, wanted)
    return FIT_WEIGHTS["amount"] * amount_fit + FIT_WEIGHTS["term"] * term_fit + FIT_WEIGHTS["type"] * type_fit


def _cost(table: ProductTable) -> np.ndarray:
    rate = np.where(table.rate_min > 0, table.rate_min, table.rate_max)
    if len(rate) == 0:
        return rate
    low, high = rate.min(), rate.max()
    return 1 - (rate - low) / (high - low) if high > low else np.ones_like(rate)


def _expected_value(amount: np.ndarray, term: np.ndarray, pd_: np.ndarray, table: ProductTable) -> np.ndarray:
    """Risk-adjusted value to the bank: interest less expected loss, in yuan."""
    rate = (table.rate_min + np.where(table.rate_max > 0, table.rate_max, table.rate_min)) / 200
    years = np.minimum(term, 12 * 5) / 12
    pd_filled = np.nan_to_num(pd_, nan=0.1)
    return amount * (rate[None, :] * years - pd_filled * LGD)


def _normalise(values: np.ndarray) -> np.ndarray:
    if values.size == 0:
        return values
    low, high = np.nanmin(values), np.nanmax(values)
    return (values - low) / (high - low) if high > low else np.ones_like(values)
