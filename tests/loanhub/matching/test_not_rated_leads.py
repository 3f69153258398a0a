"""A not-rated enterprise's lead says 数据不足，暂不评级 rather than a grade; matching says why."""

from __future__ import annotations

import pytest
from django.urls import reverse

from loanhub.matching.matcher import enterprise_facts, match_need
from loanhub.scoring.models import ScoreRecord
from loanhub.scoring.services import score_enterprise
from tests.factories.cms import product_create
from tests.factories.credit import standard_records
from tests.loanhub.matching.helpers import lead_for

pytestmark = pytest.mark.django_db


def test_a_lead_from_too_little_data_carries_no_grade_and_says_so(bank_a_page, active_model, officer_a, client):
    product = product_create(bank_a_page, title="无评级要求贷", min_grade="", max_pd=None, required_categories=[])
    lead = lead_for(product)  # authorized for registration only, and no records at all
    score_enterprise(lead.enterprise)  # a grade from an empty file exists, and must not be used
    lead.refresh_from_db()
    assert (lead.grade, lead.score, lead.pd) == ("", None, None)
    assert lead.judgement_basis and lead.grade_text == "数据不足，暂不评级"
    assert lead.likelihood_percent == "—"  # nothing was estimated, which is not 0%
    client.force_login(officer_a)
    listing = client.get(reverse("leads_admin:index")).content.decode()
    assert "数据不足，暂不评级" in listing
    detail = client.get(reverse("leads_admin:detail", args=[lead.pk])).content.decode()
    assert "数据不足，暂不评级" in detail


def test_matching_gives_no_grade_below_the_minimum_and_names_the_reason(bank_a_page, active_model):
    free = product_create(bank_a_page, title="无评级要求贷", min_grade="", max_pd=None, required_categories=[])
    graded = product_create(bank_a_page, title="C级以上贷", min_grade="C", max_pd=None, required_categories=[])
    lead = lead_for(free)
    score_enterprise(lead.enterprise)
    facts = enterprise_facts(lead.enterprise)
    assert not facts.rated and facts.grade is None and facts.pd is None
    result = match_need(lead.need)
    near = {m.product_id: m.reasons for m in result.near_misses}
    assert any("数据不足，暂不评级" in r for r in near[graded.pk])
    assert ScoreRecord.objects.filter(enterprise=lead.enterprise).exists()  # stored, but not used


def test_with_enough_data_the_grade_is_used(bank_a_page, active_model):
    free = product_create(bank_a_page, title="无评级要求贷", min_grade="", max_pd=None, required_categories=[])
    lead = lead_for(free)
    standard_records(lead.enterprise.uscc)
    score_enterprise(lead.enterprise)
    facts = enterprise_facts(lead.enterprise)
    assert facts.rated and facts.grade in "ABCDE"
