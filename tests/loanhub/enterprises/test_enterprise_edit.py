"""The owner edits the enterprise's details; the code and its region stay as they are."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from loanhub.enterprises.models import MemberRole
from loanhub.enterprises.services import enterprise_update
from tests.factories.accounts import UserFactory
from tests.factories.enterprises import MembershipFactory

pytestmark = pytest.mark.django_db

FORM = {
    "name": "广州改名科技有限公司", "industry": "I", "registration_date": "2016-05-01",
    "registered_capital_wan": "350.5", "size_class": "small", "contact_name": "李联系",
    "contact_phone": "020-12345678", "contact_email": "contact@example.com", "address": "广州市天河区某路1号",
}  # fmt: skip


def test_the_owner_edits_details_with_capital_in_wan(client, sme_owner):
    user, enterprise = sme_owner
    client.force_login(user)
    page = client.get(reverse("enterprises:edit", args=[enterprise.uscc])).content.decode()
    assert 'name="registered_capital_wan"' in page and 'value="100"' in page  # 1,000,000 yuan shown as 100 万元
    assert 'name="region"' not in page and enterprise.region_name in page  # shown, not editable
    response = client.post(reverse("enterprises:edit", args=[enterprise.uscc]), {**FORM, "region": "110100"})
    assert response.status_code == 302
    enterprise.refresh_from_db()
    assert enterprise.name == "广州改名科技有限公司" and enterprise.registered_capital == Decimal("3505000.00")
    assert enterprise.region == "440100" and enterprise.industry == "I"
    detail = client.get(reverse("enterprises:detail", args=[enterprise.uscc])).content.decode()
    assert "350.50 万元" in detail and "修改企业信息" in detail


def test_same_industry_section_keeps_the_finer_code(sme_owner):
    user, enterprise = sme_owner  # industry C34
    enterprise_update(enterprise=enterprise, user=user, industry="C", name="新名称")
    enterprise.refresh_from_db()
    assert enterprise.industry == "C34"


def test_bad_values_are_refused_with_clear_messages(client, sme_owner):
    user, enterprise = sme_owner
    client.force_login(user)
    html = client.post(
        reverse("enterprises:edit", args=[enterprise.uscc]),
        {**FORM, "registered_capital_wan": "-1", "registration_date": "2999-01-01", "contact_phone": "abc"},
    ).content.decode()
    assert "注册资本不能为负数" in html and "成立日期不能晚于今天" in html and "请填写有效的电话号码" in html


def test_a_member_who_is_not_the_owner_cannot_edit(client, sme_owner):
    _owner, enterprise = sme_owner
    member = MembershipFactory(enterprise=enterprise, user=UserFactory(username="colleague"), role=MemberRole.MEMBER)
    client.force_login(member.user)
    assert client.get(reverse("enterprises:edit", args=[enterprise.uscc])).status_code == 403
    with pytest.raises(PermissionDenied):
        enterprise_update(enterprise=enterprise, user=member.user, name="x")


def test_another_sme_gets_a_404(client, sme_owner, other_sme_owner):
    _user, enterprise = sme_owner
    other, _ = other_sme_owner
    client.force_login(other)
    assert client.get(reverse("enterprises:edit", args=[enterprise.uscc])).status_code == 404


def test_the_code_and_region_are_not_editable_through_the_service(sme_owner):
    user, enterprise = sme_owner
    with pytest.raises(ValueError, match="not editable"):
        enterprise_update(enterprise=enterprise, user=user, region="110100")
