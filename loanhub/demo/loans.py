"""Sandbox demo, post-loan part (issue 15): two years of synthetic bank decisions (claimed,
approved, declined, disbursed), the loans they became with monthly performance reports,
renewals, a risk-compensation scheme with enrolments and claims, and early-warning alerts.

Every loan here is ``Loan.is_sandbox`` and every report's note says 沙箱合成数据. Whether a
loan goes bad is drawn from the sandbox's default propensity: the enterprise's default in the
sandbox generator's own loan book (driven by its latent financial health) and the model's PD
of it. The banks decide by an appetite of their own (risk tolerance, home region, preferred
industries), so there is something for a learned ranking to find. Deterministic (seeded) and
idempotent.

Written in bulk through the models, as the seed must stay fast (hundreds of leads, thousands
of reports); the alerts go through ``loanhub.loans.alerts`` like real ones.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cms.choices import Collateral, ProductType, RepaymentMethod
from cms.models import FinancingProductPage
from loanhub.accounts.models import User
from loanhub.consent import texts
from loanhub.consent.models import Authorization, GranteeType, Purpose
from loanhub.consent.services import authorization_preview
from loanhub.credit_data.providers.sandbox import SandboxProvider
from loanhub.enterprises.models import Enterprise, EnterpriseMembership, MemberRole
from loanhub.institutions.models import FinancialInstitution
from loanhub.loans.alerts import alert_scan
from loanhub.loans.compensation import claim_decide, claim_file, claim_loss_cap, covered_amount, scheme_saved
from loanhub.loans.models import (
    CompensationClaim,
    CompensationScheme,
    Loan,
    LoanStatus,
    PerformanceReport,
    RenewalKind,
    RenewalRequest,
    ReportChannel,
    SchemeEnrolment,
)
from loanhub.loans.renewals import RenewalError, renewal_request
from loanhub.loans.schedule import add_months
from loanhub.matching.exceptions import MatchingError
from loanhub.matching.models import FinancingNeed, Lead, LeadEvent, LeadStatus, NeedSource, NeedStatus
from loanhub.scoring.models import ScoreRecord

from .context import SeedContext
from .credit import PUBLIC_CATEGORIES
from .leads import PURPOSES, _officer_for

SANDBOX_NOTE = "沙箱合成数据"
# Decisions go back two years but stop six months ago, where the recent history (leads.py) starts.
HISTORY_DAYS = (190.0, 730.0)
# Needs; each goes to one to three banks. Enough that the labelled book has the bad loans a challenger
# needs (about 50, a dozen of them in its latest quarter; risk_models.guards wants 20 per class).
APPLICATIONS = 1000
SEED = 1515
NPL_DPD = 90
BAD_ONSET_MONTHS = 6  # a loan that goes bad starts missing payments by its 6th month
# A bank's appetite: intercept, weight of the PD, bonus for an enterprise of its own city, and the
# industry sections (GB/T 4754) it favours. Fictional, and unlike the platform's formula on purpose.
APPETITE: dict[str, tuple[float, float, float, str]] = {
    "yuexin-bank": (1.6, 40.0, 0.6, "CF"),
    "zhujiang-rcb": (1.4, 25.0, 1.2, "AC"),
    "huanan-ccb": (1.5, 70.0, 0.2, "CD"),
    "nanyue-industrial": (1.0, 35.0, 0.4, "FGH"),
    "bay-tech-bank": (0.8, 30.0, 0.3, "CIM"),
    "lingnan-village": (1.8, 20.0, 1.5, "A"),
}
DECLINE_REASONS = ["credit", "revenue", "leverage", "materials", "records"]
SCHEME_NAME = "广东省中小微企业信贷风险补偿资金（沙箱演示）"


@dataclass
class _Profile:
    enterprise: Enterprise
    owner: User
    pd: float
    grade: str
    score: int | None
    sandbox_defaulted: bool
    sandbox_borrower: bool
    authorization: Authorization | None


@dataclass
class _History:
    needs: list[FinancingNeed] = field(default_factory=list)
    leads: list[Lead] = field(default_factory=list)
    events: list[LeadEvent] = field(default_factory=list)


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def _profiles(ctx: SeedContext) -> list[_Profile]:
    book = SandboxProvider().data.loans
    defaulted = set(book.loc[book["defaulted"] == 1, "uscc"])
    borrowers = set(book["uscc"])
    enterprises = list(ctx.enterprises.values())
    scores: dict[int, ScoreRecord] = {}
    for record in ScoreRecord.objects.filter(
        enterprise__in=enterprises, scope="full", model_version__is_active=True
    ).order_by("created_at"):
        scores[record.enterprise_id] = record
    owners = {
        e.pk: m.user
        for e in enterprises
        for m in e.memberships.filter(role=MemberRole.OWNER).select_related("user")[:1]
    }
    grants: dict[int, Authorization] = {}
    for grant in Authorization.objects.live().filter(enterprise__in=enterprises).order_by("pk"):
        grants.setdefault(grant.enterprise_id, grant)
    profiles = []
    for e in enterprises:
        score = scores.get(e.pk)
        if score is None or e.pk not in owners:
            continue
        profiles.append(
            _Profile(e, owners[e.pk], score.pd, score.grade, score.score, e.uscc in defaulted, e.uscc in borrowers,
                     grants.get(e.pk))
        )  # fmt: skip
    return profiles


def _products() -> dict[int, list[FinancingProductPage]]:
    by_bank: dict[int, list[FinancingProductPage]] = defaultdict(list)
    for product in FinancingProductPage.objects.live().order_by("pk"):
        institution = product.institution
        if institution is not None:
            by_bank[institution.pk].append(product)
    return by_bank


def _approves(rng: random.Random, bank: FinancialInstitution, p: _Profile, amount: float) -> bool:
    intercept, pd_weight, local, industries = APPETITE.get(bank.slug, (1.2, 40.0, 0.5, ""))
    x = intercept - pd_weight * p.pd
    x += local if p.enterprise.region[:4] == bank.region[:4] else 0.0
    x += 0.8 if p.enterprise.industry[:1] in industries else 0.0
    x -= 0.6 if amount > 1_000_000 else 0.0
    return rng.random() < _sigmoid(x + rng.gauss(0, 0.5))


def _fits(product: FinancingProductPage, amount: float, term: int) -> bool:
    return (
        float(product.amount_min) <= amount <= float(product.amount_max)
        and product.term_min_months <= term <= product.term_max_months
    )


def _lead(need: FinancingNeed, product: FinancingProductPage, bank: FinancialInstitution, p: _Profile) -> Lead:
    grant = p.authorization
    likelihood = max(0.05, min(0.95, 1 - 6 * p.pd))
    return Lead(
        need=need, product=product, institution=bank, enterprise=p.enterprise, source=need.source,
        grade=p.grade, pd=p.pd, score=p.score, likelihood=likelihood, bank_score=likelihood,
        judgement_basis=str(grant.pk) if grant else "", judgement_categories=list(grant.categories) if grant else [],
        judgement_until=grant.expires_at if grant else None, created_at=need.created_at,
        claim_deadline=need.created_at + timedelta(days=2), decision_deadline=need.created_at + timedelta(days=9),
    )  # fmt: skip


def _decide(rng: random.Random, lead: Lead, officer: User, approve: bool, history: _History) -> None:
    """Walk a lead to its decision (and the disbursement of most approvals), with its timeline."""
    claimed = lead.created_at + timedelta(hours=rng.uniform(1, 40))
    decided = claimed + timedelta(days=rng.uniform(1, 6))
    lead.claimed_by = lead.decided_by = officer
    lead.claimed_at, lead.decided_at = claimed, decided
    steps = [
        ("created", "", LeadStatus.NEW, lead.source, None, lead.created_at),
        ("claimed", LeadStatus.NEW, LeadStatus.CLAIMED, "", officer, claimed),
        ("in_review", LeadStatus.CLAIMED, LeadStatus.IN_REVIEW, "", officer, claimed + timedelta(hours=2)),
    ]
    if not approve:
        lead.status = LeadStatus.DECLINED
        lead.decline_reasons = rng.sample(DECLINE_REASONS, 2)
        steps.append(("declined", LeadStatus.IN_REVIEW, LeadStatus.DECLINED, "", officer, decided))
    else:
        product, need = lead.product, lead.need
        amount = min(max(float(need.amount) * rng.choice([0.6, 0.8, 1.0]), float(product.amount_min)),
                     float(product.amount_max), float(need.amount))  # fmt: skip
        lead.approved_amount = Decimal(f"{round(amount, -3):.2f}")
        lead.approved_rate = Decimal(
            f"{min(float(product.rate_min) + rng.uniform(0, 1.2), float(product.rate_max)):.2f}"
        )
        lead.approved_term = min(max(need.term_months, product.term_min_months), product.term_max_months)
        lead.status = LeadStatus.APPROVED
        note = (
            f"批准 {float(lead.approved_amount) / 10000:g} 万元，年化 {lead.approved_rate}%，{lead.approved_term} 个月"
        )
        steps.append(("approved", LeadStatus.IN_REVIEW, LeadStatus.APPROVED, note, officer, decided))
        if rng.random() < 0.92:
            paid = decided + timedelta(days=rng.uniform(1, 5))
            lead.status = LeadStatus.DISBURSED
            lead.disbursed_amount = lead.approved_amount
            lead.disbursed_on = timezone.localtime(paid).date()
            note = f"放款 {float(lead.disbursed_amount) / 10000:g} 万元"
            steps.append(("disbursed", LeadStatus.APPROVED, LeadStatus.DISBURSED, note, officer, paid))
    history.events += [
        LeadEvent(lead=lead, kind=k, from_status=a, to_status=b, note=n, actor=who, at=at)
        for k, a, b, n, who, at in steps
    ]


def _need(p: _Profile, created: datetime, amount: float, term: int, purpose: str, source: str) -> FinancingNeed:
    return FinancingNeed(
        enterprise=p.enterprise, created_by=p.owner, amount=Decimal(f"{amount:.2f}"), term_months=term,
        purpose=purpose, source=source, status=NeedStatus.CLOSED, created_at=created,
    )  # fmt: skip


def _apply(
    rng: random.Random, p: _Profile, created: datetime, products: dict[int, list[FinancingProductPage]],
    banks: dict[int, FinancialInstitution], officers: dict[int, User], history: _History,
    *, force_bank: int | None = None,
) -> None:  # fmt: skip
    amount = float(rng.choice([200_000, 300_000, 500_000, 800_000, 1_000_000, 1_500_000]))
    term = rng.choice([6, 12, 12, 12, 24, 36])
    if force_bank:  # a demo login's loan: 50万 for a year
        amount, term = 500_000.0, 12
    need = _need(p, created, amount, term, rng.choice(PURPOSES), NeedSource.POSTED)
    bank_ids = [force_bank] if force_bank else rng.sample(sorted(products), k=rng.choice([1, 2, 2, 3]))
    chosen = []
    for bank_id in bank_ids:
        fitting = [pr for pr in products[bank_id] if _fits(pr, amount, term)]
        if fitting:
            chosen.append((bank_id, rng.choice(fitting)))
    if not chosen:
        return
    history.needs.append(need)
    for bank_id, product in chosen:
        lead = _lead(need, product, banks[bank_id], p)
        approve = True if force_bank else _approves(rng, banks[bank_id], p, amount)
        _decide(rng, lead, officers[bank_id], approve, history)
        history.leads.append(lead)


def seed_decision_history(ctx: SeedContext) -> None:
    """Two years of bank decisions before the recent history, most of them disbursed."""
    synthetic = [e.pk for e in ctx.enterprises.values()]
    past = timezone.now() - timedelta(days=HISTORY_DAYS[0] - 5)
    if not synthetic or Lead.objects.filter(enterprise_id__in=synthetic, created_at__lt=past).exists():
        return
    rng = random.Random(SEED)  # noqa: S311 — reproducible sandbox history, not a secret
    profiles = _profiles(ctx)
    products = _products()
    banks = FinancialInstitution.objects.in_bulk(list(products))
    officers = {pk: _officer_for(bank) for pk, bank in banks.items()}
    history = _History()
    now = timezone.now()
    # demo_sme and demo_sme2 (the demo's logins) have only a repaid (or renewed) loan and a live one at their
    # own bank, which matures within two or three months: they can try a renewal request.
    mine = {p.enterprise.pk: p for p in profiles}
    others = [p for p in profiles if p.enterprise.pk not in {ctx.enterprises[u].pk for u in ("demo_sme", "demo_sme2")}]
    for _n in range(APPLICATIONS):
        created = now - timedelta(days=rng.uniform(*HISTORY_DAYS))
        _apply(rng, rng.choice(others), created, products, banks, officers, history)
    for username, slug in (("demo_sme", "yuexin-bank"), ("demo_sme2", "zhujiang-rcb")):
        profile, bank = mine.get(ctx.enterprises[username].pk), ctx.banks[slug]
        if profile is not None:
            for days in (560, 300):
                _apply(rng, profile, now - timedelta(days=days), products, banks, officers, history, force_bank=bank.pk)
    _save(history)
    decided = sum(lead.status != LeadStatus.NEW for lead in history.leads)
    ctx.progress(f"历史审批决定已生成：{decided} 条线索（沙箱合成数据）")


def _save(history: _History) -> None:
    FinancingNeed.objects.bulk_create(history.needs, batch_size=500)
    funded = {lead.need.pk for lead in history.leads if lead.status == LeadStatus.DISBURSED}
    FinancingNeed.objects.filter(pk__in=funded).update(status=NeedStatus.FUNDED)
    for lead in history.leads:
        lead.need_id = lead.need.pk
    Lead.objects.bulk_create(history.leads, batch_size=500)
    for event in history.events:
        event.lead_id = event.lead.pk
    LeadEvent.objects.bulk_create(history.events, batch_size=1000)


# ------------------------------------------------------------------ performance


@dataclass
class _Path:
    reports: list[tuple[date, str, Decimal, int]]
    status: str
    outstanding: Decimal
    dpd: int
    as_of: date


def _balance(loan: Loan, month: int) -> Decimal:
    amortising = loan.repayment_method in (RepaymentMethod.EQUAL_INSTALMENT, RepaymentMethod.EQUAL_PRINCIPAL)
    share = Decimal(1) - (Decimal(min(month, loan.term_months)) / loan.term_months if amortising else Decimal(0))
    return (loan.amount * share).quantize(Decimal("0.01"))


def _bucket(dpd: int) -> str:
    if dpd <= 30:
        return LoanStatus.DPD_1_30
    if dpd <= NPL_DPD:
        return LoanStatus.DPD_31_90
    return LoanStatus.DPD_90_PLUS if dpd < 180 else LoanStatus.DEFAULTED


def _path(rng: random.Random, loan: Loan, bad: bool, today: date, *, onset: int | None = None) -> _Path:
    """Monthly reports from the first month after disbursement to today or the loan's end."""
    term = loan.term_months
    if bad and onset is None:  # trouble shows early: from the 2nd to the 6th month (or the loan's end)
        onset = rng.randint(2, max(2, min(term + 1, BAD_ONSET_MONTHS)))
    blip = rng.randint(1, term) if not bad and rng.random() < 0.1 else None
    write_off = bad and rng.random() < 0.3
    reports: list[tuple[date, str, Decimal, int]] = []
    frozen = loan.amount
    for month in range(1, term + 15):
        day = add_months(loan.disbursed_on, month)
        if day > today:
            break
        if onset is not None and month >= onset:
            if month == onset:
                frozen = _balance(loan, month - 1)
            dpd = 15 + 30 * (month - onset)
            status = _bucket(dpd)
            if write_off and dpd >= 400:
                reports.append((day, LoanStatus.WRITTEN_OFF, Decimal(0), dpd))
                break
            reports.append((day, status, frozen, dpd))
        elif month == blip and month < term:
            reports.append((day, LoanStatus.DPD_1_30, _balance(loan, month - 1), 12))
        elif month >= term:
            reports.append((day, LoanStatus.REPAID, Decimal(0), 0))
            break
        else:
            reports.append((day, LoanStatus.CURRENT, _balance(loan, month), 0))
    if not reports:
        return _Path([], LoanStatus.CURRENT, loan.amount, 0, loan.disbursed_on)
    last = reports[-1]
    return _Path(reports, last[1], last[2], last[3], last[0])


