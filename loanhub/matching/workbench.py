"""Bank workbench (back office): ranked leads, the lead page, decisions, export, scorecard."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cms.selectors import product_choices_for_institution
from loanhub.accounts.requests import AuthenticatedHttpRequest
from loanhub.consent.exceptions import NotAuthorized
from loanhub.consent.models import Channel
from loanhub.credit_data.schema import COLUMNS, display_value
from loanhub.credit_data.selectors import CreditProfile, credit_profile_for_viewer
from loanhub.institutions.models import FinancialInstitution, InstitutionMembership, StaffRole
from loanhub.institutions.selectors import institution_for_user, membership_for_staff
from loanhub.replica import read_alias
from loanhub.scoring.exceptions import NoActiveModel
from loanhub.scoring.models import ScoreRecord
from loanhub.scoring.selectors import factor_bars, gauge
from loanhub.scoring.services import approval_model_in_use, score_for_scope
from loanhub.security.exports import csv_response, xlsx_response

from .conversation import (
    MAX_BODY,
    conversation_open,
    lead_contact,
    lead_contact_reveal,
    lead_message_send,
    lead_messages,
    lead_messages_mark_read,
)
from .exceptions import MatchingError
from .forms import ApproveForm, DeclineForm, DisburseForm, LeadFilterForm
from .judgements import judgements_shown_log, leads_with_judgements, profile_purposes
from .lifecycle import lead_approve, lead_assign, lead_claim, lead_decline, lead_disburse, lead_start_review
from .models import Lead, LeadStatus
from .ranking import LGD_PERCENT, rank_parts
from .scorecard import bank_scorecard
from .selectors import LEAD_SORTS, lead_get_for_staff, lead_list_for_staff, lead_region_choices


def _staff(request: AuthenticatedHttpRequest) -> InstitutionMembership:
    membership = membership_for_staff(user=request.user)
    if membership is None:
        raise PermissionDenied
    return membership


def _filters(request: AuthenticatedHttpRequest, *, notify: bool = False) -> dict:
    """The list's filters, validated (forms.LeadFilterForm): a bad value is dropped;
    with ``notify``, a notice on the page names it."""
    form = LeadFilterForm(request.GET)
    filters = form.filters()
    if notify and form.dropped():
        messages.warning(request, _("已忽略无效的筛选条件：%(names)s。") % {"names": "、".join(form.dropped())})
    if filters.get("mine"):
        filters["mine"] = request.user.pk
    return filters


def lead_index(request: AuthenticatedHttpRequest) -> HttpResponse:
    membership = _staff(request)
    filters = _filters(request, notify=True)
    leads = lead_list_for_staff(user=request.user, filters=filters)
    page = Paginator(leads, 25).get_page(request.GET.get("page"))
    page.object_list = leads_with_judgements(
        list(page.object_list), viewer=request.user, channel=Channel.BACK_OFFICE, detail="线索列表"
    )
    # The ranking value and its parts are credit data: only for leads whose judgement is visible.
    parts = rank_parts([lead for lead in page.object_list if lead.coverage.visible])
    rows = [(lead, parts.get(lead.pk) if lead.coverage.visible else None) for lead in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    products = product_choices_for_institution(institution=membership.institution)
    return render(
        request,
        "matching/admin/lead_index.html",
        {
            "title": _("融资线索"), "icon": "list-ul", "page": page, "membership": membership,
            "statuses": LeadStatus.choices, "products": products,
            "params": request.GET, "querystring": "&" + query.urlencode() if query else "",
            "grades": "ABCDE", "regions": lead_region_choices(user=request.user), "rows": rows,
            "sort": filters.get("sort") or "rank", "sort_links": _sort_links(request),
            "lgd_percent": LGD_PERCENT,
        },
    )  # fmt: skip


def _sort_links(request: AuthenticatedHttpRequest) -> dict[str, str]:
    """Each sortable column's header link: the list as filtered, sorted by that column."""
    links = {}
    for key in LEAD_SORTS:
        query = request.GET.copy()
        query.pop("page", None)
        query["sort"] = key
        links[key] = "?" + query.urlencode()
    return links


def _lead_or_404(request: AuthenticatedHttpRequest, pk: int) -> Lead:
    _staff(request)
    lead = lead_get_for_staff(user=request.user, pk=pk)
    if lead is None:
        raise Http404  # another bank's lead does not exist for this officer
    return lead


def lead_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _lead_page(request, _lead_or_404(request, pk))


