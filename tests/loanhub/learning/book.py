"""A small decided book built directly (bulk inserts): enterprises with records, leads decided on
past days, loans with outcomes. Risky enterprises (every third) carry a serious penalty and a D
tax rating before their decision and mostly default; the others mostly repay."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from loanhub.enterprises.models import Enterprise
from loanhub.loans.models import Loan, LoanStatus
from loanhub.matching.models import FinancingNeed, Lead, LeadStatus
from tests.factories.accounts import UserFactory
from tests.factories.cms import product_create
from tests.factories.credit import import_rows
from tests.factories.enterprises import EnterpriseFactory, make_uscc


@dataclass
class BuiltBook:
    leads: list[Lead]
    product: object
    risky: set[int]  # lead ids of risky enterprises


def decided_at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


def build_book(bank_page, *, n: int = 90, start: int = 900, declined_every: int = 7,
               offset: int = 5000, product=None, records: bool = True,
               decline_risky: bool = False) -> BuiltBook:  # fmt: skip
    """``decline_risky``: the bank also declines most risky enterprises (approval learnable from grade)."""
    today = timezone.localdate()
    user = UserFactory()
    product = product or product_create(bank_page, title="学习样本产品", min_grade="C", amount_max=Decimal("3000000"))
    enterprises = Enterprise.objects.bulk_create(
        [EnterpriseFactory.build(uscc=make_uscc(offset + i), name=f"样本企业{offset + i}有限公司") for i in range(n)]
    )
    # Decisions spread over [start, 420] days ago: every loan has had its 12-month window.
    days = [today - timedelta(days=start - (start - 420) * i // n) for i in range(n)]
    risky = [i % 3 == 0 for i in range(n)]
    ratings, penalties = [], []
    for e, day, bad in zip(enterprises, days, risky, strict=True):
        ratings.append({"uscc": e.uscc, "record_date": (day - timedelta(days=200)).isoformat(),
                        "year": (day - timedelta(days=200)).year - 1, "grade": "D" if bad else "A"})  # fmt: skip
        if bad:
            penalties.append({"uscc": e.uscc, "record_date": (day - timedelta(days=100)).isoformat(),
                              "issuer": "市场监督管理局", "severity": "严重", "fine_amount": 80000})  # fmt: skip
    if records:
        import_rows("tax_rating", ratings)
    if penalties and records:
        import_rows("penalty", penalties)
    needs = FinancingNeed.objects.bulk_create(
        [FinancingNeed(enterprise=e, created_by=user, amount=Decimal(300000 + 10000 * (i % 20)), term_months=12,
                       purpose="周转", product_types=["credit"]) for i, e in enumerate(enterprises)]
    )  # fmt: skip
    leads = []
    for i, (e, need, day, bad) in enumerate(zip(enterprises, needs, days, risky, strict=True)):
        declined = (bool(declined_every) and i % declined_every == 3) or (decline_risky and bad and i % 4 != 0)
        leads.append(
            Lead(
                need=need, product=product, institution=bank_page.institution, enterprise=e,
                status=LeadStatus.DECLINED if declined else LeadStatus.DISBURSED,
                grade="D" if bad else "B", pd=0.12 if bad else 0.03, score=520 if bad else 700,
                claim_deadline=decided_at(day), decision_deadline=decided_at(day), decided_at=decided_at(day),
                created_at=decided_at(day) - timedelta(days=2),
            )
        )  # fmt: skip
    leads = Lead.objects.bulk_create(leads)
    loans = []
    for i, (lead, day, bad) in enumerate(zip(leads, days, risky, strict=True)):
        if lead.status != LeadStatus.DISBURSED:
            continue
        flip = i % 11 == 5  # some noise: a risky firm that repays, a safe one that defaults
        defaulted = bad != flip
        status = LoanStatus.DEFAULTED if defaulted else LoanStatus.REPAID
        loans.append(
            Loan(
                lead=lead, enterprise=lead.enterprise, institution=bank_page.institution, product=product,
                amount=Decimal(300000), annual_rate=Decimal("3.90"), term_months=12,
                disbursed_on=day + timedelta(days=3), maturity_date=day + timedelta(days=368),
                status=status, status_as_of=day + timedelta(days=200) if defaulted else day + timedelta(days=368),
                outstanding=Decimal(0 if not defaulted else 200000), days_past_due=120 if defaulted else 0,
            )
        )  # fmt: skip
    Loan.objects.bulk_create(loans)
    return BuiltBook(leads, product, {lead.pk for lead, bad in zip(leads, risky, strict=True) if bad})
