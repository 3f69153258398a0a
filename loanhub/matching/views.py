"""SME portal: post financing needs, see matches and near misses, apply, follow leads."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from loanhub.accounts.requests import AuthenticatedHttpRequest
from loanhub.enterprises.access import member_enterprise_or_404
from loanhub.enterprises.selectors import enterprise_list_for_member

from . import matcher
from .conversation import lead_message_send, need_messages_mark_read
from .exceptions import ConsentMissing, MatchingError, NeedLocked, NotEligible
from .forms import DirectApplyForm, NeedForm
from .models import NeedSource, NeedStatus
from .needs import (
    apply_direct,
    need_apply_products,
    need_can_edit,
    need_can_withdraw,
    need_post,
    need_suggestions,
    need_update,
    need_withdraw,
)
from .selectors import lead_timeline, need_list_for_enterprise

PENDING = "pending_need"


def _form_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    mapping = {"amount": "amount_wan"}
    for field, errors in getattr(exc, "message_dict", {None: exc.messages}).items():
        target = mapping.get(field, field)
        form.add_error(target if target in form.fields else None, errors)


def _consent_redirect(request: HttpRequest, uscc: str, exc: ConsentMissing, back: str) -> HttpResponse:
    params = {"next": back}
    if exc.banks and not exc.applied:
        params["institution"] = exc.banks[0].pk
        names = "、".join(b.short_name for b in exc.banks)
        messages.warning(request, _("发布前请先授权 %(banks)s 查询企业信用信息。") % {"banks": names})
    else:
        params["grantee"] = "applied"
        messages.warning(
            request, _("发布前请先授权“我申请或对接的金融机构”查询企业信用信息；只有与您对接的机构才能查看。")
        )
    return redirect(reverse("consent:new", kwargs={"uscc": uscc}) + "?" + urlencode(params))


@login_required
def need_index(request: AuthenticatedHttpRequest, uscc: str) -> HttpResponse:
    enterprise = member_enterprise_or_404(request, uscc)
    page = Paginator(need_list_for_enterprise(enterprise=enterprise), 10).get_page(request.GET.get("page"))
    return render(request, "matching/need_list.html", {"enterprise": enterprise, "page": page})


@login_required
@require_http_methods(["GET", "POST"])
def need_new(request: AuthenticatedHttpRequest, uscc: str) -> HttpResponse:
    enterprise = member_enterprise_or_404(request, uscc)
    pending = request.session.get(PENDING, {}) if request.method == "GET" else {}
    form = NeedForm(request.POST or None, initial=pending.get(uscc))
    if request.method == "POST" and form.is_valid():
        try:
            need = need_post(user=request.user, enterprise=enterprise, **form.need_fields())
        except ConsentMissing as exc:
            request.session[PENDING] = {uscc: {k: v for k, v in request.POST.lists() if k != "csrfmiddlewaretoken"}}
            return _consent_redirect(request, uscc, exc, request.path)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            request.session.pop(PENDING, None)
            messages.success(
                request, _("融资需求已发布。请在下方勾选要申请的产品：只有您选择的产品的金融机构会收到申请。")
            )
            return redirect(reverse("matching:need_detail", kwargs={"uscc": uscc, "pk": need.pk}) + "#matches")
    if pending.get(uscc) and request.method == "GET":
        form = NeedForm(_flatten(pending[uscc]))
    return render(request, "matching/need_form.html", {"enterprise": enterprise, "form": form})


def _flatten(values: dict) -> dict:
    from django.utils.datastructures import MultiValueDict

    return MultiValueDict(values)


@login_required
def need_detail(request: AuthenticatedHttpRequest, uscc: str, pk: int) -> HttpResponse:
    enterprise = member_enterprise_or_404(request, uscc)
    need = get_object_or_404(enterprise.needs, pk=pk)
    leads = lead_timeline(need=need)
    need_messages_mark_read(need=need, user=request.user)
    # A renewal (续贷) goes to the lending bank's product only: no other products to suggest.
    live = need.status in (NeedStatus.OPEN, NeedStatus.CLAIMED) and need.source != NeedSource.RENEWAL
    matches = matcher.match_need(need) if live else None
    leaded = {lead.product_id for lead in leads}
    context = {
        "enterprise": enterprise,
        "need": need,
        "leads": leads,
        "matches": matches,
        "suggestions": need_suggestions(need, matches) if matches else [],
        "leaded": leaded,
        "can_edit": need_can_edit(need, (lead.status for lead in leads)),
        "can_withdraw": need_can_withdraw(need, (lead.status for lead in leads)),
    }
    return render(request, "matching/need_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def need_edit(request: AuthenticatedHttpRequest, uscc: str, pk: int) -> HttpResponse:
    enterprise = member_enterprise_or_404(request, uscc)
    need = get_object_or_404(enterprise.needs, pk=pk)
    initial = {
        "amount_wan": need.amount, "term_months": need.term_months, "purpose": need.purpose,
        "urgency": need.urgency, "collateral_offered": need.collateral_offered, "product_types": need.product_types,
        "visibility": need.visibility, "banks": list(need.banks.all()),
    }  # fmt: skip
    form = NeedForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            need_update(user=request.user, need=need, **form.need_fields())
        except NeedLocked as exc:
            messages.error(request, str(exc))
            return redirect("matching:need_detail", uscc=uscc, pk=pk)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("融资需求已更新，并已重新匹配。"))
            return redirect("matching:need_detail", uscc=uscc, pk=pk)
    return render(request, "matching/need_form.html", {"enterprise": enterprise, "form": form, "need": need})


@login_required
@require_POST
def need_withdraw_view(request: AuthenticatedHttpRequest, uscc: str, pk: int) -> HttpResponse:
    enterprise = member_enterprise_or_404(request, uscc)
    need = get_object_or_404(enterprise.needs, pk=pk)
    try:
        need_withdraw(user=request.user, need=need)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("融资需求已撤回，相关金融机构已收到通知。"))
    return redirect("matching:need_detail", uscc=uscc, pk=pk)


@login_required
@require_POST
def need_apply(request: AuthenticatedHttpRequest, uscc: str, pk: int) -> HttpResponse:
    enterprise = member_enterprise_or_404(request, uscc)
    need = get_object_or_404(enterprise.needs, pk=pk)
    try:
        product_ids = [int(value) for value in request.POST.getlist("product") if value]
        leads = need_apply_products(user=request.user, need=need, product_ids=product_ids)
    except NotEligible as exc:
        messages.error(request, _("暂不符合申请条件：%(r)s") % {"r": "；".join(exc.reasons)})
    except (ValidationError, ValueError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [_("请选择有效的产品。")])))
    else:
        banks = "、".join(dict.fromkeys(lead.institution.short_name for lead in leads))
        messages.success(request, _("已提交 %(n)d 项申请：%(banks)s。") % {"n": len(leads), "banks": banks})
        return redirect("matching:need_detail", uscc=uscc, pk=pk)
    return redirect(reverse("matching:need_detail", kwargs={"uscc": uscc, "pk": pk}) + "#matches")


@login_required
@require_http_methods(["GET", "POST"])
def product_apply(request: AuthenticatedHttpRequest, product_id: int) -> HttpResponse:
    """Apply to one product straight from the marketplace."""
    from cms.models import FinancingProductPage

    product = FinancingProductPage.objects.live().filter(pk=product_id).first()
    if product is None:
        raise Http404
    if not request.user.is_sme:
        raise PermissionDenied(_("只有企业用户可以申请融资产品。"))
    enterprises = list(enterprise_list_for_member(user=request.user))
    initial = {"amount_wan": product.amount_min, "term_months": product.term_min_months}
    form = DirectApplyForm(request.POST or None, enterprises=enterprises, initial=initial)
    if request.method == "POST" and form.is_valid():
        enterprise = form.enterprises[form.cleaned_data["enterprise"]]
        try:
            lead = apply_direct(
                user=request.user, enterprise=enterprise, product_id=product.pk,
                amount=form.cleaned_data["amount_wan"], term_months=form.cleaned_data["term_months"],
                purpose=form.cleaned_data["purpose"], collateral_offered=form.cleaned_data["collateral_offered"],
            )  # fmt: skip
        except ConsentMissing as exc:
            return _consent_redirect(request, enterprise.uscc, exc, request.path)
        except NotEligible as exc:
            form.add_error(None, _("暂不符合该产品的申请条件：%(r)s") % {"r": "；".join(exc.reasons)})
        except (ValidationError, MatchingError) as exc:
            _form_errors(form, exc) if isinstance(exc, ValidationError) else form.add_error(None, str(exc))
        else:
            messages.success(
                request, _("申请已提交给 %(bank)s，请在“融资需求”中查看进度。") % {"bank": lead.institution.short_name}
            )
            return redirect("matching:need_detail", uscc=enterprise.uscc, pk=lead.need_id)
    return render(
        request, "matching/product_apply.html", {"product": product, "form": form, "enterprises": enterprises}
    )


@login_required
@require_POST
def lead_message_post(request: AuthenticatedHttpRequest, uscc: str, pk: int, lead_pk: int) -> HttpResponse:
    """The SME answers (or writes to) the bank working one of its leads."""
    enterprise = member_enterprise_or_404(request, uscc)
    need = get_object_or_404(enterprise.needs, pk=pk)
    lead = get_object_or_404(need.leads.select_related("enterprise", "institution", "claimed_by"), pk=lead_pk)
    try:
        lead_message_send(lead=lead, sender=request.user, body=request.POST.get("body", ""))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("留言已发送给%(bank)s。") % {"bank": lead.institution.short_name})
    return redirect(reverse("matching:need_detail", kwargs={"uscc": uscc, "pk": pk}) + f"#lead-{lead.pk}")