def _propensity(lead: Lead, defaulted: set[str]) -> float:
    """The chance a loan goes bad: the sandbox's own outcome for the enterprise and the model's PD.

    Calibrated so that about 9% of the synthetic book goes bad (the PDs of the disbursed leads
    average about 2%, so 0.02 + 3.5 × 2% ≈ 9%, up to about 25% for the riskiest): the upper edge
    of the 3–8% of DESIGN.md and a little above, so the demo's book has enough bad loans to
    train and compare a challenger on."""
    pd_ = lead.pd if lead.pd is not None else 0.03
    return min(0.6, 0.02 + 3.5 * pd_ + (0.45 if lead.enterprise.uscc in defaulted else 0.0))


def _open_loans(synthetic: list[int]) -> None:
    """Loans for the history's disbursed leads (the recent ones were opened by the disbursement,
    dated the day it ran: they take their lead's back-dated disbursement day)."""
    have = set(Loan.objects.filter(enterprise_id__in=synthetic).values_list("lead_id", flat=True))
    leads = Lead.objects.filter(enterprise_id__in=synthetic, status=LeadStatus.DISBURSED).select_related("product")
    new = []
    for lead in leads:
        if lead.pk in have or lead.disbursed_on is None or lead.disbursed_amount is None:
            continue
        product = lead.product
        term = lead.approved_term or 12
        methods = list(product.repayment_methods or [])
        new.append(Loan(
            lead=lead, enterprise_id=lead.enterprise_id, institution_id=lead.institution_id, product=product,
            amount=lead.disbursed_amount, annual_rate=lead.approved_rate or product.rate_min, term_months=term,
            repayment_method=methods[0] if methods else RepaymentMethod.EQUAL_INSTALMENT,
            disbursed_on=lead.disbursed_on, maturity_date=add_months(lead.disbursed_on, term),
            status=LoanStatus.CURRENT, status_as_of=lead.disbursed_on, outstanding=lead.disbursed_amount,
            is_credit=product.collateral == Collateral.NONE or product.product_type == ProductType.CREDIT,
            is_sandbox=True,
        ))  # fmt: skip
    Loan.objects.bulk_create(new, batch_size=500)
    moved = []
    for loan in Loan.objects.filter(enterprise_id__in=synthetic).select_related("lead"):
        day = loan.lead.disbursed_on
        if day is not None and loan.disbursed_on != day:
            loan.disbursed_on = loan.status_as_of = day
            loan.maturity_date = add_months(day, loan.term_months)
            moved.append(loan)
    Loan.objects.bulk_update(moved, ["disbursed_on", "status_as_of", "maturity_date"], batch_size=500)
    Loan.objects.filter(enterprise_id__in=synthetic).update(is_sandbox=True)


