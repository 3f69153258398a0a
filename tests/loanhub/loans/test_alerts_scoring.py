"""The score-drop check end to end with a real (small) model: an import commits, the enterprise is
rescored (full scope), the hook computes the bank's scoped score from the monitoring artefact only,
and a sharp drop against the previous scoped score raises one alert."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from loanhub.consent.models import Purpose
from loanhub.loans.alerts import SCORE_DROP_GRADES, SCORE_DROP_POINTS, SCORE_GRADES
from loanhub.loans.models import AlertKind, LoanAlert
from loanhub.scoring.models import ScoreRecord
from tests.factories.credit import authorize, import_rows
from tests.factories.loans import loan_create

pytestmark = pytest.mark.django_db

MONITORED = ["tax_rating", "social_insurance", "penalty", "judicial", "dishonest_debtor"]


def _day(days_ago: int) -> str:
    return (timezone.localdate() - timedelta(days=days_ago)).isoformat()


def _history(uscc: str) -> None:
    year = timezone.localdate().year
    import_rows("tax_rating", [{"uscc": uscc, "record_date": _day(500), "year": year - 2, "grade": "A"}])
    rows = [
        {"uscc": uscc, "record_date": _day(30 * m + 5), "month": _day(30 * m + 5), "headcount": 40,
         "amount_paid": 120000, "arrears": 0}
        for m in range(1, 13)
    ]  # fmt: skip
    import_rows("social_insurance", rows)


def _monitoring_scores(loan) -> list[ScoreRecord]:
    """The bank's scoped scores from exactly the monitoring categories, newest first (the lead's
    judgement uses the same scope key with the matching artefact's categories added)."""
    scores = ScoreRecord.objects.filter(enterprise=loan.enterprise, scope=f"institution:{loan.institution_id}")
    return [s for s in scores.order_by("-created_at", "-pk") if sorted(s.categories) == sorted(MONITORED)]


def test_a_real_rescore_after_adverse_records_runs_the_scoped_score_check(
    active_model, bank_a_page, officer_a, manager_a, django_capture_on_commit_callbacks
):
    loan = loan_create(bank_a_page, officer_a, disbursed_on=timezone.localdate() - timedelta(days=40))
    uscc = loan.enterprise.uscc
    artefact = authorize(
        loan.enterprise, institution=loan.institution, purpose=Purpose.MONITORING, categories=MONITORED
    )
    with django_capture_on_commit_callbacks(execute=True):
        _history(uscc)
    baseline = _monitoring_scores(loan)[0]  # computed from the monitoring artefact's categories only
    assert not LoanAlert.objects.filter(kind=AlertKind.SCORE_DROP).exists()

    with django_capture_on_commit_callbacks(execute=True):
        import_rows(
            "dishonest_debtor", [{"uscc": uscc, "record_date": _day(2), "listed_on": _day(2), "issuer": "某区人民法院"}]
        )
        import_rows(
            "judicial",
            [{"uscc": uscc, "record_date": _day(3), "case_type": "借款合同纠纷", "role": "defendant",
              "amount": 3_000_000, "status": "enforcing"}],
        )  # fmt: skip
    after = _monitoring_scores(loan)[0]
    assert after.pk != baseline.pk
    kinds = set(LoanAlert.objects.filter(loan=loan).values_list("kind", flat=True))
    assert {AlertKind.DISHONEST, AlertKind.JUDICIAL} <= kinds  # the records themselves
    drop = baseline.score - after.score
    grades = SCORE_GRADES.index(after.grade) - SCORE_GRADES.index(baseline.grade)
    sharp = drop >= SCORE_DROP_POINTS or grades >= SCORE_DROP_GRADES
    assert sharp  # a live dishonest listing and a 300万 enforcement case: here 675 (C) → 545 (D)
    assert AlertKind.SCORE_DROP in kinds
    alert = LoanAlert.objects.get(loan=loan, kind=AlertKind.SCORE_DROP)
    assert alert.record is None and alert.authorization_id == artefact.pk
    assert str(after.score) in alert.summary and str(baseline.score) in alert.summary
