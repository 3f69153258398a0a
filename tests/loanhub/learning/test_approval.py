"""Approval likelihood and the bank's ranking learned from the banks' own decisions once there
are enough of them; until then the rule formula; the lead page says which is in use."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from loanhub.audit.models import AuditEvent, AuditKind
from loanhub.learning.services import approval_train
from loanhub.matching import engine
from loanhub.matching.matcher import match_need, need_row, product_table, products_changed
from loanhub.matching.models import FinancingNeed
from loanhub.scoring.models import ApprovalModelVersion
from loanhub.scoring.services import approval_model_in_use
from tests.factories.accounts import UserFactory
from tests.factories.cms import product_create
from tests.factories.credit import authorize, standard_records
from tests.factories.enterprises import MembershipFactory
from tests.loanhub.learning.book import build_book

pytestmark = pytest.mark.django_db


def _inputs(grade: str, pd_: float) -> dict:
    one = np.ones(1)
    return engine.approval_inputs(
        pd_=one * pd_, grade=one * engine.GRADE_RANK[grade], amount=one * 500_000, term=one * 12,
        amount_min=one * 100_000, amount_max=one * 3_000_000, term_min=one * 6, term_max=one * 24,
        max_pd=one * np.nan, min_grade=one * 2, wanted=one, region_listed=one * 0, secured=one * 0,
        rate_min=one * 3.45, rate_max=one * 4.2, product_type=np.array(["credit"], dtype=object),
    )  # fmt: skip


def test_below_the_threshold_the_formula_stays(bank_a_page):
    build_book(bank_a_page, n=60, records=False)  # 60 decisions: below 200
    with pytest.raises(ValueError, match="at least 200 decisions"):
        approval_train()
    with pytest.raises(CommandError, match="rule formula stays"):
        call_command("train_approval_model")
    assert approval_model_in_use() is None and not ApprovalModelVersion.objects.exists()


def test_above_the_threshold_the_learned_likelihood_is_used_and_differs(bank_a_page, platform_admin):
    build_book(bank_a_page, n=220, records=False, declined_every=0, decline_risky=True)
    product = product_create(bank_a_page, title="新匹配产品", required_categories=[], amount_max=3_000_000)
    products_changed()
    need = FinancingNeed.objects.create(
        enterprise=MembershipFactory().enterprise, created_by=UserFactory(), amount=500_000, term_months=12,
        purpose="周转", product_types=["credit"],
    )  # fmt: skip
    [formula] = [m for m in match_need(need).eligible if m.product_id == product.pk]

    version = approval_train(user=platform_admin)

    model = approval_model_in_use()
    assert model is not None and version.is_active and model.version == version.version
    metrics = version.metrics
    assert metrics["decisions"] == 220 and metrics["approvals"] >= 30
    assert metrics["holdout_auc"] > 0.8  # the banks declined risky grades: learnable
    # The learned model reads the bank's behaviour: a D-grade profile is less likely approved than a B.
    assert model.predict(_inputs("B", 0.03))[0] > model.predict(_inputs("D", 0.12))[0] + 0.2
    [learned] = [m for m in match_need(need).eligible if m.product_id == product.pk]
    table = product_table()
    j = list(table.ids).index(product.pk)
    facts = match_need(need).facts
    expected = engine.match([need_row(need, facts)], table, approval=model)
    assert learned.likelihood == pytest.approx(float(expected.likelihood[0, j]))
    assert learned.likelihood != pytest.approx(formula.likelihood, abs=1e-3)
    assert learned.bank_score == pytest.approx(float(expected.bank_score[0, j]))
    event = AuditEvent.objects.get(kind=AuditKind.MODEL_ACTIVATED, object_id=str(version.pk))
    assert event.user == platform_admin and event.details["model"] == "approval_likelihood"


def test_learned_bank_ranking_weighs_value_by_likelihood():
    """Two needs alike but for the grade: the formula ranks them level on a one-product table (its value
    part is normalised across the products); the learned likelihood puts the one banks decline below."""
    table = engine.prepare_products(
        pd.DataFrame(
            {
                "id": [1], "institution_id": [1], "product_type": ["credit"], "is_open": [True],
                "amount_min": [1e5], "amount_max": [3e6], "term_min_months": [6], "term_max_months": [24],
                "rate_min": [3.0], "rate_max": [4.0], "min_years_in_business": [0], "min_grade": [""],
                "max_pd": [np.nan], "collateral": ["none"], "required_categories": [[]], "eligible_regions": [[]],
                "eligible_industries": [[]],
            }
        )
    )  # fmt: skip

    def row(grade: str, pd_: float) -> engine.NeedRow:
        return engine.NeedRow(
            amount=5e5, term_months=12, region="440100", industry="C", years_in_business=5, grade=grade, pd=pd_,
            knockout=False, product_types=frozenset(), collateral_offered=frozenset({"none"}), banks=frozenset(),
            consent={},
        )  # fmt: skip

    def learned(x: dict) -> np.ndarray:
        return np.where(x["grade_rank"] >= 3, 0.05, 0.9)

    # Each need is matched on its own (as when its leads are made): alike but for the grade.
    formula_b, formula_d = (engine.match([row(*g)], table) for g in (("B", 0.03), ("D", 0.12)))
    learned_b, learned_d = (engine.match([row(*g)], table, approval=learned) for g in (("B", 0.03), ("D", 0.12)))
    assert formula_b.bank_score[0, 0] == pytest.approx(formula_d.bank_score[0, 0])
    assert learned_b.bank_score[0, 0] > learned_d.bank_score[0, 0] + 0.25
    assert (learned_b.likelihood[0, 0], learned_d.likelihood[0, 0]) == pytest.approx((0.9, 0.05))


@pytest.fixture
def lead(bank_a_page, active_model):
    from loanhub.matching.needs import need_post

    product = product_create(bank_a_page, required_categories=[])
    products_changed()
    membership = MembershipFactory(user=UserFactory())
    standard_records(membership.enterprise.uscc)
    authorize(membership.enterprise, institution=bank_a_page.institution, categories=["tax_rating", "penalty"])
    need = need_post(
        user=membership.user, enterprise=membership.enterprise, amount=500_000, term_months=12, purpose="周转",
        visibility="chosen", banks=[bank_a_page.institution], product_ids=[product.pk],
    )  # fmt: skip
    return need.leads.get(product=product)


def test_lead_page_says_which_likelihood_is_in_use(client, lead, officer_a, bank_a_page):
    assert lead.score is not None
    client.force_login(officer_a)
    url = reverse("leads_admin:detail", args=[lead.pk])
    page = client.get(url).content.decode()
    assert "获批可能性按规则公式估算" in page and "历史审批数据学习得出" not in page
    before = lead.likelihood
    build_book(bank_a_page, n=40, records=False, offset=7000, decline_risky=True)
    approval_train(force=True)
    lead.refresh_from_db()
    assert lead.likelihood != pytest.approx(before, abs=1e-4)  # the open lead was re-ranked with the model
    page = client.get(url).content.decode()
    assert "获批可能性由本平台历史审批数据学习得出" in page and "按规则公式估算" not in page
