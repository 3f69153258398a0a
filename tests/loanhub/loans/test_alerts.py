"""Early warning (贷后预警): detection, the consent rules, dedupe, handling and the SLA."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from loanhub.accounts.models import Notification
from loanhub.consent.models import AccessLog, AuthorizationStatus, Channel, GranteeType, Purpose
from loanhub.credit_data.models import CreditRecord
from loanhub.institutions.services import institution_add_staff
from loanhub.loans import alerts
from loanhub.loans.alert_selectors import coverage_for_alerts
from loanhub.loans.alerts import (
    AlertAlreadyHandled,
    AlertError,
    AlertNotAuthorized,
    alert_acknowledge,
    alert_close,
    alert_raise,
    alert_scan,
    alert_scan_enterprise,
    alerts_check_overdue,
)
from loanhub.loans.models import AlertAction, AlertKind, AlertSeverity, AlertStatus, LoanAlert, LoanStatus
from loanhub.matching.clock import claim_deadline
from loanhub.scoring.models import ModelVersion, ScoreRecord
from tests.factories.accounts import UserFactory
from tests.factories.credit import authorize, import_rows
from tests.factories.loans import loan_create

pytestmark = pytest.mark.django_db

WATCHED = [
    "penalty", "judicial", "dishonest_debtor", "social_insurance", "tax_payment", "tax_rating", "registration",
]  # fmt: skip


def _day(days_ago: int) -> str:
    return (timezone.localdate() - timedelta(days=days_ago)).isoformat()


@pytest.fixture
def loan(bank_a_page, officer_a, manager_a):
    return loan_create(bank_a_page, officer_a, amount=400_000, disbursed_on=timezone.localdate() - timedelta(days=60))


@pytest.fixture
def monitoring(loan):
    return authorize(loan.enterprise, institution=loan.institution, purpose=Purpose.MONITORING, categories=WATCHED)


def _penalty(loan, severity="严重", days_ago=5, fine=20000, name="p.csv"):
    return import_rows(
        "penalty",
        [{"uscc": loan.enterprise.uscc, "record_date": _day(days_ago), "issuer": "市场监督管理局",
          "severity": severity, "fine_amount": fine}],
        name=name,
    )  # fmt: skip


# ------------------------------------------------------------------ detection


def test_a_serious_penalty_raises_a_high_alert_to_the_lending_bank(loan, monitoring, officer_a, manager_a):
    _penalty(loan)
    raised = alert_scan([loan.enterprise.uscc])
    assert len(raised) == 1
    alert = raised[0]
    assert (alert.kind, alert.severity, alert.status) == (AlertKind.PENALTY, AlertSeverity.HIGH, AlertStatus.OPEN)
    assert alert.institution_id == loan.institution_id and alert.authorization_id == monitoring.pk
    assert alert.record.category == "penalty" and "市场监督管理局" in alert.summary and "20,000" in alert.summary
    assert alert.ack_deadline == claim_deadline(alert.raised_at)
    told = set(Notification.objects.filter(link=f"/cms-admin/loan-alerts/{alert.pk}/").values_list("user", flat=True))
    assert told == {officer_a.pk, manager_a.pk}


def test_reimporting_the_same_file_raises_nothing_new(loan, monitoring):
    _penalty(loan)
    assert len(alert_scan([loan.enterprise.uscc])) == 1
    _penalty(loan)  # the same file again: nothing stored, nothing raised
    assert alert_scan([loan.enterprise.uscc]) == []
    assert LoanAlert.objects.count() == 1


def test_the_import_hook_raises_after_commit(loan, monitoring, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _penalty(loan)
    assert LoanAlert.objects.filter(loan=loan, kind=AlertKind.PENALTY).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        _penalty(loan, fine=30000, name="second.csv")
    assert LoanAlert.objects.filter(loan=loan).count() == 2


@pytest.mark.parametrize(
    ("category", "row", "kind", "severity"),
    [
        ("judicial", {"case_type": "买卖合同纠纷", "role": "defendant", "amount": 2_000_000, "status": "open"},
         AlertKind.JUDICIAL, AlertSeverity.HIGH),
        ("judicial", {"case_type": "买卖合同纠纷", "role": "defendant", "amount": 30_000, "status": "open"},
         AlertKind.JUDICIAL, AlertSeverity.MEDIUM),
        ("judicial", {"case_type": "买卖合同纠纷", "role": "defendant", "amount": 30_000, "status": "enforcing"},
         AlertKind.JUDICIAL, AlertSeverity.HIGH),
        ("dishonest_debtor", {"listed_on": _day(3), "issuer": "某区人民法院"}, AlertKind.DISHONEST, AlertSeverity.HIGH),
        ("social_insurance", {"month": _day(10), "headcount": 10, "amount_paid": 1000, "arrears": 80_000},
         AlertKind.SOCIAL_INSURANCE_ARREARS, AlertSeverity.MEDIUM),
        ("social_insurance", {"month": _day(10), "headcount": 10, "amount_paid": 1000, "arrears": 800},
         AlertKind.SOCIAL_INSURANCE_ARREARS, AlertSeverity.LOW),
        ("tax_payment", {"period": "2026Q3", "tax_paid": 0, "arrears": 150_000}, AlertKind.TAX_ARREARS,
         AlertSeverity.HIGH),
        ("tax_payment", {"period": "2026Q3", "tax_paid": 1000, "arrears": 3_000}, AlertKind.TAX_ARREARS,
         AlertSeverity.MEDIUM),
        ("registration", {"event": "abnormal_listed", "status": "存续"}, AlertKind.ABNORMAL_OPERATION,
         AlertSeverity.MEDIUM),
        ("penalty", {"issuer": "税务局", "severity": "一般", "fine_amount": 100}, AlertKind.PENALTY,
         AlertSeverity.MEDIUM),
    ],
)  # fmt: skip
def test_each_kind_of_adverse_record_and_its_severity(loan, monitoring, category, row, kind, severity):
    import_rows(category, [{"uscc": loan.enterprise.uscc, "record_date": _day(5), **row}])
    [alert] = alert_scan([loan.enterprise.uscc])
    assert (alert.kind, alert.severity) == (kind, severity)


@pytest.mark.parametrize(
    ("category", "row"),
    [
        ("judicial", {"case_type": "买卖合同纠纷", "role": "plaintiff", "amount": 2_000_000, "status": "open"}),
        ("penalty", {"issuer": "税务局", "severity": "轻微", "fine_amount": 100}),  # minor: not shown, no alert
        ("social_insurance", {"month": _day(10), "headcount": 10, "amount_paid": 1000, "arrears": 0}),
        ("tax_payment", {"period": "2026Q3", "tax_paid": 86_500}),  # no arrears column: paid in full
        ("tax_payment", {"period": "2026Q3", "tax_paid": 86_500, "arrears": 0}),
        ("dishonest_debtor", {"listed_on": _day(30), "removed_on": _day(8), "issuer": "某区人民法院"}),
        ("registration", {"event": "legal_rep_change", "status": "存续"}),
    ],
)
def test_records_that_are_not_adverse_raise_nothing(loan, monitoring, category, row):
    import_rows(category, [{"uscc": loan.enterprise.uscc, "record_date": _day(5), **row}])
    assert alert_scan([loan.enterprise.uscc]) == []


def test_a_tax_rating_drop_is_compared_with_the_year_before(loan, monitoring):
    year = timezone.localdate().year
    import_rows(
        "tax_rating", [{"uscc": loan.enterprise.uscc, "record_date": _day(400), "year": year - 2, "grade": "B"}]
    )
    import_rows("tax_rating", [{"uscc": loan.enterprise.uscc, "record_date": _day(5), "year": year - 1, "grade": "D"}])
    [alert] = alert_scan([loan.enterprise.uscc])
    assert (alert.kind, alert.severity) == (AlertKind.TAX_RATING_DROP, AlertSeverity.HIGH)
    assert "B" in alert.summary and "D" in alert.summary


def test_a_tax_rating_drop_is_not_raised_when_the_earlier_grade_is_outside_the_authorized_range(loan):
    artefact = authorize(loan.enterprise, institution=loan.institution, purpose=Purpose.MONITORING, categories=WATCHED)
    artefact.data_from = timezone.localdate() - timedelta(days=30)
    artefact.save()
    year = timezone.localdate().year
    import_rows(
        "tax_rating", [{"uscc": loan.enterprise.uscc, "record_date": _day(400), "year": year - 2, "grade": "A"}]
    )
    import_rows("tax_rating", [{"uscc": loan.enterprise.uscc, "record_date": _day(5), "year": year - 1, "grade": "C"}])
    assert alert_scan([loan.enterprise.uscc]) == []  # saying "from A" would reveal a record it does not cover


def test_a_record_from_before_the_disbursement_raises_nothing(loan, monitoring):
    _penalty(loan, days_ago=90)  # the loan was disbursed 60 days ago
    assert alert_scan([loan.enterprise.uscc]) == []


# ---------------------------------------------------------------------- consent


def test_no_consent_no_alert(loan):
    _penalty(loan)
    assert alert_scan([loan.enterprise.uscc]) == []


def test_matching_or_underwriting_consent_is_not_enough(loan):
    for purpose in (Purpose.MATCHING, Purpose.UNDERWRITING):
        authorize(loan.enterprise, institution=loan.institution, purpose=purpose, categories=WATCHED)
    _penalty(loan)
    assert alert_scan([loan.enterprise.uscc]) == []


def test_expired_or_revoked_consent_raises_nothing(loan):
    expired = authorize(loan.enterprise, institution=loan.institution, purpose=Purpose.MONITORING, categories=WATCHED)
    expired.valid_from = timezone.now() - timedelta(days=400)
    expired.expires_at = timezone.now() - timedelta(days=1)
    expired.save()
    revoked = authorize(loan.enterprise, institution=loan.institution, purpose=Purpose.MONITORING, categories=WATCHED)
    revoked.status, revoked.revoked_at = AuthorizationStatus.REVOKED, timezone.now()
    revoked.save()
    _penalty(loan)
    assert alert_scan([loan.enterprise.uscc]) == []


def test_a_category_the_consent_does_not_cover_raises_nothing(loan):
    authorize(
        loan.enterprise, institution=loan.institution, purpose=Purpose.MONITORING, categories=["social_insurance"]
    )
    _penalty(loan)
    assert alert_scan([loan.enterprise.uscc]) == []


def test_tax_arrears_need_the_separately_consented_tax_amounts(loan):
    """纳税金额 is sensitive: a monitoring consent without it raises nothing about tax arrears."""
    without = [c for c in WATCHED if c != "tax_payment"]
    authorize(loan.enterprise, institution=loan.institution, purpose=Purpose.MONITORING, categories=without)
    row = {"uscc": loan.enterprise.uscc, "record_date": _day(5), "period": "2026Q3", "tax_paid": 0, "arrears": 150_000}
    import_rows("tax_payment", [row])
    assert alert_scan([loan.enterprise.uscc]) == []


def test_consent_to_another_bank_raises_nothing(loan, bank_b):
    authorize(loan.enterprise, institution=bank_b, purpose=Purpose.MONITORING, categories=WATCHED)
    _penalty(loan)
    assert alert_scan([loan.enterprise.uscc]) == []


def test_institutions_i_apply_to_covers_the_lending_bank(loan):
    authorize(loan.enterprise, grantee_type=GranteeType.APPLIED, purpose=Purpose.MONITORING, categories=["penalty"])
    _penalty(loan)
    assert len(alert_scan([loan.enterprise.uscc])) == 1


def test_a_repaid_loan_raises_nothing(loan, monitoring):
    type(loan).objects.filter(pk=loan.pk).update(status=LoanStatus.REPAID)
    _penalty(loan)
    assert alert_scan([loan.enterprise.uscc]) == []


def test_revoking_hides_the_details_of_alerts_already_raised(loan, monitoring):
    _penalty(loan)
    [alert] = alert_scan([loan.enterprise.uscc])
    assert coverage_for_alerts([alert])[alert.pk].visible
    monitoring.status, monitoring.revoked_at = AuthorizationStatus.REVOKED, timezone.now()
    monitoring.save()
    coverage = coverage_for_alerts([alert])[alert.pk]
    assert not coverage.visible and coverage.reason == "revoked" and "撤回" in coverage.reason_text


def test_repaying_the_loan_hides_the_details(loan, monitoring):
    _penalty(loan)
    [alert] = alert_scan([loan.enterprise.uscc])
    type(loan).objects.filter(pk=loan.pk).update(status=LoanStatus.REPAID)
    alert = LoanAlert.objects.select_related("loan").get(pk=alert.pk)
    assert coverage_for_alerts([alert])[alert.pk].reason == "loan_closed"


def test_alert_raise_by_hand_follows_the_same_consent_rule(loan, monitoring):
    _penalty(loan)
    record = CreditRecord.objects.get(uscc=loan.enterprise.uscc, category="penalty")
    alert = alert_raise(loan=loan, kind=AlertKind.PENALTY, severity=AlertSeverity.HIGH, summary="演示",
                        dedupe_key=f"record:{record.pk}", record=record)  # fmt: skip
    assert alert.authorization_id == monitoring.pk
    again = alert_raise(loan=loan, kind=AlertKind.PENALTY, severity=AlertSeverity.HIGH, summary="演示",
                        dedupe_key=f"record:{record.pk}", record=record)  # fmt: skip
    assert again.pk == alert.pk
    monitoring.status = AuthorizationStatus.REVOKED
    monitoring.save()
    with pytest.raises(AlertNotAuthorized):
        alert_raise(loan=loan, kind=AlertKind.PENALTY, severity=AlertSeverity.HIGH, summary="演示", dedupe_key="x")


# ------------------------------------------------------------------ score drops


def _scoped(loan, score, grade, minutes_ago, categories):
    version = ModelVersion.objects.get_or_create(version="t", defaults={"path": "no-model-dir"})[0]
    record = ScoreRecord.objects.create(
        enterprise=loan.enterprise, model_version=version, as_of=timezone.localdate(), categories=categories,
        scope=f"institution:{loan.institution_id}", inputs_hash=str(score), pd=0.05, score=score, grade=grade,
        trigger="on_demand",
    )  # fmt: skip
    ScoreRecord.objects.filter(pk=record.pk).update(created_at=timezone.now() - timedelta(minutes=minutes_ago))
    record.refresh_from_db()
    return record


def _fake_scoring(monkeypatch, current):
    monkeypatch.setattr(alerts, "data_coverage", lambda **kw: type("C", (), {"rated": True})())
    monkeypatch.setattr(alerts, "score_enterprises", lambda enterprises, **kw: [current])


def test_a_sharp_drop_of_the_banks_scoped_score_raises_one_alert_a_day(loan, monitoring, monkeypatch):
    cats = sorted(WATCHED)
    _scoped(loan, 720, "B", 60, cats)
    current = _scoped(loan, 640, "C", 0, cats)
    _fake_scoring(monkeypatch, current)
    [alert] = alerts.score_drop_check([loan.enterprise_id])
    assert (alert.kind, alert.severity, alert.record) == (AlertKind.SCORE_DROP, AlertSeverity.MEDIUM, None)
    assert "720" in alert.summary and "640" in alert.summary
    assert alerts.score_drop_check([loan.enterprise_id]) == []  # same day: deduplicated


def test_a_small_drop_or_a_score_from_other_categories_raises_nothing(loan, monitoring, monkeypatch):
    _scoped(loan, 720, "B", 60, ["penalty"])  # the matching artefact's scope: not comparable
    current = _scoped(loan, 600, "D", 0, sorted(WATCHED))
    _fake_scoring(monkeypatch, current)
    assert alerts.score_drop_check([loan.enterprise_id]) == []
    _scoped(loan, 630, "C", 30, sorted(WATCHED))
    assert alerts.score_drop_check([loan.enterprise_id]) == []  # 30 points, one grade


def test_a_two_grade_drop_is_high(loan, monitoring, monkeypatch):
    _scoped(loan, 700, "B", 60, sorted(WATCHED))
    current = _scoped(loan, 660, "D", 0, sorted(WATCHED))
    _fake_scoring(monkeypatch, current)
    [alert] = alerts.score_drop_check([loan.enterprise_id])
    assert alert.severity == AlertSeverity.HIGH


def test_no_monitoring_consent_no_score_check(loan, monkeypatch):
    monkeypatch.setattr(alerts, "score_enterprises", lambda *a, **k: pytest.fail("scored without consent"))
    assert alerts.score_drop_check([loan.enterprise_id]) == []


def test_the_scoring_hook_announces_full_scores_only(monkeypatch, loan, django_capture_on_commit_callbacks):
    from loanhub.scoring import services

    heard = []
    monkeypatch.setattr(services, "_score_listeners", [heard.append])
    version = ModelVersion.objects.create(version="h", path="no-model-dir")
    full = ScoreRecord(enterprise=loan.enterprise, model_version=version, as_of=timezone.localdate(), pd=0.1,
                       score=600, grade="C", inputs_hash="x", trigger="batch")  # fmt: skip
    scoped = ScoreRecord(enterprise=loan.enterprise, model_version=version, as_of=timezone.localdate(), pd=0.1,
                         score=600, grade="C", inputs_hash="y", trigger="batch", scope="institution:1")  # fmt: skip
    monkeypatch.setattr(services, "_compute", lambda *a, **k: [full, scoped])
    with django_capture_on_commit_callbacks(execute=True):
        services.score_enterprises([loan.enterprise], trigger="batch")
    assert heard == [[loan.enterprise_id]]


def test_scan_enterprise_checks_records_and_score(loan, monitoring, monkeypatch):
    _penalty(loan)
    monkeypatch.setattr(alerts, "score_drop_check", lambda ids, at=None: [])
    assert [a.kind for a in alert_scan_enterprise(loan.enterprise)] == [AlertKind.PENALTY]


# --------------------------------------------------------------------- handling


@pytest.fixture
def alert(loan, monitoring):
    _penalty(loan)
    return alert_scan([loan.enterprise.uscc])[0]


def test_acknowledging_records_who_note_and_action(alert, officer_a):
    done = alert_acknowledge(alert=alert, user=officer_a, note="已电话核实", action=AlertAction.CONTACT)
    assert (done.status, done.acknowledged_by, done.ack_note, done.action) == (
        AlertStatus.ACKNOWLEDGED,
        officer_a,
        "已电话核实",
        AlertAction.CONTACT,
    )


def test_of_two_officers_acknowledging_at_once_one_wins(alert, officer_a, bank_a):
    other = UserFactory(username="officer_a2", role="bank_officer")
    institution_add_staff(institution=bank_a, user=other)
    stale = LoanAlert.objects.get(pk=alert.pk)  # both loaded the open alert
    alert_acknowledge(alert=alert, user=officer_a, note="我来处理", action=AlertAction.VISIT)
    with pytest.raises(AlertAlreadyHandled, match="officer_a|已由"):
        alert_acknowledge(alert=stale, user=other, note="我也来", action=AlertAction.NONE)
    assert LoanAlert.objects.get(pk=alert.pk).acknowledged_by == officer_a


def test_acknowledging_needs_a_note_and_an_action(alert, officer_a):
    with pytest.raises(AlertError, match="处理说明"):
        alert_acknowledge(alert=alert, user=officer_a, note=" ", action=AlertAction.CONTACT)
    with pytest.raises(AlertError, match="后续措施"):
        alert_acknowledge(alert=alert, user=officer_a, note="x", action="call_police")


def test_another_banks_staff_cannot_handle_it(alert, manager_b):
    with pytest.raises(PermissionDenied):
        alert_acknowledge(alert=alert, user=manager_b, note="x", action=AlertAction.NONE)


def test_closing_comes_after_acknowledging(alert, officer_a):
    with pytest.raises(AlertError, match="先确认"):
        alert_close(alert=alert, user=officer_a)
    alert_acknowledge(alert=alert, user=officer_a, note="ok", action=AlertAction.NONE)
    assert alert_close(alert=alert, user=officer_a).status == AlertStatus.CLOSED
    with pytest.raises(AlertAlreadyHandled):
        alert_close(alert=alert, user=officer_a)


def test_an_unacknowledged_alert_past_its_deadline_is_overdue_and_managers_are_told(alert, manager_a, officer_a):
    assert alerts_check_overdue(now=alert.ack_deadline - timedelta(seconds=1)) == 0
    assert alerts_check_overdue(now=alert.ack_deadline + timedelta(seconds=1)) == 1
    assert alerts_check_overdue(now=alert.ack_deadline + timedelta(days=3)) == 0  # once
    assert LoanAlert.objects.get(pk=alert.pk).is_overdue
    titles = list(Notification.objects.filter(user=manager_a, title__contains="超时").values_list("title", flat=True))
    assert titles == [f"贷后预警超时未确认：{alert.enterprise.name}"]
    assert not Notification.objects.filter(user=officer_a, title__contains="超时").exists()


def test_an_acknowledged_alert_is_never_overdue(alert, officer_a):
    alert_acknowledge(alert=alert, user=officer_a, note="ok", action=AlertAction.NONE)
    assert alerts_check_overdue(now=alert.ack_deadline + timedelta(days=1)) == 0


def test_the_recurring_deadline_check_also_checks_alerts(alert):
    from loanhub.matching.tasks import check_deadlines_task

    LoanAlert.objects.filter(pk=alert.pk).update(ack_deadline=timezone.now() - timedelta(minutes=1))
    check_deadlines_task.enqueue(True)  # immediate backend in tests
    assert LoanAlert.objects.get(pk=alert.pk).is_overdue


def test_a_webhook_push_is_logged_as_a_read(alert):
    assert alerts.alert_delivery_logged(alert) == 1
    log = AccessLog.objects.get(channel=Channel.WEBHOOK)
    assert (log.enterprise_id, log.purpose, log.categories) == (alert.enterprise_id, Purpose.MONITORING, ["penalty"])


# --------------------------------------------------------------------- batching


def test_a_scan_reads_in_a_fixed_number_of_queries_whatever_the_number_of_records(loan, monitoring):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def months(n, start):
        return [
            {"uscc": loan.enterprise.uscc, "record_date": _day(start + i), "month": _day(start + i), "headcount": 9,
             "amount_paid": 900, "arrears": 0}
            for i in range(n)
        ]  # fmt: skip

    import_rows("social_insurance", months(1, 1), name="one.csv")
    with CaptureQueriesContext(connection) as one:
        assert alert_scan([loan.enterprise.uscc]) == []
    import_rows("social_insurance", months(40, 2), name="forty.csv")
    with CaptureQueriesContext(connection) as many:
        assert alert_scan([loan.enterprise.uscc]) == []
    assert len(many.captured_queries) == len(one.captured_queries) <= 4  # loans, artefacts, records (+ savepoints)


def test_a_large_batch_is_scanned_in_chunks(loan, monitoring, monkeypatch):
    monkeypatch.setattr(alerts, "SCAN_CHUNK", 2)
    _penalty(loan)
    raised = alert_scan(["91440100000000001X", "91440100000000002X", loan.enterprise.uscc, "91440100000000003X"])
    assert [a.kind for a in raised] == [AlertKind.PENALTY]
