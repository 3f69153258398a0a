"""The minimum of data below which no grade is given (数据不足，暂不评级).

A model scores any row, even one with no records at all: every feature is then
"missing" and the score is what the model makes of an empty file (a D grade for
nothing). Below :data:`DATA_MINIMUM` the platform shows no score, grade or PD, says
which data is missing and where it comes from, and matching treats the enterprise
as not rated (never as a poor grade). ``docs/risk_models.md`` ("Not rated") says the
same; change both together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class DataMinimum:
    """What an enterprise's records must cover before it is rated.

    Attributes
    ----------
    categories : int
        Catalogue categories with at least one record (registration, tax rating,
        social insurance, utilities …).
    months : int
        Whole months from the earliest record to the scoring date.
    """

    categories: int
    months: int


#: The one place the minimum is set (see docs/risk_models.md, "Not rated").
DATA_MINIMUM = DataMinimum(categories=2, months=6)


def months_between(earliest: date, on: date) -> int:
    """Whole calendar months from ``earliest`` to ``on`` (0 when ``earliest`` is later)."""
    months = (on.year - earliest.year) * 12 + on.month - earliest.month - (on.day < earliest.day)
    return max(0, months)


def is_rated(categories_with_records: int, months_of_history: int, minimum: DataMinimum = DATA_MINIMUM) -> bool:
    """Whether this much data is enough for a grade.

    Parameters
    ----------
    categories_with_records : int
        Number of catalogue categories with at least one record.
    months_of_history : int
        Whole months from the earliest record to the scoring date.
    minimum : DataMinimum, default DATA_MINIMUM

    Returns
    -------
    bool
    """
    if categories_with_records < 0 or months_of_history < 0:
        raise ValueError("counts of categories and months cannot be negative")
    return categories_with_records >= minimum.categories and months_of_history >= minimum.months