def _lead_page(
    request: AuthenticatedHttpRequest,
    lead: Lead,
    *,
    approve_form: ApproveForm | None = None,
    disburse_form: DisburseForm | None = None,
    reveal: bool = False,
    message_error: str = "",
) -> HttpResponse:
    """The lead page; after a refused decision, with the officer's figures and the errors
    beside their fields (status 400) instead of a reset form. ``reveal``: with the legal
    representative's mobile in full (the caller recorded the reveal)."""
    membership = _staff(request)
    leads_with_judgements([lead], viewer=request.user, channel=Channel.BACK_OFFICE, detail="线索详情", log=False)
    profile = score = None
    try:
        # Records and score reasons: only for a purpose that allows them at this stage.
        profile = credit_profile_for_viewer(
            viewer=request.user, enterprise=lead.enterprise, channel=Channel.BACK_OFFICE,
            detail=f"线索详情：线索 #{lead.pk}", purposes=profile_purposes(lead.status),
        )  # fmt: skip
        score = score_for_scope(lead.enterprise, profile.scope)
    except NotAuthorized:
        profile = None
        judgements_shown_log([lead], viewer=request.user, channel=Channel.BACK_OFFICE, detail="线索详情")
    except NoActiveModel:
        score = None
    officers = (
        InstitutionMembership.objects.filter(institution_id=lead.institution_id).select_related("user")
        if membership.role == StaffRole.MANAGER else []
    )  # fmt: skip
    return render(
        request,
        "matching/admin/lead_detail.html",
        {
            "title": _("线索 #%(pk)d") % {"pk": lead.pk}, "icon": "doc-full", "lead": lead, "profile": profile,
            "profile_note": _profile_note(lead),
            "score": score, "gauge": gauge(score), "bars": factor_rows(score), "membership": membership,
            "officers": officers,
            "approve_form": approve_form or ApproveForm(initial={
                "amount": lead.need.amount, "term_months": lead.need.term_months, "rate": lead.product.rate_min}),
            "decline_form": DeclineForm(),
            "disburse_form": disburse_form or DisburseForm(initial={"amount": lead.approved_amount}),
            "events": lead.events.select_related("actor"),
            "record_tables": record_tables(profile),
            "likelihood_learned": approval_model_in_use() is not None,
            **_conversation_context(request, lead, reveal=reveal, message_error=message_error),
        },
        status=400 if (approve_form or disburse_form or message_error) else 200,
    )  # fmt: skip


def _conversation_context(
    request: AuthenticatedHttpRequest, lead: Lead, *, reveal: bool, message_error: str
) -> dict[str, Any]:
    """The SME's contact (once claimed) and the lead's messages; the SME's are now read."""
    thread = list(lead_messages(lead=lead, user=request.user))
    lead_messages_mark_read(lead=lead, user=request.user)
    return {
        "contact": lead_contact(lead=lead, user=request.user, reveal=reveal),
        "thread": thread, "can_message": conversation_open(lead), "message_error": message_error,
        "message_max": MAX_BODY,
    }  # fmt: skip


@dataclass(frozen=True)
class RecordTable:
    """One authorized category's records in full: a column per catalog field, Chinese labels."""

    name: str
    headers: list[str]
    rows: list[tuple[date, list[str], bool]]  # record date, values in column order, under objection


def record_tables(profile: CreditProfile | None) -> list[RecordTable]:
    if profile is None:
        return []
    tables = []
    for section in profile.sections:
        columns = COLUMNS.get(section.code, ())
        rows = [
            (r.record_date, [display_value(c, r.payload.get(c.name)) if r.payload.get(c.name) not in (None, "")
                             else "—" for c in columns], r.under_objection)
            for r in section.records
        ]  # fmt: skip
        tables.append(RecordTable(section.name, [str(c.label) for c in columns], rows))
    return tables


_CODE_IN_REASON = re.compile(r"[（(]\s*(?:\d{6}|[A-Z])\s*[)）]")


def factor_rows(score: ScoreRecord | None) -> list[dict[str, Any]]:
    """The score's reasons for the back office: the direction in words, no region or industry codes;
    a reason from data that is missing says so instead of calling it a risk (DESIGN.md: missing is
    described as missing)."""
    words = {"raises": _("提高风险"), "lowers": _("降低风险"), "missing": _("数据缺失")}
    rows = []
    for bar in factor_bars(score):
        direction = "missing" if bar.get("value") is None else str(bar.get("direction"))
        text = _CODE_IN_REASON.sub("", str(bar.get("text_zh", "")))
        rows.append({**bar, "text": text, "direction": direction, "direction_text": words.get(direction, "")})
    return rows


def _profile_note(lead: Lead) -> str:
    """Why the authorized records are not shown on this lead (when they are not)."""
    if not profile_purposes(lead.status):
        return str(_("受理线索后，凭企业的“贷前审查”授权可查看授权范围内的信用信息明细。"))
    if lead.status == LeadStatus.DISBURSED:
        return str(_("放款后，凭企业的“贷后管理”授权可查看授权范围内的信用信息明细。"))
    return str(_("企业尚未授权本机构用于“贷前审查”，暂不能查看信用信息明细。"))


