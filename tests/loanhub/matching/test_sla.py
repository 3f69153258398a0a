"""Response clocks at working-day boundaries, and the overdue check."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta

import pytest
from django.db import connection

from loanhub.matching.sla import SHANGHAI, WorkCalendar, parse_dates

FRI = datetime(2026, 11, 20, 17, 0, tzinfo=SHANGHAI)  # a Friday


def test_next_working_day_skips_the_weekend():
    deadline = WorkCalendar().deadline(FRI, 1)
    assert deadline.date() == date(2026, 11, 23)  # Monday
    assert (deadline.hour, deadline.minute) == (23, 59)


def test_holidays_are_skipped_and_weekend_workdays_count():
    calendar = WorkCalendar(holidays=parse_dates("2026-11-23"), extra_workdays=parse_dates("2026-11-21"))
    assert calendar.deadline(FRI, 1).date() == date(2026, 11, 21)  # the working Saturday
    assert calendar.deadline(FRI, 2).date() == date(2026, 11, 24)  # Sunday off, Monday holiday


def test_three_working_days_from_a_wednesday_evening():
    wednesday = datetime(2026, 11, 18, 23, 30, tzinfo=SHANGHAI)
    assert WorkCalendar().deadline(wednesday, 3).date() == date(2026, 11, 23)


def test_deadline_uses_shanghai_time_for_utc_timestamps():
    from zoneinfo import ZoneInfo

    late_utc = datetime(2026, 11, 20, 16, 30, tzinfo=ZoneInfo("UTC"))  # Saturday 00:30 in Shanghai
    assert WorkCalendar().deadline(late_utc, 1).date() == date(2026, 11, 23)


def test_bad_calendar_dates_are_refused():
    with pytest.raises(ValueError):
        parse_dates("2026-13-01")


@pytest.mark.django_db
class TestOverdueCheck:
    @pytest.fixture
    def lead(self, portal, bank_a_page):
        from tests.factories.cms import product_create
        from tests.loanhub.matching.helpers import lead_for

        return lead_for(product_create(bank_a_page))

    def test_unclaimed_lead_becomes_overdue_after_its_claim_deadline(self, lead):
        from loanhub.matching.lifecycle import check_deadlines
        from loanhub.matching.models import Lead

        assert check_deadlines(now=lead.claim_deadline - timedelta(seconds=1)) == 0
        assert check_deadlines(now=lead.claim_deadline + timedelta(seconds=1)) == 1
        lead = Lead.objects.get(pk=lead.pk)
        assert lead.is_overdue and lead.overdue_stage == "claim"
        assert lead.overdue_at == lead.claim_deadline

    def test_a_late_run_records_the_missed_deadline_and_runs_once(self, lead, bank_a):
        from loanhub.accounts.models import Notification, Role
        from loanhub.institutions.services import institution_add_staff
        from loanhub.matching.lifecycle import check_deadlines
        from loanhub.matching.models import Lead
        from tests.factories.accounts import UserFactory

        manager = UserFactory(username="mgr", role=Role.BANK_MANAGER)
        institution_add_staff(institution=bank_a, user=manager, role="manager")
        much_later = lead.claim_deadline + timedelta(days=9)
        assert check_deadlines(now=much_later) == 1
        assert check_deadlines(now=much_later) == 0
        assert Lead.objects.get(pk=lead.pk).overdue_at == lead.claim_deadline
        assert Notification.objects.filter(user=manager, title__contains="超时未受理").count() == 1

    def test_claimed_lead_is_overdue_after_its_decision_deadline(self, lead, officer_a):
        from loanhub.matching.lifecycle import check_deadlines, lead_claim
        from loanhub.matching.models import Lead

        lead = lead_claim(lead=lead, officer=officer_a)
        assert check_deadlines(now=lead.decision_deadline - timedelta(seconds=1)) == 0
        assert check_deadlines(now=lead.decision_deadline + timedelta(seconds=1)) == 1
        assert Lead.objects.get(pk=lead.pk).overdue_stage == "decision"

    def test_the_scheduled_task_runs_the_check(self, lead):
        from loanhub.matching.models import Lead
        from loanhub.matching.tasks import check_deadlines_task

        Lead.objects.filter(pk=lead.pk).update(claim_deadline=lead.created_at - timedelta(days=1))
        result = check_deadlines_task.enqueue(True)  # immediate backend: cannot defer, so no loop
        assert result.return_value == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="two real connections need PostgreSQL (CI runs it)")
def test_two_officers_claim_at_once_and_exactly_one_wins(portal, bank_a_page, officer_a):
    from django.db import close_old_connections

    from loanhub.accounts.models import Role
    from loanhub.institutions.services import institution_add_staff
    from loanhub.matching.exceptions import LeadAlreadyClaimed
    from loanhub.matching.lifecycle import lead_claim
    from loanhub.matching.models import Lead
    from tests.factories.accounts import UserFactory
    from tests.factories.cms import product_create
    from tests.loanhub.matching.helpers import lead_for

    other = UserFactory(username="officer_x", role=Role.BANK_OFFICER)
    institution_add_staff(institution=bank_a_page.institution, user=other)
    lead = lead_for(product_create(bank_a_page))
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def claim(officer) -> None:
        try:
            barrier.wait()
            lead_claim(lead=Lead.objects.get(pk=lead.pk), officer=officer)
            outcomes.append("won")
        except LeadAlreadyClaimed:
            outcomes.append("lost")
        finally:
            close_old_connections()

    threads = [threading.Thread(target=claim, args=(u,)) for u in (officer_a, other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["lost", "won"]
    assert Lead.objects.get(pk=lead.pk).claimed_by in (officer_a, other)