def _first_loans(synthetic: list[int], borrowers: set[str]) -> None:
    """首贷户: an enterprise's first loan on the platform, if the sandbox book shows no earlier one."""
    first: dict[int, int] = {}
    for pk, enterprise_id, uscc in (
        Loan.objects.filter(enterprise_id__in=synthetic).order_by("disbursed_on", "pk")
        .values_list("pk", "enterprise_id", "enterprise__uscc")
    ):  # fmt: skip
        if uscc not in borrowers:
            first.setdefault(enterprise_id, pk)
    loans = Loan.objects.filter(enterprise_id__in=synthetic)
    loans.update(is_first_loan=False)
    loans.filter(pk__in=first.values()).update(is_first_loan=True)
    Lead.objects.filter(enterprise_id__in=synthetic, status=LeadStatus.DISBURSED).update(is_first_loan=False)
    # The leads' ids first: a join in the UPDATE gets a nested-loop plan that is quadratic in the
    # book when PostgreSQL has no statistics yet for the freshly written tables (one transaction).
    first_leads = list(Loan.objects.filter(pk__in=first.values()).values_list("lead_id", flat=True))
    Lead.objects.filter(pk__in=first_leads).update(is_first_loan=True)


def _renew(rng: random.Random, loan: Loan, path: _Path, renewals: list[tuple[Loan, Lead, FinancingNeed]]) -> None:
    """A loan repaid at maturity is sometimes renewed: the bank lends again the same day."""
    if path.status != LoanStatus.REPAID or rng.random() > 0.25:
        return
    day = path.as_of
    path.status = LoanStatus.RENEWED
    path.reports[-1] = (day, LoanStatus.RENEWED, Decimal(0), 0)
    lead0 = loan.lead
    at = timezone.make_aware(datetime.combine(day - timedelta(days=20), datetime.min.time()).replace(hour=10))
    owner = loan.lead.need.created_by
    kind = RenewalKind.NO_PRINCIPAL if loan.product.product_type == ProductType.RENEWAL else RenewalKind.STANDARD
    need = FinancingNeed(
        enterprise_id=loan.enterprise_id, created_by=owner, amount=loan.amount, term_months=loan.term_months,
        purpose=str(RenewalKind(kind).label), source=NeedSource.RENEWAL, status=NeedStatus.FUNDED, created_at=at,
    )  # fmt: skip
    lead = Lead(
        need=need, product=loan.product, institution_id=loan.institution_id, enterprise_id=loan.enterprise_id,
        source=NeedSource.RENEWAL, status=LeadStatus.DISBURSED, grade=lead0.grade, pd=lead0.pd, score=lead0.score,
        likelihood=lead0.likelihood, bank_score=lead0.bank_score, judgement_basis=lead0.judgement_basis,
        judgement_categories=lead0.judgement_categories, judgement_until=lead0.judgement_until, created_at=at,
        claim_deadline=at + timedelta(days=2), decision_deadline=at + timedelta(days=9),
        claimed_by=lead0.decided_by, claimed_at=at + timedelta(hours=3), decided_by=lead0.decided_by,
        decided_at=at + timedelta(days=3), approved_amount=loan.amount, approved_rate=loan.annual_rate,
        approved_term=loan.term_months, disbursed_amount=loan.amount, disbursed_on=day,
    )  # fmt: skip
    renewal = Loan(
        enterprise_id=loan.enterprise_id, institution_id=loan.institution_id, product=loan.product,
        amount=loan.amount, annual_rate=loan.annual_rate, term_months=loan.term_months,
        repayment_method=loan.repayment_method, disbursed_on=day, maturity_date=add_months(day, loan.term_months),
        status=LoanStatus.CURRENT, status_as_of=day, outstanding=loan.amount, is_credit=loan.is_credit,
        renewal_of=loan, is_sandbox=True,
    )  # fmt: skip
    renewals.append((renewal, lead, need))


