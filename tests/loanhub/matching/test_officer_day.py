"""The bank officer's day (issue 13): a branded back office with a home page per role, a
workbench that shows the value it sorts by and why, a lead page with the authorized
records in full, the timeline in Chinese, the SME's contact and messages both ways."""

from __future__ import annotations

import re

import numpy as np
import pytest
from django.urls import reverse

from loanhub.accounts.models import Notification
from loanhub.audit.models import AuditEvent
from loanhub.consent.models import AccessLog, GranteeType, Purpose
from loanhub.matching import engine, matcher
from loanhub.matching.lifecycle import lead_claim
from loanhub.matching.matcher import products_changed
from loanhub.matching.models import LeadEvent, LeadMessage
from loanhub.matching.needs import need_post
from loanhub.matching.ranking import rank_parts
from tests.factories.accounts import UserFactory
from tests.factories.cms import product_create
from tests.factories.credit import authorize, import_rows, standard_records
from tests.factories.enterprises import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(bank_a_page, active_model):
    """An SME (in 佛山) with records; underwriting authorized to bank A for four categories."""
    product = product_create(bank_a_page, required_categories=[])
    products_changed()
    membership = MembershipFactory(user=UserFactory(username="sme_owner"))
    enterprise = membership.enterprise
    enterprise.region = "440604"
    enterprise.contact_name, enterprise.contact_phone = "李会计", "020-88886666"
    enterprise.legal_rep_phone = "13812345678"
    enterprise.save()
    standard_records(enterprise.uscc)
    import_rows("registration", [{"uscc": enterprise.uscc, "record_date": "2024-03-01", "event": "establishment",
                                  "status": "存续", "registered_capital": 500}])  # fmt: skip
    authorize(
        enterprise, institution=bank_a_page.institution, purpose=Purpose.UNDERWRITING,
        categories=["registration", "tax_rating", "social_insurance", "penalty"],
    )  # fmt: skip
    need = need_post(
        user=membership.user, enterprise=enterprise, amount=500_000, term_months=12, purpose="周转",
        visibility="chosen", banks=[bank_a_page.institution], product_ids=[product.pk],
    )  # fmt: skip
    return need.leads.get(product=product)


@pytest.fixture
def claimed(lead, officer_a):
    return lead_claim(lead=lead, officer=officer_a)


