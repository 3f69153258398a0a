"""What the report PDF says: read back with pdftotext."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from loanhub.credit_data.models import CreditRecord
from loanhub.disputes.services import objection_raise
from loanhub.reports.selectors import verify_url
from loanhub.reports.services import report_issue
from loanhub.scoring.models import ModelVersion, ScoreRecord, Trigger
from tests.factories.accounts import UserFactory
from tests.factories.credit import import_rows
from tests.factories.enterprises import MembershipFactory

from .conftest import add_penalty, pdf_of, pdf_pages, pdf_text

pytestmark = pytest.mark.django_db


def _issue(owner, enterprise, **kwargs):
    report = report_issue(enterprise=enterprise, user=owner, purpose=kwargs.pop("purpose", "financing"), **kwargs)
    return report, pdf_of(report)


def test_report_names_the_enterprise_period_purpose_and_issuer(owner_enterprise):
    owner, enterprise = owner_enterprise
    report, pdf = _issue(owner, enterprise, purpose="tender")
    text = pdf_text(pdf)
    today = timezone.localdate()
    assert pdf.startswith(b"%PDF-")
    assert "企业公共信用报告" in text
    assert enterprise.name in text and enterprise.uscc in text and report.number in text
    assert "招投标" in text and "LoanHub 信易贷平台" in text
    assert f"{today.replace(year=today.year - 3):%Y-%m-%d} 至 {today:%Y-%m-%d}" in text


def test_every_catalogue_category_is_stated_with_its_records_or_none(owner_enterprise):
    owner, enterprise = owner_enterprise
    text = pdf_text(_issue(owner, enterprise)[1])
    assert "报告期内共 1 条行政处罚记录" in text
    assert "市场监督管理局" in text and "5,000" in text
    assert f"评价年度：{timezone.localdate().year - 2}；" in text  # years without thousands separators
    assert "报告期内无司法判决或被执行记录。" in text
    assert "报告期内未被列入失信被执行人名单。" in text
    for name in ("登记注册", "海关信用", "环保信用评价", "碳账户", "信用承诺"):
        assert f"报告期内无{name}记录。" in text


def test_an_enterprise_without_penalties_gets_the_no_violation_sentence(db):
    membership = MembershipFactory(user=UserFactory())
    import_rows(
        "tax_rating", [{"uscc": membership.enterprise.uscc, "record_date": "2025-04-01", "year": 2024, "grade": "A"}]
    )
    text = pdf_text(_issue(membership.user, membership.enterprise)[1])
    assert "报告期内无行政处罚记录。" in text
    assert "报告期内共 1 条纳税信用等级记录" in text


def test_tax_amounts_are_counted_but_never_printed(owner_enterprise):
    owner, enterprise = owner_enterprise
    text = pdf_text(_issue(owner, enterprise)[1])
    assert "金额属于敏感信息，本报告不列示明细" in text
    assert "88,000" not in text and "88000" not in text


def test_records_outside_the_period_are_left_out(owner_enterprise):
    owner, enterprise = owner_enterprise
    assert "食品经营许可证" not in pdf_text(_issue(owner, enterprise)[1])  # 4 years old
    start = timezone.localdate() - timedelta(days=365 * 5 - 10)
    assert "食品经营许可证" in pdf_text(_issue(owner, enterprise, period_start=start)[1])


def test_rules_hide_minor_expired_and_removed_penalties_and_mark_repaired_ones(owner_enterprise):
    owner, enterprise = owner_enterprise
    uscc = enterprise.uscc
    add_penalty(uscc, days_ago=30, severity="轻微", fine=101, issuer="轻微处罚机关")
    add_penalty(uscc, days_ago=400, severity="一般", fine=102, issuer="过期处罚机关")  # past the 1-year maximum
    add_penalty(uscc, days_ago=60, severity="一般", fine=103, issuer="删除处罚机关")
    repaired_on = timezone.localdate() - timedelta(days=3)
    add_penalty(
        uscc, days_ago=150, severity="严重", fine=104, issuer="修复处罚机关", repaired_on=repaired_on.isoformat()
    )
    CreditRecord.objects.filter(uscc=uscc, payload__issuer="删除处罚机关").update(removed_at=timezone.now())
    text = pdf_text(_issue(owner, enterprise)[1])
    assert "轻微处罚机关" not in text and "过期处罚机关" not in text and "删除处罚机关" not in text
    assert "修复处罚机关" in text
    assert f"已信用修复（{repaired_on:%Y-%m-%d}）" in text
    assert "报告期内共 2 条行政处罚记录（其中 1 条已完成信用修复）" in text


def test_records_under_objection_are_marked_with_the_answer_deadline(owner_enterprise):
    owner, enterprise = owner_enterprise
    record = CreditRecord.objects.get(uscc=enterprise.uscc, category="penalty")
    objection = objection_raise(user=owner, enterprise=enterprise, record=record, reason="金额有误")
    text = pdf_text(_issue(owner, enterprise)[1])
    assert f"异议处理中，答复期限 {objection.due_date:%Y-%m-%d}" in text
    assert "企业有 1 条信用异议正在处理" in text


def test_a_live_dishonest_listing_is_shown_whenever_it_began(owner_enterprise):
    owner, enterprise = owner_enterprise
    listed = (timezone.localdate() - timedelta(days=365 * 4)).isoformat()
    import_rows(
        "dishonest_debtor",
        [{"uscc": enterprise.uscc, "record_date": listed, "listed_on": listed, "issuer": "某区人民法院"}],
    )
    text = pdf_text(_issue(owner, enterprise)[1])
    assert "重要提示" in text and "某区人民法院" in text
    assert "报告期内未被列入失信被执行人名单" not in text


def test_score_and_grade_only_when_the_owner_asks(owner_enterprise):
    owner, enterprise = owner_enterprise
    version = ModelVersion.objects.create(version="test-model-v1", path="/nonexistent")
    ScoreRecord.objects.create(
        enterprise=enterprise,
        model_version=version,
        as_of=timezone.localdate(),
        inputs_hash="x" * 64,
        pd=0.02,
        score=731,
        grade="B",
        trigger=Trigger.ON_DEMAND,
    )
    without = pdf_text(_issue(owner, enterprise)[1])
    assert "731" not in without and "本报告不包含信用评分" in without
    with_score = pdf_text(_issue(owner, enterprise, include_score=True)[1])
    assert "信用评分（企业申请展示）" in with_score and "731" in with_score and "test-model-v1" in with_score


def test_every_page_carries_the_number_verification_url_and_page_count(owner_enterprise):
    owner, enterprise = owner_enterprise
    start = timezone.localdate() - timedelta(days=365 * 3)
    months = [(start + timedelta(days=31 * i)).replace(day=1) for i in range(36)]
    import_rows(
        "utilities",
        [
            {
                "uscc": enterprise.uscc,
                "record_date": m.isoformat(),
                "month": m.isoformat(),
                "utility": "water",
                "consumption": 10,
                "amount_billed": 50,
                "amount_overdue": 5,
            }
            for m in months
        ],
    )
    report, pdf = _issue(owner, enterprise)
    pages = pdf_pages(pdf)
    assert pages >= 2
    url = verify_url(number=report.number)
    for page in range(1, pages + 1):
        text = pdf_text(pdf, first=page, last=page)
        assert report.number in text and url in text
        assert f"第 {page} 页 共 {pages} 页" in text


def test_the_legend_states_the_rules_applied(owner_enterprise):
    owner, enterprise = owner_enterprise
    text = pdf_text(_issue(owner, enterprise)[1])
    assert "满 5 年不再使用" in text
    assert "轻微处罚不予公示" in text
    assert "经信用异议核实删除的记录不列示" in text


def test_sandbox_enterprises_are_marked_synthetic(db):
    membership = MembershipFactory(user=UserFactory(), enterprise__is_synthetic=True)
    text = pdf_text(_issue(membership.user, membership.enterprise)[1])
    assert "沙箱合成数据" in text