def seed_loan_performance(ctx: SeedContext) -> None:
    """Every synthetic disbursement becomes a sandbox loan with monthly reports since."""
    synthetic = [e.pk for e in ctx.enterprises.values()]
    if not synthetic or Loan.objects.filter(is_sandbox=True).exists():
        return
    book = SandboxProvider().data.loans
    defaulted, borrowers = set(book.loc[book["defaulted"] == 1, "uscc"]), set(book["uscc"])
    _open_loans(synthetic)
    rng = random.Random(SEED + 1)  # noqa: S311 — reproducible sandbox outcomes, not a secret
    today = timezone.localdate()
    loans = list(
        Loan.objects.filter(enterprise_id__in=synthetic)
        .select_related("lead__need", "enterprise").order_by("disbursed_on", "pk")
    )  # fmt: skip
    protected = {ctx.enterprises[u].pk for u in ("demo_sme", "demo_sme2")}  # the demo logins' own loans stay sound
    forced = _forced_bad(loans, ctx.banks["yuexin-bank"].pk, protected, today)
    paths: dict[int, _Path] = {}
    renewals: list[tuple[Loan, Lead, FinancingNeed]] = []
    for loan in loans:
        bad = loan.pk in forced or (
            loan.enterprise_id not in protected and rng.random() < _propensity(loan.lead, defaulted)
        )
        paths[loan.pk] = _path(rng, loan, bad, today, onset=forced.get(loan.pk))
        _renew(rng, loan, paths[loan.pk], renewals)
    _save_renewals(renewals)
    for renewal, _lead, _need in renewals:
        renewal.lead = _lead
        bad = rng.random() < _propensity(_lead, defaulted) if renewal.enterprise_id not in protected else False
        paths[renewal.pk] = _path(rng, renewal, bad, today)
        loans.append(renewal)
    banks = FinancialInstitution.objects.in_bulk({loan.institution_id for loan in loans})
    _save_paths(loans, paths, {pk: _officer_for(bank) for pk, bank in banks.items()})
    _first_loans(synthetic, borrowers)
    bad_ever = [pk for pk, path in paths.items() if any(r[1] in _BAD or r[3] >= NPL_DPD for r in path.reports)]
    cutoff = today - relativedelta(months=6)
    # By lead id (the loans are in hand): see _first_loans on UPDATEs joined to the loans.
    Lead.objects.filter(pk__in=[loan.lead_id for loan in loans if loan.disbursed_on <= cutoff]).update(defaulted=False)
    bad_loans = set(bad_ever)
    Lead.objects.filter(pk__in=[loan.lead_id for loan in loans if loan.pk in bad_loans]).update(defaulted=True)
    ctx.progress(
        f"贷后表现已生成：{len(loans)} 笔沙箱贷款（{len(renewals)} 笔续贷），"
        f"{sum(len(p.reports) for p in paths.values())} 份月度报告"
    )


