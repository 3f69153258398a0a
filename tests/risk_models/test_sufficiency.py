from __future__ import annotations

from datetime import date

import pytest

from risk_models import sandbox
from risk_models.sufficiency import DATA_MINIMUM, DataMinimum, is_rated, months_between


def test_no_records_are_not_rated():
    assert not is_rated(0, 0)


def test_the_minimum_itself_is_rated_and_one_less_is_not():
    assert is_rated(DATA_MINIMUM.categories, DATA_MINIMUM.months)
    assert not is_rated(DATA_MINIMUM.categories - 1, 120)
    assert not is_rated(15, DATA_MINIMUM.months - 1)


def test_a_custom_minimum_is_honoured():
    assert is_rated(1, 1, DataMinimum(categories=1, months=1))


def test_negative_counts_are_refused():
    with pytest.raises(ValueError, match="negative"):
        is_rated(-1, 3)


@pytest.mark.parametrize(
    ("earliest", "on", "months"),
    [
        (date(2026, 1, 31), date(2026, 7, 30), 5),
        (date(2026, 1, 31), date(2026, 7, 31), 6),
        (date(2025, 12, 1), date(2026, 11, 30), 11),
        (date(2026, 12, 1), date(2026, 11, 30), 0),
    ],
)
def test_months_between_counts_whole_months(earliest, on, months):
    assert months_between(earliest, on) == months


def test_records_for_a_code_are_deterministic_synthetic_and_keyed_by_the_code():
    code = "91440101MA5ABCDE1X"
    first = sandbox.records_for_code(code, seed=7, as_of=date(2026, 10, 31), registered=date(2019, 3, 1))
    again = sandbox.records_for_code(code, seed=7, as_of=date(2026, 10, 31), registered=date(2019, 3, 1))
    other = sandbox.records_for_code("91440101MA5ABCDE2Y", seed=7, as_of=date(2026, 10, 31))
    assert all(first[c].equals(again[c]) for c in first)
    assert not all(first[c].equals(other[c]) for c in first if len(first[c]) and len(other[c]))
    rows = [f for f in first.values() if len(f)]
    assert rows and all(set(f["uscc"]) == {code} for f in rows)
    assert all(f["record_date"].min().date() >= date(2019, 3, 1) for f in rows)
    assert all(f["record_date"].max().date() <= date(2026, 10, 31) for f in rows)
    assert first["registration"]["record_date"].min().date() == date(2019, 3, 1)


def test_records_for_a_code_refuse_a_malformed_code():
    with pytest.raises(ValueError, match="18-character"):
        sandbox.records_for_code("123")