def _page(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


# ---------------------------------------------------------------- branding and home


def test_the_admin_login_is_loanhubs_and_in_chinese(client):
    body = client.get(reverse("wagtailadmin_login")).content.decode()
    h1 = re.search(r"<h1>(.*?)</h1>", body, re.S).group(1)
    assert "LoanHub 信易贷" in h1 and "Wagtail" not in h1
    assert "登录Wagtail" not in body and "Sign in to Wagtail" not in body
    assert re.search(r'for="id_password"[^>]*>\s*密码', body)  # the password's label in Chinese
    assert "<title>登录管理后台 - LoanHub 信易贷</title>" in body


def test_officer_home_counts_link_to_the_lists_they_count(client, lead, officer_a):
    body = _page(client, officer_a, reverse("wagtailadmin_home"))
    assert "localhost" not in body
    assert "我的工作台" in body
    tiles = {label: (url, int(n)) for url, n, label in
             re.findall(r'<a href="([^"]+)"><strong>(\d+)</strong><span>([^<]+)</span>', body)}  # fmt: skip
    leads = {"新线索（待受理）", "今日到期", "已超时", "我在办的"}
    # The early-warning panel adds its own tiles (tested with the alerts); these are the leads'.
    assert leads <= set(tiles) and set(tiles) - leads <= {"待处理预警", "高风险预警", "超时未确认"}
    for label, (url, count) in ((label, tiles[label]) for label in leads):
        listed = _page(client, officer_a, url.replace("&amp;", "&")).count('data-label="线索"')
        assert listed == count, label
    assert tiles["新线索（待受理）"][1] == 1


def test_a_claimed_lead_moves_from_new_to_mine_on_the_home_page(client, claimed, officer_a):
    body = _page(client, officer_a, reverse("wagtailadmin_home"))
    assert re.search(r"<strong>0</strong><span>新线索（待受理）</span>", body)
    assert re.search(r"<strong>1</strong><span>我在办的</span>", body)


def test_manager_home_shows_the_teams_load(client, claimed, manager_a, officer_a):
    body = _page(client, manager_a, reverse("wagtailadmin_home"))
    assert "团队负荷" in body
    row = re.search(rf"<tr><td>{officer_a}</td><td>客户经理</td>(.*?)</tr>", str(body).replace("\n", ""))
    assert row and ">1</a>" in row.group(1)
    assert "我的工作台" not in body


def test_platform_admin_home_shows_the_platforms_to_do(client, platform_admin):
    body = _page(client, platform_admin, reverse("wagtailadmin_home"))
    for label in ("产品待审核", "企业待认证", "异议即将到期或已超期", "近7天导入有拒收或失败"):
        assert label in body
    assert "localhost" not in body


def test_an_sme_user_gets_no_role_panel(client, lead):
    from loanhub.accounts.home_panels import HomePanel
    from loanhub.matching.wagtail_hooks import lead_home_panels
    from loanhub.stats.wagtail_hooks import admin_home_panel

    class Request:
        user = lead.enterprise.memberships.first().user

    panels: list = []
    lead_home_panels(Request(), panels)
    admin_home_panel(Request(), panels)
    assert not any(isinstance(p, HomePanel) for p in panels)


# ---------------------------------------------------------------------- workbench


def test_workbench_shows_the_ranking_value_it_sorts_by_with_its_parts(client, lead, officer_a):
    body = _page(client, officer_a, reverse("leads_admin:index"))
    parts = rank_parts([lead])[lead.pk]
    assert f"<summary>{parts.score:.1f}</summary>" in body
    assert "排序分 ▼" in body  # the default sort is this column
    assert "收益分" in body and "匹配度" in body
    # The parts add up to the value shown, and the fit is the engine's own.
    assert parts.value_points + parts.fit_points == pytest.approx(lead.bank_score * 100)
    table = matcher.product_table()
    j = [int(i) for i in table.ids].index(lead.product_id)
    result = engine.match([matcher.need_row(lead.need, matcher.enterprise_facts(lead.enterprise))], table)
    fit = (result.bank_score[0, j] - engine.BANK_VALUE_WEIGHT * engine._normalise(result.expected_value)[0, j]) / 0.3
    assert parts.fit == pytest.approx(float(fit), abs=1e-9)


def test_sorting_by_amount_marks_the_amount_column(client, lead, officer_a):
    body = _page(client, officer_a, reverse("leads_admin:index") + "?sort=amount")
    assert "金额（万元） ▼" in body and "排序分 ▼" not in body


def test_ranking_value_hidden_without_a_live_authorization(client, bank_a_page, officer_a):
    from tests.loanhub.matching.helpers import lead_for

    lead = lead_for(product_create(bank_a_page))
    lead.enterprise.authorizations.update(status="revoked")
    body = _page(client, officer_a, reverse("leads_admin:index"))
    assert 'class="rank-why"' not in body
    assert "授权已撤回" in body
    assert not AccessLog.objects.filter(enterprise=lead.enterprise, user=officer_a).exists()


def test_region_filter_offers_names_and_filters(client, lead, officer_a, bank_a_page):
    from tests.loanhub.matching.helpers import lead_for

    other = lead_for(product_create(bank_a_page, title="另一产品"))  # enterprise in 广州 (440100)
    body = _page(client, officer_a, reverse("leads_admin:index"))
    assert '<option value="440600">广东省佛山市</option>' in body
    assert ">440600<" not in body and 'placeholder="440100"' not in body
    filtered = _page(client, officer_a, reverse("leads_admin:index") + "?region=440600")
    assert lead.enterprise.name in filtered and other.enterprise.name not in filtered


# ---------------------------------------------------------------------- lead page


def test_lead_page_shows_the_records_in_full_with_chinese_labels(client, claimed, officer_a):
    body = _page(client, officer_a, reverse("leads_admin:detail", args=[claimed.pk]))
    assert "授权范围内的信用记录" in body
    assert "设立登记" in body and "establishment" not in body
    assert "<th>纳税信用等级</th>" in body and "<th>参保人数</th>" in body
    assert "市场监督管理局" in body  # the penalty's issuer, not a count
    assert "许可类型" not in body  # licence: not authorized to this bank
    assert AccessLog.objects.filter(enterprise=claimed.enterprise, user=officer_a, channel="back_office").exists()


def test_factors_say_their_direction_in_words(client, claimed, officer_a):
    body = _page(client, officer_a, reverse("leads_admin:detail", args=[claimed.pk]))
    directions = re.findall(r'class="factor-direction (raises|lowers|missing)">([^<]+)<', body)
    assert directions
    words = {"raises": "提高风险", "lowers": "降低风险", "missing": "数据缺失"}
    assert all(text == words[kind] for kind, text in directions)
    # A reason from missing data is never called a risk.
    for line in re.findall(r'<li class="factor-row"><span>(.*?)</span>', body):
        if "无数据" in line:
            assert "数据缺失" in line and "提高风险" not in line, line
    assert not re.search(r"[（(]\d{6}[)）]", body.split("主要因素")[1].split("授权范围内的信用记录")[0])


def test_timeline_is_in_chinese(client, claimed, officer_a):
    body = _page(client, officer_a, reverse("leads_admin:detail", args=[claimed.pk]))
    timeline = body.split("<h2>处理记录</h2>")[1]
    for code in (">created<", ">claimed<", ">posted<", ">direct<"):
        assert code not in timeline
    assert "推送给金融机构" in timeline and "发布融资需求" in timeline and "受理" in timeline


# ------------------------------------------------------------ contact and messages


def test_contact_only_once_claimed_and_the_reveal_is_recorded(client, lead, officer_a):
    url = reverse("leads_admin:detail", args=[lead.pk])
    body = _page(client, officer_a, url)
    assert "李会计" not in body and "138****5678" not in body
    lead_claim(lead=lead, officer=officer_a)
    body = _page(client, officer_a, url)
    assert "李会计" in body and "020-88886666" in body
    assert "138****5678" in body and "13812345678" not in body
    response = client.post(reverse("leads_admin:action", args=[lead.pk, "reveal"]))
    assert response.status_code == 200 and "13812345678" in response.content.decode()
    assert LeadEvent.objects.filter(lead=lead, kind="contact_revealed", actor=officer_a).exists()
    assert AuditEvent.objects.filter(user=officer_a, details__item="legal_rep_phone").exists()
    # The SME sees that its legal representative's mobile was looked at.
    owner = lead.enterprise.memberships.first().user
    need_page = _page(client, owner, reverse("matching:need_detail", args=[lead.enterprise.uscc, lead.need_id]))
    assert "金融机构查看了法定代表人手机号" in need_page


def test_messages_both_ways_with_notifications(client, claimed, officer_a):
    owner = claimed.enterprise.memberships.first().user
    client.force_login(officer_a)
    response = client.post(reverse("leads_admin:action", args=[claimed.pk, "message"]), {"body": "请补充银行流水"})
    assert response.status_code == 302
    note = Notification.objects.get(user=owner, title__contains="留言")
    assert "请补充银行流水" in note.body and note.link.endswith(f"#lead-{claimed.pk}")

    need_url = reverse("matching:need_detail", args=[claimed.enterprise.uscc, claimed.need_id])
    need_page = _page(client, owner, need_url)
    assert "请补充银行流水" in need_page
    assert LeadMessage.objects.get(side="bank").read_at is not None  # the SME opened its page
    post = reverse("matching:lead_message", args=[claimed.enterprise.uscc, claimed.need_id, claimed.pk])
    assert client.post(post, {"body": "明天上午发您"}).status_code == 302
    reply = Notification.objects.get(user=officer_a, title__contains="留言")
    assert "明天上午发您" in reply.body and reply.link == f"/cms-admin/leads/{claimed.pk}/#messages"

    body = _page(client, officer_a, reverse("leads_admin:detail", args=[claimed.pk]))
    assert body.index("请补充银行流水") < body.index("明天上午发您")
    assert "企业已读" in body


def test_no_messages_before_the_lead_is_claimed(client, lead, officer_a):
    client.force_login(officer_a)
    response = client.post(reverse("leads_admin:action", args=[lead.pk, "message"]), {"body": "你好"})
    assert response.status_code == 400
    assert "金融机构受理线索后才能留言" in response.content.decode()
    assert not LeadMessage.objects.exists()


def test_another_banks_officer_gets_404_on_messages(client, claimed, officer_b):
    LeadMessage.objects.create(lead=claimed, side="bank", sender=claimed.claimed_by, body="内部沟通")
    client.force_login(officer_b)
    assert client.get(reverse("leads_admin:detail", args=[claimed.pk])).status_code == 404
    response = client.post(reverse("leads_admin:action", args=[claimed.pk, "message"]), {"body": "抢单"})
    assert response.status_code == 404
    assert LeadMessage.objects.count() == 1


def test_an_sme_of_another_enterprise_cannot_read_or_write(client, claimed):
    LeadMessage.objects.create(lead=claimed, side="bank", sender=claimed.claimed_by, body="只给本企业看")
    stranger = MembershipFactory(user=UserFactory(username="stranger")).user
    client.force_login(stranger)
    need_url = reverse("matching:need_detail", args=[claimed.enterprise.uscc, claimed.need_id])
    response = client.get(need_url)
    assert response.status_code == 404 and "只给本企业看" not in response.content.decode()
    post = reverse("matching:lead_message", args=[claimed.enterprise.uscc, claimed.need_id, claimed.pk])
    assert client.post(post, {"body": "冒充"}).status_code == 404
    assert LeadMessage.objects.count() == 1


def test_conversation_service_refuses_outsiders(claimed, officer_b):
    from django.core.exceptions import PermissionDenied

    from loanhub.matching.conversation import lead_message_send, lead_messages

    with pytest.raises(PermissionDenied):
        lead_messages(lead=claimed, user=officer_b)
    with pytest.raises(PermissionDenied):
        lead_message_send(lead=claimed, sender=officer_b, body="x")


# --------------------------------------------------------- no raw codes elsewhere


def test_audit_details_read_as_sentences(client, claimed, officer_a, platform_admin):
    from loanhub.audit.models import AuditKind
    from loanhub.audit.presenters import event_sentence
    from loanhub.audit.services import audit_record

    approved = audit_record(kind=AuditKind.LEAD_DECISION, user=officer_a, obj=claimed, decision="approved",
                            amount="400000.00", rate="3.85", term=12)  # fmt: skip
    assert event_sentence(approved) == "批准：40 万元，年化利率 3.85%，期限 12 个月。"
    declined = audit_record(kind=AuditKind.LEAD_DECISION, user=officer_a, obj=claimed, decision="declined",
                            reasons=["credit"], refer=True)  # fmt: skip
    assert "信用状况暂不符合本产品的要求" in event_sentence(declined) and "credit" not in event_sentence(declined)
    audit_record(kind=AuditKind.CREDIT_DATA_READ, user=officer_a, obj=claimed.enterprise, purpose="underwriting",
                 channel="back_office", categories=["tax_rating", "registration"])  # fmt: skip
    body = _page(client, platform_admin, reverse("audit_admin:index"))
    assert "以“贷前审查”用途经后台查询了 2 类信用信息：登记注册、纳税信用等级。" in body
    assert "贷前审查" in body and "underwriting" not in body
    assert "matching.lead" not in body and "线索 #" in body
    assert "decision=" not in body


def test_model_card_is_labelled_tables(client, active_model, platform_admin):
    body = _page(client, platform_admin, reverse("scoring_admin:detail", args=[active_model.pk]))
    readable = re.sub(r"<details>.*?</details>", "", body, flags=re.S)
    assert "时间外验证 AUC" in readable and "学习率" in readable and "特征（" in readable
    for key in ("oot_auc", "learning_rate", "calibration_table", "firm_age_months"):
        assert key not in readable, key
    assert "提高风险" in readable or "降低风险" in readable


def test_fit_parts_weights_match_the_engine():
    ranges = (np.array([100_000.0]), np.array([2_000_000.0]), np.array([6.0]), np.array([36.0]))
    a, t, w = engine.fit_parts(ranges, np.array([[500_000.0]]), np.array([[12.0]]), np.array([[1.0]]))
    assert float(w[0, 0]) == 1.0
    assert 0 <= float(a[0, 0]) <= 1 and 0 <= float(t[0, 0]) <= 1
    assert sum(engine.FIT_WEIGHTS.values()) == pytest.approx(1.0)
    assert engine.BANK_VALUE_WEIGHT + engine.BANK_FIT_WEIGHT == pytest.approx(1.0)


def test_grantee_type_applied_also_counts_for_contact(client, bank_a_page, officer_a):
    """An 'institutions I apply to' grant: the contact still appears once claimed."""
    from tests.loanhub.matching.helpers import lead_for

    lead = lead_for(product_create(bank_a_page))
    assert lead.enterprise.authorizations.filter(grantee_type=GranteeType.APPLIED).exists()
    lead_claim(lead=lead, officer=officer_a)
    body = _page(client, officer_a, reverse("leads_admin:detail", args=[lead.pk]))
    assert "联系企业" in body and "给企业留言" in body


def test_record_fields_read_in_words_everywhere(lead):
    """The SME's profile and the dispute pages use the same words as the lead page."""
    from loanhub.credit_data.models import CreditRecord

    registration = CreditRecord.objects.get(uscc=lead.enterprise.uscc, category="registration")
    assert ("事项", "设立登记") in registration.display_fields
    assert ("注册资本（万元）", "500") in registration.display_fields
    social = CreditRecord.objects.get(uscc=lead.enterprise.uscc, category="social_insurance")
    assert ("缴费金额（元）", "36,000") in social.display_fields
    for template in ("credit_data/profile.html", "disputes/_record.html"):
        with open(f"loanhub/templates/{template}", encoding="utf-8") as fh:
            text = fh.read()
        assert "display_fields" in text and "display_items" not in text, template


def test_objection_page_shows_the_record_by_its_labels(client, lead, platform_admin):
    from loanhub.credit_data.models import CreditRecord
    from loanhub.disputes.models import Objection

    record = CreditRecord.objects.get(uscc=lead.enterprise.uscc, category="registration")
    owner = lead.enterprise.memberships.first().user
    objection = Objection.objects.create(
        enterprise=lead.enterprise, record=record, raised_by=owner, reason="注册资本有误",
        due_date=Objection.due_from(record.record_date),
    )  # fmt: skip
    body = _page(client, platform_admin, reverse("disputes_admin:objection", args=[objection.pk]))
    shown = body.split("记录内容")[1].split("异议理由")[0]
    assert "设立登记" in shown and "注册资本（万元）" in shown
    assert "establishment" not in shown and "registered_capital" not in shown