_BAD = (LoanStatus.DPD_90_PLUS, LoanStatus.DEFAULTED, LoanStatus.WRITTEN_OFF)


def _forced_bad(loans: list[Loan], bank_id: int, protected: set[int], today: date) -> dict[int, int]:
    """Two loans of demo_bank's bank go bad for sure (one defaulted, one 31–90 days late), so the
    officer's pages have a claim to file and an overdue loan to follow."""
    candidates = [
        loan for loan in loans
        if loan.institution_id == bank_id and loan.enterprise_id not in protected and loan.term_months >= 12
        and loan.amount <= 1_000_000 and loan.disbursed_on <= today - relativedelta(months=10)
        and loan.maturity_date > today - relativedelta(months=6)
    ]  # fmt: skip
    forced: dict[int, int] = {}
    months = [(today.year - c.disbursed_on.year) * 12 + today.month - c.disbursed_on.month for c in candidates]
    if candidates:
        forced[candidates[0].pk] = max(2, months[0] - 8)  # over 180 days late by now: defaulted
    if len(candidates) > 1:
        forced[candidates[-1].pk] = max(2, months[-1] - 2)  # 45 to 75 days late
    return forced


def _save_renewals(renewals: list[tuple[Loan, Lead, FinancingNeed]]) -> None:
    FinancingNeed.objects.bulk_create([need for _loan, _lead, need in renewals])
    events = []
    for _loan, lead, need in renewals:
        lead.need_id = need.pk
    Lead.objects.bulk_create([lead for _loan, lead, _need in renewals])
    requests = []
    for loan, lead, need in renewals:
        loan.lead_id = lead.pk
        previous = loan.renewal_of_id or 0  # always set by _renew
        at = need.created_at
        kind = RenewalKind.NO_PRINCIPAL if loan.product.product_type == ProductType.RENEWAL else RenewalKind.STANDARD
        requests.append(RenewalRequest(
            loan_id=previous, kind=kind, amount=loan.amount, term_months=loan.term_months, lead=lead,
            requested_by=need.created_by, created_at=need.created_at, reason=SANDBOX_NOTE,
        ))  # fmt: skip
        officer = lead.decided_by
        events += [
            LeadEvent(lead=lead, kind="created", to_status=LeadStatus.NEW, note=NeedSource.RENEWAL, at=at),
            LeadEvent(lead=lead, kind="claimed", from_status=LeadStatus.NEW, to_status=LeadStatus.CLAIMED,
                      actor=officer, at=at + timedelta(hours=3)),
            LeadEvent(lead=lead, kind="approved", from_status=LeadStatus.CLAIMED, to_status=LeadStatus.APPROVED,
                      actor=officer, at=at + timedelta(days=3)),
            LeadEvent(lead=lead, kind="disbursed", from_status=LeadStatus.APPROVED, to_status=LeadStatus.DISBURSED,
                      actor=officer, at=at + timedelta(days=20)),
        ]  # fmt: skip
    Loan.objects.bulk_create([loan for loan, _lead, _need in renewals])
    RenewalRequest.objects.bulk_create(requests)
    LeadEvent.objects.bulk_create(events)


