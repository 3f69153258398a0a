"""The SME's first steps, as the dashboard shows them: verify → authorize → see the
profile → post a need, with where the enterprise stands on each."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from loanhub.consent.models import Authorization
from loanhub.enterprises.models import Enterprise
from loanhub.matching.models import FinancingNeed, Lead, LeadStatus
from loanhub.scoring.selectors import DataCoverage, data_coverage

DONE, CURRENT, NEXT = "done", "current", "next"


@dataclass(frozen=True)
class Step:
    title: str
    state: str  # done / current / next
    note: str  # where the enterprise stands, in words
    url: str
    action: str  # the link's words

    @property
    def state_text(self) -> str:
        return {DONE: _("已完成"), CURRENT: _("当前步骤"), NEXT: _("下一步")}[self.state]


def sme_journey(enterprise: Enterprise) -> list[Step]:
    """The four steps of the enterprise's first use, each done, current or still to come."""
    uscc = enterprise.uscc
    verified = enterprise.is_verified
    authorized = verified and Authorization.objects.live().filter(enterprise=enterprise).exists()
    coverage = data_coverage(enterprise=enterprise) if authorized else None
    needs = FinancingNeed.objects.filter(enterprise=enterprise)
    applied = Lead.objects.filter(enterprise=enterprise).exclude(status=LeadStatus.WITHDRAWN).count()
    done = [verified, authorized, bool(coverage and coverage.categories), needs.exists()]
    notes = [
        _("已认证") if verified else _("待认证：核验法定代表人信息或上传营业执照"),
        _("授权生效中") if authorized else _("授权平台获取企业的公共信用信息"),
        _profile_note(coverage),
        (_("已发布 %(n)d 个需求，%(m)d 项申请") % {"n": needs.count(), "m": applied})
        if done[3]
        else _("填写金额、期限和用途，再选择要申请的产品"),
    ]
    links = [
        (reverse("enterprises:verification", args=[uscc]), _("去认证") if not verified else _("查看认证")),
        (
            reverse("consent:new", args=[uscc]) + "?grantee=platform"
            if not authorized
            else reverse("consent:index", args=[uscc]),
            _("签署授权") if not authorized else _("查看授权"),
        ),
        (reverse("credit_data:profile", args=[uscc]), _("查看信用画像")),
        (
            reverse("matching:need_new", args=[uscc]) if not done[3] else reverse("matching:need_index", args=[uscc]),
            _("发布融资需求") if not done[3] else _("查看申请进度"),
        ),
    ]
    titles = [_("企业认证"), _("数据授权"), _("查看信用画像"), _("发布融资需求")]
    current = next((i for i, ok in enumerate(done) if not ok), None)
    return [
        Step(titles[i], DONE if done[i] else (CURRENT if i == current else NEXT), notes[i], *links[i]) for i in range(4)
    ]


def _profile_note(coverage: DataCoverage | None) -> str:
    if coverage is None:
        return _("授权后生成")
    if not coverage.categories:
        return _("等待获取记录")
    return _("已生成信用评分") if coverage.rated else _("数据不足，暂不评级")
