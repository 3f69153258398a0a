"""Writes of the post-loan half: opening a loan when a lead is disbursed."""

from __future__ import annotations

from django.db import transaction

from cms.choices import Collateral, ProductType, RepaymentMethod
from loanhub.matching.models import Lead, LeadStatus

from .models import Loan, LoanStatus
from .schedule import add_months


def _repayment_method(lead: Lead) -> str:
    methods = list(lead.product.repayment_methods or [])
    return methods[0] if methods else RepaymentMethod.EQUAL_INSTALMENT


@transaction.atomic
def loan_open_from_lead(*, lead: Lead) -> Loan:
    """The loan a disbursed lead becomes; calling it again returns the same loan."""
    if lead.status != LeadStatus.DISBURSED or lead.disbursed_amount is None or lead.disbursed_on is None:
        raise ValueError("only a disbursed lead becomes a loan")
    existing = Loan.objects.filter(lead=lead).first()
    if existing is not None:
        return existing
    product = lead.product
    term = lead.approved_term or lead.need.term_months
    rate = lead.approved_rate if lead.approved_rate is not None else product.rate_min
    loan = Loan.objects.create(
        lead=lead,
        enterprise_id=lead.enterprise_id,
        institution_id=lead.institution_id,
        product=product,
        amount=lead.disbursed_amount,
        annual_rate=rate,
        term_months=term,
        repayment_method=_repayment_method(lead),
        disbursed_on=lead.disbursed_on,
        maturity_date=add_months(lead.disbursed_on, term),
        status=LoanStatus.CURRENT,
        status_as_of=lead.disbursed_on,
        outstanding=lead.disbursed_amount,
        is_first_loan=lead.is_first_loan,
        is_credit=product.collateral == Collateral.NONE or product.product_type == ProductType.CREDIT,
    )
    return loan


def lead_transitioned(lead: Lead, kind: str) -> None:
    """matching's transition hook: a disbursement opens the loan in the same transaction."""
    if kind == "disbursed":
        loan_open_from_lead(lead=lead)