def _save_paths(loans: list[Loan], paths: dict[int, _Path], officers: dict[int, User]) -> None:
    reports = [
        PerformanceReport(
            loan=loan,
            as_of=day,
            status=status,
            outstanding=outstanding,
            days_past_due=dpd,
            note=SANDBOX_NOTE,
            channel=ReportChannel.SYSTEM,
            reported_by=officers.get(loan.institution_id),
        )
        for loan in loans
        for day, status, outstanding, dpd in paths[loan.pk].reports
    ]
    PerformanceReport.objects.bulk_create(reports, batch_size=1000)
    for loan in loans:
        path = paths[loan.pk]
        loan.status, loan.outstanding, loan.days_past_due, loan.status_as_of = (
            path.status,
            path.outstanding,
            path.dpd,
            path.as_of,
        )
    Loan.objects.bulk_update(loans, ["status", "outstanding", "days_past_due", "status_as_of"], batch_size=500)


# ------------------------------------------------------------- risk compensation


def seed_compensation(ctx: SeedContext) -> None:
    """A compensation fund of 3亿 (above the ≈1.7亿 it covers, so its available money stays positive)
    covering half the loss on sandbox loans up to 100万, its enrolments,
    one approved claim and one awaiting the administrator (filed by demo_bank's bank)."""
    if CompensationScheme.objects.filter(name=SCHEME_NAME).exists():
        return
    start = timezone.localdate() - relativedelta(months=30)
    scheme = CompensationScheme.objects.create(
        name=SCHEME_NAME, fund_name="广东省普惠金融风险补偿资金池（沙箱演示）", coverage_share=Decimal("50"),
        loan_cap=Decimal("1000000"), budget=Decimal("300000000"), valid_from=start, created_by=ctx.users["demo_admin"],
    )  # fmt: skip
    scheme_saved(user=ctx.users["demo_admin"], scheme=scheme, created=True)
    loans = list(
        Loan.objects.filter(is_sandbox=True, amount__lte=scheme.loan_cap, disbursed_on__gte=start).order_by("pk")
    )
    SchemeEnrolment.objects.bulk_create(
        [
            SchemeEnrolment(
                scheme=scheme, loan=loan, covered_amount=covered_amount(scheme, loan.amount),
                enrolled_at=timezone.make_aware(datetime.combine(loan.disbursed_on, datetime.min.time())),
            )
            for loan in loans
        ],
        batch_size=500,
    )  # fmt: skip
    bad = list(
        SchemeEnrolment.objects.filter(scheme=scheme, loan__status__in=(LoanStatus.DEFAULTED, LoanStatus.WRITTEN_OFF))
        .select_related("loan").order_by("loan__disbursed_on")
    )  # fmt: skip
    yuexin = ctx.banks["yuexin-bank"].pk
    pending = next((e for e in bad if e.loan.institution_id == yuexin), None)
    paid = next((e for e in bad if e is not pending), None)
    admin = ctx.users["demo_admin"]
    if paid is not None:  # filed five weeks ago, approved three weeks ago, through the real services
        loan = paid.loan
        claim = claim_file(officer=_officer_for(loan.institution), loan=loan, loss_amount=claim_loss_cap(loan),
                           note=SANDBOX_NOTE)  # fmt: skip
        claim = claim_decide(admin=admin, claim=claim, approve=True, paid_amount=claim.claimed_amount,
                             reason="材料齐全，损失核实无误（沙箱演示）")  # fmt: skip
        CompensationClaim.objects.filter(pk=claim.pk).update(
            filed_at=timezone.now() - timedelta(days=35), decided_at=timezone.now() - timedelta(days=20)
        )
    if pending is not None:  # awaiting the administrator's decision
        claim = claim_file(officer=ctx.users["demo_bank"], loan=pending.loan, loss_amount=claim_loss_cap(pending.loan),
                           note=f"借款人逾期超过180天，已启动催收。{SANDBOX_NOTE}")  # fmt: skip
        CompensationClaim.objects.filter(pk=claim.pk).update(filed_at=timezone.now() - timedelta(days=3))
    ctx.progress(f"风险补偿方案已就绪：{len(loans)} 笔贷款入池，{len(bad)} 笔违约（沙箱合成数据）")


