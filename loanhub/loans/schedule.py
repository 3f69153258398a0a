"""A loan's repayment schedule, computed from its terms (nothing stored)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from cms.choices import RepaymentMethod

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Instalment:
    number: int
    due_on: date
    principal: Decimal
    interest: Decimal
    balance_after: Decimal

    @property
    def total(self) -> Decimal:
        return self.principal + self.interest


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it is shorter."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def schedule(*, amount: Decimal, annual_rate: Decimal, term_months: int, method: str, start: date) -> list[Instalment]:
    """Monthly instalments; the last one absorbs rounding so principal sums to ``amount``.

    Revolving (随借随还) loans are shown like a bullet loan: interest monthly, principal at maturity.
    """
    if term_months < 1 or amount <= 0:
        raise ValueError("term_months must be ≥ 1 and amount > 0")
    r = Decimal(annual_rate) / Decimal(1200)
    balance = Decimal(amount)
    rows: list[Instalment] = []
    payment = _annuity(balance, r, term_months) if method == RepaymentMethod.EQUAL_INSTALMENT else None
    for n in range(1, term_months + 1):
        interest = (balance * r).quantize(CENT, ROUND_HALF_UP)
        last = n == term_months
        if method == RepaymentMethod.EQUAL_INSTALMENT and payment is not None:
            principal = balance if last else min(balance, payment - interest)
        elif method == RepaymentMethod.EQUAL_PRINCIPAL:
            principal = balance if last else (Decimal(amount) / term_months).quantize(CENT, ROUND_HALF_UP)
        else:  # interest first, revolving, bullet: principal at maturity
            principal = balance if last else Decimal("0")
        if method == RepaymentMethod.BULLET:
            interest = (Decimal(amount) * r * term_months).quantize(CENT, ROUND_HALF_UP) if last else Decimal("0")
        balance = (balance - principal).quantize(CENT, ROUND_HALF_UP)
        rows.append(Instalment(n, add_months(start, n), principal, interest, balance))
    return rows


def _annuity(amount: Decimal, r: Decimal, n: int) -> Decimal:
    if r == 0:
        return (amount / n).quantize(CENT, ROUND_HALF_UP)
    factor = (1 + r) ** n
    return (amount * r * factor / (factor - 1)).quantize(CENT, ROUND_HALF_UP)