def _cleaned(form: forms.Form) -> dict[str, Any]:
    """The form's data, or its errors as one ValidationError (shown as messages)."""
    if not form.is_valid():
        raise ValidationError([e for errs in form.errors.values() for e in errs])
    return form.cleaned_data


def _decided(form: ApproveForm | DisburseForm, service: Callable[..., Lead], **kwargs: Any) -> bool:
    """Run an approval or disbursement from its form; on a refusal (form or service), put the
    errors on the form's fields and return False. The amount is in 元 once cleaned."""
    if not form.is_valid():
        return False
    data = dict(form.cleaned_data)
    if "disbursed_on" in data:
        kwargs["disbursed_on"] = data.pop("disbursed_on")
    try:
        service(**kwargs, **data)
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return False
    return True


@require_POST
def lead_action(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    lead = _lead_or_404(request, pk)
    user = request.user
    try:
        if action == "claim":
            lead_claim(lead=lead, officer=user)
            messages.success(request, _("已受理该线索，请在审批时限内作出决定。"))
        elif action == "assign":
            officer = InstitutionMembership.objects.get(
                institution_id=lead.institution_id, user_id=request.POST.get("officer") or 0
            ).user
            lead_assign(lead=lead, manager=user, officer=officer)
            messages.success(request, _("已分配给 %(o)s。") % {"o": officer})
        elif action == "message":
            try:
                lead_message_send(lead=lead, sender=user, body=request.POST.get("body", ""))
            except ValidationError as exc:
                return _lead_page(request, lead, message_error="；".join(exc.messages))
            messages.success(request, _("留言已发送，企业会收到通知。"))
            return redirect(reverse("leads_admin:detail", args=[lead.pk]) + "#messages")
        elif action == "reveal":
            lead_contact_reveal(lead=lead, officer=user)
            return _lead_page(request, lead, reveal=True)
        elif action == "review":
            lead_start_review(lead=lead, officer=user)
        elif action == "approve":
            approve_form = ApproveForm(request.POST)
            if not _decided(approve_form, lead_approve, lead=lead, officer=user):
                return _lead_page(request, lead, approve_form=approve_form)
            messages.success(request, _("已批准，企业已收到通知。"))
        elif action == "decline":
            data = _cleaned(DeclineForm(request.POST))
            lead_decline(lead=lead, officer=user, reasons=data["reasons"], note=data["note"], refer=data["refer"])
            messages.success(request, _("已记录未通过原因，企业已收到通知。"))
        elif action == "disburse":
            disburse_form = DisburseForm(request.POST)
            if not _decided(disburse_form, lead_disburse, lead=lead, officer=user):
                return _lead_page(request, lead, disburse_form=disburse_form)
            messages.success(request, _("放款信息已记录。"))
        else:
            raise Http404
    except MatchingError as exc:
        messages.error(request, str(exc))
    except InstitutionMembership.DoesNotExist:
        messages.error(request, _("请选择本机构的客户经理。"))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("leads_admin:detail", pk=lead.pk)


def lead_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The filtered lead list as CSV (UTF-8 with BOM, opens in Excel) or .xlsx."""
    _staff(request)
    leads = leads_with_judgements(
        # read from the read replica when configured (writes, the access log, still go to the primary)
        list(lead_list_for_staff(user=request.user, filters=_filters(request)).using(read_alias())[:10000]),
        viewer=request.user, channel=Channel.EXPORT, detail="线索导出",
    )  # fmt: skip
    header = [
        _("线索"),
        _("企业"),
        _("统一社会信用代码"),
        _("产品"),
        _("金额（万元）"),
        _("期限（月）"),
        _("等级"),
        _("状态"),
        _("推送时间"),
        _("受理人"),
        _("已超时"),
    ]
    rows = [
        [lead.pk, lead.enterprise.name, lead.enterprise.uscc, lead.product.title, float(lead.need.amount) / 10000,
         lead.need.term_months, lead.grade_text if lead.coverage.visible else lead.coverage.reason_text,
         lead.get_status_display(), timezone.localtime(lead.created_at).strftime("%Y-%m-%d %H:%M"),
         str(lead.claimed_by or ""), _("是") if lead.is_overdue else ""]
        for lead in leads
    ]  # fmt: skip
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if request.GET.get("format") == "xlsx":
        return xlsx_response(header, rows, filename=f"leads-{stamp}.xlsx")
    return csv_response(header, rows, filename=f"leads-{stamp}.csv")


def scorecard_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    institution = institution_for_user(user=user) if user.is_bank_staff else None
    if institution is not None:
        institutions: list[FinancialInstitution] | None = [institution]
    elif user.is_platform_admin or user.is_superuser:
        institutions = None  # every bank
    else:
        raise PermissionDenied
    return render(
        request,
        "matching/admin/scorecard.html",
        {"title": _("机构服务评价"), "icon": "pick", "cards": bank_scorecard(institutions=institutions)},
    )
