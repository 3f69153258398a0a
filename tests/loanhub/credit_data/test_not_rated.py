"""No grade from no data: below the data minimum an enterprise is 数据不足，暂不评级."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from loanhub.consent.models import Purpose
from loanhub.consent.selectors import viewer_scope
from loanhub.scoring.models import ScoreRecord
from loanhub.scoring.selectors import data_coverage, improvement_tips, sme_factor_bars
from loanhub.scoring.services import score_enterprise
from risk_models.sufficiency import DATA_MINIMUM
from tests.factories.credit import authorize, import_rows, standard_records

pytestmark = pytest.mark.django_db


def _profile(client, user, enterprise):
    client.force_login(user)
    return client.get(reverse("credit_data:profile", args=[enterprise.uscc])).content.decode()


def test_a_new_enterprise_without_records_is_not_rated(client, sme_owner, active_model):
    user, enterprise = sme_owner
    html = _profile(client, user, enterprise)
    assert "数据不足，暂不评级" in html
    assert "grade-badge" not in html and "违约概率" not in html
    assert "提高风险" not in html  # missing data is never a risk factor
    assert reverse("consent:new", args=[enterprise.uscc]) in html  # what to do next
    assert not ScoreRecord.objects.filter(enterprise=enterprise).exists()


def test_an_old_d_grade_from_no_data_is_not_shown_either(client, sme_owner, active_model):
    user, enterprise = sme_owner
    score_enterprise(enterprise)  # what the platform stored before the minimum existed
    html = _profile(client, user, enterprise)
    assert "数据不足，暂不评级" in html and "grade-badge" not in html


def test_enough_data_gives_a_score(client, sme_owner, active_model):
    user, enterprise = sme_owner
    standard_records(enterprise.uscc)
    assert data_coverage(enterprise=enterprise).rated
    html = _profile(client, user, enterprise)
    assert "grade-badge" in html and "数据不足，暂不评级" not in html


def test_coverage_counts_categories_and_months_of_history(sme_owner):
    _user, enterprise = sme_owner
    today = timezone.localdate()
    assert data_coverage(enterprise=enterprise).categories == ()
    month = (today.replace(day=1) - timedelta(days=1)).isoformat()
    import_rows("social_insurance", [{"uscc": enterprise.uscc, "record_date": month, "month": month, "headcount": 3,
                                      "amount_paid": 900, "arrears": 0}])  # fmt: skip
    import_rows("tax_rating", [{"uscc": enterprise.uscc, "record_date": month, "year": today.year - 1, "grade": "B"}])
    two = data_coverage(enterprise=enterprise)
    assert two.categories == ("tax_rating", "social_insurance") and not two.rated
    old = (today - timedelta(days=31 * (DATA_MINIMUM.months + 1))).isoformat()
    import_rows("licence", [{"uscc": enterprise.uscc, "record_date": old, "licence_type": "食品经营许可证",
                             "issuer": "市场监督管理局", "valid_from": old}])  # fmt: skip
    three = data_coverage(enterprise=enterprise)
    assert len(three.categories) == 3 and three.months >= DATA_MINIMUM.months and three.rated
    assert len(two.categories) >= DATA_MINIMUM.categories and two.months < DATA_MINIMUM.months
    assert "纳税信用等级" in three.category_names and "行政处罚" in three.missing_names


def test_a_bank_scope_counts_only_what_it_may_see(sme_owner, bank_a, officer_a):
    _user, enterprise = sme_owner
    standard_records(enterprise.uscc)
    authorize(enterprise, institution=bank_a, categories=["tax_rating"], purpose=Purpose.UNDERWRITING)
    scope = viewer_scope(user=officer_a, enterprise=enterprise)
    assert data_coverage(enterprise=enterprise).rated
    assert not data_coverage(enterprise=enterprise, scope=scope).rated


def test_bank_profile_of_a_thin_scope_shows_no_grade(client, sme_owner, bank_a, officer_a, active_model):
    _user, enterprise = sme_owner
    standard_records(enterprise.uscc)
    authorize(enterprise, institution=bank_a, categories=["tax_rating"], purpose=Purpose.UNDERWRITING)
    client.force_login(officer_a)
    html = client.get(reverse("credit_data:bank_profile", args=[enterprise.uscc])).content.decode()
    assert "数据不足，暂不评级" in html and "grade-badge" not in html


def _reason(feature, value, direction="raises"):
    return {"code": feature.upper(), "feature": feature, "value": value, "contribution": 0.3 if direction == "raises"
            else -0.3, "direction": direction, "text_zh": feature, "text_en": feature}  # fmt: skip


def test_the_sme_never_sees_missing_data_region_or_industry_as_a_risk():
    score = ScoreRecord(
        reasons=[
            _reason("social_insurance_arrears_12m", None),  # 无数据
            _reason("region", "440100"),
            _reason("industry", "C"),
            _reason("penalty_count_12m", 1.0),
            _reason("industry", "I", direction="lowers"),
        ]
    )
    shown = [(r["feature"], r["direction"]) for r in sme_factor_bars(score)]
    assert shown == [("penalty_count_12m", "raises"), ("industry", "lowers")]
    assert len(improvement_tips(score=score)) == 1  # only the penalty's tip


def test_a_credit_report_asked_with_a_score_shows_none_below_the_minimum(sme_owner, active_model):
    from loanhub.reports.content import report_content

    _user, enterprise = sme_owner
    score_enterprise(enterprise)  # a grade from an empty file, stored earlier
    today = timezone.localdate()
    content = report_content(
        enterprise=enterprise, period_start=today - timedelta(days=365), period_end=today, include_score=True, on=today
    )
    assert content.score is None
    standard_records(enterprise.uscc)
    rated = report_content(
        enterprise=enterprise, period_start=today - timedelta(days=365), period_end=today, include_score=True, on=today
    )
    assert rated.score is not None
