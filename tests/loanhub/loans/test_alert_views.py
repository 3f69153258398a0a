"""The early-warning pages: the bank's list and alert page, the loan and home panels, the SME's view."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from loanhub.consent.models import AccessLog, AuthorizationStatus, Channel, Purpose
from loanhub.institutions.services import institution_add_staff
from loanhub.loans.alerts import alert_acknowledge, alert_scan
from loanhub.loans.models import AlertAction, AlertStatus, LoanAlert
from tests.factories.accounts import UserFactory
from tests.factories.credit import authorize, import_rows
from tests.factories.loans import loan_create

pytestmark = pytest.mark.django_db

WATCHED = ["penalty", "judicial", "dishonest_debtor", "social_insurance", "tax_rating", "registration"]


@pytest.fixture
def loan(bank_a_page, officer_a, manager_a):
    return loan_create(bank_a_page, officer_a, disbursed_on=timezone.localdate() - timedelta(days=60))


@pytest.fixture
def monitoring(loan):
    return authorize(loan.enterprise, institution=loan.institution, purpose=Purpose.MONITORING, categories=WATCHED)


@pytest.fixture
def alert(loan, monitoring):
    import_rows(
        "penalty",
        [{"uscc": loan.enterprise.uscc, "record_date": (timezone.localdate() - timedelta(days=3)).isoformat(),
          "issuer": "应急管理局", "severity": "严重", "fine_amount": 50000}],
    )  # fmt: skip
    return alert_scan([loan.enterprise.uscc])[0]


def _index(client, **query):
    return client.get("/cms-admin/loan-alerts/", query)


def test_the_bank_sees_its_alerts_with_the_summary_and_the_read_is_logged(client, officer_a, alert):
    client.force_login(officer_a)
    page = _index(client)
    html = page.content.decode()
    assert page.status_code == 200 and alert.enterprise.name in html and "应急管理局" in html and "高" in html
    log = AccessLog.objects.get(channel=Channel.BACK_OFFICE, detail__contains=f"贷后预警 #{alert.pk}")
    assert (log.purpose, log.categories, log.authorization_id) == (
        Purpose.MONITORING,
        ["penalty"],
        alert.authorization_id,
    )


def test_filters_narrow_the_list_and_an_empty_result_says_so(client, officer_a, alert):
    client.force_login(officer_a)
    assert alert.enterprise.name in _index(client, severity="high").content.decode()
    empty = _index(client, severity="low").content.decode()
    assert alert.enterprise.name not in empty and "没有符合条件的预警" in empty
    assert alert.enterprise.name in _index(client, kind="penalty", q=alert.enterprise.uscc[:8]).content.decode()
    assert alert.enterprise.name not in _index(client, overdue="on").content.decode()
    assert "已忽略无效的筛选条件" in _index(client, severity="urgent").content.decode()


def test_an_empty_workbench_explains_what_will_appear(client, officer_a):
    client.force_login(officer_a)
    assert "暂无贷后预警" in _index(client).content.decode()


def test_another_bank_cannot_see_or_open_the_alert(client, manager_b, alert):
    client.force_login(manager_b)
    assert alert.enterprise.name not in _index(client).content.decode()
    assert client.get(f"/cms-admin/loan-alerts/{alert.pk}/").status_code == 404
    response = client.post(f"/cms-admin/loan-alerts/{alert.pk}/acknowledge/", {"note": "x", "action": "none"})
    assert response.status_code == 404
    assert LoanAlert.objects.get(pk=alert.pk).status == AlertStatus.OPEN


def test_an_sme_user_gets_no_back_office_page(client, alert):
    sme = alert.enterprise.memberships.first().user
    client.force_login(sme)
    assert client.get(f"/cms-admin/loan-alerts/{alert.pk}/").status_code in (302, 403)


def test_the_alert_page_shows_the_record_and_logs_the_read(client, officer_a, alert):
    client.force_login(officer_a)
    html = client.get(f"/cms-admin/loan-alerts/{alert.pk}/").content.decode()
    assert "应急管理局" in html and "50,000" in html and "确认预警" in html
    assert AccessLog.objects.filter(detail=f"预警详情：贷后预警 #{alert.pk}", user=officer_a).count() == 1


def test_acknowledge_then_close_from_the_page(client, officer_a, alert):
    client.force_login(officer_a)
    url = f"/cms-admin/loan-alerts/{alert.pk}/"
    response = client.post(url + "acknowledge/", {"note": "已联系企业财务负责人", "action": AlertAction.VISIT})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert (alert.status, alert.action, alert.acknowledged_by) == (
        AlertStatus.ACKNOWLEDGED,
        AlertAction.VISIT,
        officer_a,
    )
    html = client.get(url).content.decode()
    assert "已联系企业财务负责人" in html and "实地走访" in html and "关闭预警" in html
    client.post(url + "close/")
    assert LoanAlert.objects.get(pk=alert.pk).status == AlertStatus.CLOSED


def test_acknowledging_without_a_note_shows_the_error_beside_the_field(client, officer_a, alert):
    client.force_login(officer_a)
    response = client.post(f"/cms-admin/loan-alerts/{alert.pk}/acknowledge/", {"note": "", "action": "contact"})
    assert response.status_code == 400 and "请填写处理说明" in response.content.decode()
    assert LoanAlert.objects.get(pk=alert.pk).status == AlertStatus.OPEN


def test_the_second_officer_is_told_someone_else_acknowledged_it(client, officer_a, bank_a, alert):
    other = UserFactory(username="officer_a2", role="bank_officer")
    institution_add_staff(institution=bank_a, user=other)
    alert_acknowledge(alert=alert, user=officer_a, note="我处理", action=AlertAction.CONTACT)
    client.force_login(other)
    response = client.post(
        f"/cms-admin/loan-alerts/{alert.pk}/acknowledge/", {"note": "我也处理", "action": "none"}, follow=True
    )
    assert "该预警已由" in response.content.decode() and "无需重复确认" in response.content.decode()
    assert LoanAlert.objects.get(pk=alert.pk).ack_note == "我处理"


def test_after_revocation_the_bank_sees_that_an_alert_exists_but_not_its_details(client, officer_a, alert, monitoring):
    monitoring.status, monitoring.revoked_at = AuthorizationStatus.REVOKED, timezone.now()
    monitoring.save()
    client.force_login(officer_a)
    before = AccessLog.objects.count()
    html = client.get(f"/cms-admin/loan-alerts/{alert.pk}/").content.decode()
    assert "新增行政处罚" in html and "撤回" in html
    assert "应急管理局" not in html and "50,000" not in html
    assert "应急管理局" not in _index(client).content.decode()
    assert AccessLog.objects.count() == before  # nothing shown, nothing logged


def test_the_loan_page_and_home_page_show_the_alerts(client, officer_a, alert):
    client.force_login(officer_a)
    loan_page = client.get(f"/cms-admin/loans/{alert.loan_id}/").content.decode()
    assert f"/cms-admin/loan-alerts/{alert.pk}/" in loan_page
    home = client.get("/cms-admin/").content.decode()
    assert "贷后预警" in home and "/cms-admin/loan-alerts/?status=open&amp;severity=high" in home


def test_the_sme_sees_that_an_alert_was_raised_but_not_the_banks_notes(client, officer_a, alert):
    alert_acknowledge(alert=alert, user=officer_a, note="内部意见：压降额度", action=AlertAction.LIMIT)
    sme = alert.enterprise.memberships.first().user
    client.force_login(sme)
    html = client.get(f"/enterprises/{alert.enterprise.uscc}/loan-alerts/").content.decode()
    assert "新增行政处罚" in html and "甲银行" in html and "银行已确认" in html
    assert "内部意见" not in html and "冻结或压降额度" not in html
    assert f"/enterprises/{alert.enterprise.uscc}/objections/new/{alert.record_id}/" in html
    loan_page = client.get(f"/enterprises/{alert.enterprise.uscc}/loans/{alert.loan_id}/").content.decode()
    assert "这笔贷款的贷后预警" in loan_page and "新增行政处罚" in loan_page


def test_another_enterprise_cannot_see_the_alerts(client, alert):
    from tests.factories.enterprises import MembershipFactory

    stranger = MembershipFactory(user=UserFactory()).user
    client.force_login(stranger)
    assert client.get(f"/enterprises/{alert.enterprise.uscc}/loan-alerts/").status_code == 404


def test_the_sme_page_without_alerts_says_so(client, loan):
    client.force_login(loan.enterprise.memberships.first().user)
    assert (
        "目前没有关于本企业的贷后预警"
        in client.get(f"/enterprises/{loan.enterprise.uscc}/loan-alerts/").content.decode()
    )


def test_the_summary_is_kept_in_both_languages_whoever_set_the_check_off(client, officer_a, loan, monitoring):
    from django.utils import translation
    from wagtail.users.models import UserProfile

    with translation.override("en"):  # e.g. an import run from an English page
        import_rows(
            "penalty",
            [{"uscc": loan.enterprise.uscc, "record_date": (timezone.localdate() - timedelta(days=3)).isoformat(),
              "issuer": "应急管理局", "severity": "严重", "fine_amount": 50000}],
        )  # fmt: skip
        [alert] = alert_scan([loan.enterprise.uscc])
    assert alert.summary.startswith("应急管理局 作出行政处罚") and "50,000 元" in alert.summary
    assert alert.summary_en.startswith("Administrative penalty") and "50,000 yuan" in alert.summary_en
    client.force_login(officer_a)
    assert "应急管理局 作出行政处罚" in client.get(f"/cms-admin/loan-alerts/{alert.pk}/").content.decode()
    profile = UserProfile.get_for_user(officer_a)
    profile.preferred_language = "en"
    profile.save()
    for url in ("/cms-admin/loan-alerts/", f"/cms-admin/loan-alerts/{alert.pk}/"):
        html = client.get(url).content.decode()
        assert "Administrative penalty" in html and "作出行政处罚" not in html
    # a summary typed by hand has no English one and shows as typed
    alert.summary_en = ""
    alert.save(update_fields=["summary_en"])
    assert "应急管理局 作出行政处罚" in client.get(f"/cms-admin/loan-alerts/{alert.pk}/").content.decode()