# ------------------------------------------------------------------ early warning

MONITORED_PAIRS = 12  # live loans besides demo_bank's bank whose borrowers authorized 贷后管理


def seed_alerts(ctx: SeedContext) -> None:
    """Borrowers of some live sandbox loans authorize their bank to monitor them (贷后管理); the
    early warning then scans their records like after an import and raises what it finds."""
    live = list(
        Loan.objects.filter(is_sandbox=True)
        .exclude(status__in=(LoanStatus.REPAID, LoanStatus.RENEWED, LoanStatus.WRITTEN_OFF))
        .select_related("enterprise", "institution").order_by("disbursed_on", "pk")
    )  # fmt: skip
    if not live or Authorization.objects.filter(purpose=Purpose.MONITORING, enterprise__is_synthetic=True).exists():
        return
    yuexin = ctx.banks["yuexin-bank"].pk
    pairs: dict[tuple[int, int], Loan] = {}
    for loan in live:
        if loan.institution_id == yuexin or len(pairs) < MONITORED_PAIRS:
            pairs.setdefault((loan.enterprise_id, loan.institution_id), loan)
    owners = {
        m.enterprise_id: m.user
        for m in EnterpriseMembership.objects.filter(
            enterprise_id__in={e for e, _ in pairs}, role=MemberRole.OWNER
        ).select_related("user")
    }
    for (enterprise_id, _bank), loan in pairs.items():
        if enterprise_id in owners:
            _grant_monitoring(loan, owners[enterprise_id])
    alerts = alert_scan(sorted({loan.enterprise.uscc for loan in pairs.values()}))
    ctx.progress(f"贷后预警已生成：{len(pairs)} 笔贷款授权贷后管理，{len(alerts)} 条预警（沙箱合成数据）")


def _grant_monitoring(loan: Loan, owner: User) -> None:
    """The borrower's 贷后管理 authorization to its bank, signed like the sandbox's others (no login)."""
    now = timezone.now()
    terms: dict[str, Any] = {
        "grantee_type": GranteeType.INSTITUTION, "institution": loan.institution, "purpose": Purpose.MONITORING,
        "categories": PUBLIC_CATEGORIES, "data_from": timezone.localdate() - relativedelta(years=3),
        "valid_from": now - timedelta(minutes=5),
        "expires_at": max(now + relativedelta(months=6), timezone.make_aware(
            datetime.combine(loan.maturity_date, datetime.min.time())) + relativedelta(months=3)),
    }  # fmt: skip
    text = authorization_preview(enterprise=loan.enterprise, user=owner, **terms)
    Authorization.objects.create(
        enterprise=loan.enterprise, granted_by=owner, text_version=texts.CURRENT_VERSION, text=text,
        text_hash=texts.text_hash(text), **terms,
    )  # fmt: skip


# ------------------------------------------------------------------------ renewals


def seed_renewal_request(ctx: SeedContext) -> None:
    """A sandbox borrower of demo_bank's bank asks to renew a loan about to mature (through the
    real service): a 续贷 lead waiting in the officer's workbench."""
    bank = ctx.banks["yuexin-bank"]
    protected = [ctx.enterprises[u].pk for u in ("demo_sme", "demo_sme2")]
    today = timezone.localdate()
    loans = (
        Loan.objects.filter(is_sandbox=True, institution=bank, status=LoanStatus.CURRENT)
        .filter(maturity_date__gte=today + timedelta(days=7), maturity_date__lte=today + timedelta(days=80))
        .exclude(enterprise_id__in=protected).order_by("maturity_date", "pk")
    )  # fmt: skip
    if not loans or RenewalRequest.objects.filter(loan__in=loans, lead__status=LeadStatus.NEW).exists():
        return
    for loan in loans[:3]:
        owner = EnterpriseMembership.objects.filter(enterprise_id=loan.enterprise_id, role=MemberRole.OWNER).first()
        if owner is None:
            continue
        try:
            request = renewal_request(
                user=owner.user, loan=loan, kind=RenewalKind.STANDARD, amount=loan.amount,
                term_months=loan.term_months, reason="经营正常，申请到期续贷（沙箱演示）",
            )  # fmt: skip
        except (RenewalError, ValidationError, MatchingError) as exc:
            ctx.progress(f"  跳过续贷申请：{exc}")
            continue
        ctx.progress(f"续贷申请已提交：线索 #{request.lead_id}（沙箱合成数据）")
        return


LOANS_SEED_STEPS = [seed_decision_history, seed_loan_performance, seed_compensation, seed_renewal_request, seed_alerts]


# ------------------------------------------------------------------------ learning


def seed_learning(ctx: SeedContext) -> None:
    """From the synthetic book (issue 15, through loanhub.learning like the administrator's buttons):
    the approval likelihood learned from the banks' decisions (put in use, as the service does), and
    a challenger PD model trained on the labelled book and compared with the active model on the
    book's latest quarter. The challenger is never activated here: the administrator decides on the
    model page."""
    from loanhub.learning.services import approval_train, challenger_train
    from loanhub.scoring.models import ApprovalModelVersion, ModelVersion

    admin = ctx.users["demo_admin"]
    if not ApprovalModelVersion.objects.exists():
        try:
            with transaction.atomic():
                version = approval_train(user=admin)
            ctx.progress(f"获批可能性模型已学习：{version.version}（沙箱合成数据）")
        except ValueError as exc:
            ctx.progress(f"  未学习获批可能性：{exc}")
    if not ModelVersion.objects.filter(is_challenger=True).exists():
        try:
            with transaction.atomic():
                challenger = challenger_train(user=admin, prefix=SANDBOX_CHALLENGER)
            ctx.progress(f"挑战者模型已训练并完成对比（未启用）：{challenger.version}（沙箱合成数据）")
        except ValueError as exc:
            if not getattr(exc, "warnings", None):
                ctx.progress(f"  未训练挑战者模型：{exc}")
                return
            # Training guards (e.g. a weak out-of-time AUC on the small synthetic book, whose latest
            # months hold only a dozen bad loans): the demo trains anyway, as an administrator may
            # with --force; the warnings go into the model card and the comparison shows the result.
            with transaction.atomic():
                challenger = challenger_train(user=admin, prefix=SANDBOX_CHALLENGER, force=True)
            codes = "、".join(str(w.code) for w in exc.warnings)  # type: ignore[attr-defined]
            ctx.progress(
                f"挑战者模型已训练并完成对比（未启用，训练警告 {codes} 已记入模型卡）："
                f"{challenger.version}（沙箱合成数据）"
            )


SANDBOX_CHALLENGER = "sandbox-challenger"  # its version name says it was trained on the sandbox's book
LOANS_SEED_STEPS += [seed_learning]
