"""Back office of risk compensation (风险补偿): schemes (platform administrators), claims
(a bank files from its loan page; an administrator decides), the schemes' report, and the
compensation panel of the bank's loan page. Registered in wagtail_hooks.py."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.forms import BaseForm
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.admin.views.generic import CreateView, EditView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import register_permission_policy

from loanhub.accounts.models import Role, User
from loanhub.accounts.permissions import is_platform_admin, platform_admin_required
from loanhub.accounts.requests import AuthenticatedHttpRequest
from loanhub.institutions.selectors import membership_for_staff
from loanhub.money import format_wan

from .compensation import ClaimExists, claim_decide, claim_file, claim_loss_cap, claim_refusal, scheme_saved
from .compensation_forms import ClaimForm, DecisionForm, SchemeForm
from .compensation_selectors import (
    claim_get_for_user,
    claim_list_for_user,
    enrolment_list_for_user,
    scheme_claimable,
    scheme_report,
)
from .models import ClaimStatus, CompensationScheme, Loan
from .selectors import loan_get

PAGE_SIZE = 25

# ------------------------------------------------------------------ schemes


class PlatformAdminPolicy(BasePermissionPolicy):
    """Only platform administrators manage schemes; nobody deletes one (deactivate it instead:
    enrolled loans and claims keep pointing at it)."""

    def user_has_permission(self, user: Any, action: str) -> bool:
        return action != "delete" and is_platform_admin(user)

    def user_has_any_permission(self, user: Any, actions: Any) -> bool:
        return any(self.user_has_permission(user, action) for action in actions)

    def users_with_any_permission(self, actions: Any) -> QuerySet[User]:
        if set(actions) <= {"delete"}:
            return User.objects.none()
        return User.objects.filter(is_active=True, role=Role.PLATFORM_ADMIN) | User.objects.filter(
            is_active=True, is_superuser=True
        )

    def users_with_permission(self, action: str) -> QuerySet[User]:
        return self.users_with_any_permission([action])


register_permission_policy(CompensationScheme, PlatformAdminPolicy(CompensationScheme))


class _AuditedSave:
    request: AuthenticatedHttpRequest

    def save_instance(self) -> CompensationScheme:
        created = self.form.instance.pk is None  # type: ignore[attr-defined]
        instance = super().save_instance()  # type: ignore[misc]
        scheme_saved(user=self.request.user, scheme=instance, created=created)
        return instance


class SchemeCreateView(_AuditedSave, CreateView):
    pass


class SchemeEditView(_AuditedSave, EditView):
    pass


def _percent(scheme: CompensationScheme) -> str:
    return f"{scheme.coverage_share.normalize():f}%"


def _wan(field: str) -> Any:
    return lambda obj: f"{format_wan(getattr(obj, field))} 万元"


class SchemeViewSet(ModelViewSet):
    model = CompensationScheme
    icon = "pick"
    menu_label = gettext_lazy("风险补偿方案")
    add_to_admin_menu = False
    form_fields = SchemeForm.Meta.fields
    search_fields = ["name", "fund_name"]
    list_display = [
        "name", "fund_name",
        Column("coverage_share", label=gettext_lazy("补偿比例"), accessor=_percent),
        Column("loan_cap", label=gettext_lazy("单笔上限"), accessor=_wan("loan_cap")),
        Column("budget", label=gettext_lazy("资金规模"), accessor=_wan("budget")),
        "valid_from", "valid_until", BooleanColumn("is_active", label=gettext_lazy("启用")),
    ]  # fmt: skip
    list_filter = ["is_active"]

    def get_form_class(self, for_update: bool = False) -> type[BaseForm]:
        return SchemeForm

    add_view_class = SchemeCreateView
    edit_view_class = SchemeEditView


# ------------------------------------------------------------------- claims


def _staff_or_admin(request: AuthenticatedHttpRequest) -> None:
    if not (is_platform_admin(request.user) or membership_for_staff(user=request.user)):
        raise PermissionDenied


def claim_index(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Administrators: every claim (the pending first to decide); bank staff: their bank's."""
    _staff_or_admin(request)
    status = request.GET.get("status", "")
    claims = claim_list_for_user(user=request.user, status=status).order_by("status", "-filed_at")
    page = Paginator(claims, PAGE_SIZE).get_page(request.GET.get("page"))
    enrolments = Paginator(enrolment_list_for_user(user=request.user), PAGE_SIZE).get_page(request.GET.get("epage"))
    return render(
        request,
        "loans/compensation/claim_index.html",
        {
            "title": _("风险补偿"), "icon": "pick", "page": page, "enrolments": enrolments, "status": status,
            "statuses": ClaimStatus.choices, "is_admin": is_platform_admin(request.user),
            "status_query": f"&status={status}" if status in ClaimStatus.values else "",
        },
    )  # fmt: skip


def _bank_loan_or_404(request: AuthenticatedHttpRequest, pk: int) -> Loan:
    if membership_for_staff(user=request.user) is None:
        raise PermissionDenied
    loan = loan_get(viewer=request.user, pk=pk)
    if loan is None:
        raise Http404  # another bank's loan does not exist for this officer
    return loan


@require_http_methods(["GET", "POST"])
def claim_new(request: AuthenticatedHttpRequest, loan_pk: int) -> HttpResponse:
    """申请风险补偿: the lending bank's officer claims on a defaulted enrolled loan."""
    loan = _bank_loan_or_404(request, loan_pk)
    refusal = claim_refusal(loan, request.user)
    existing = claim_list_for_user(user=request.user).filter(enrolment__loan=loan).exclude(status="rejected").first()
    if existing is not None:  # a double submit or a second tab: the claim already made
        messages.info(request, str(ClaimExists.message))
        return redirect("compensation_admin:claim", existing.pk)
    form = ClaimForm(request.POST or None, initial={"loss_amount": claim_loss_cap(loan)})
    if request.method == "POST" and not refusal and form.is_valid():
        try:
            claim = claim_file(officer=request.user, loan=loan, **form.cleaned_data)
        except ClaimExists as exc:
            messages.info(request, str(exc.message))
            return redirect("compensation_admin:claim", exc.claim.pk)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("风险补偿申请已提交，平台审核后会通知您。"))
            return redirect("compensation_admin:claim", claim.pk)
    enrolment = getattr(loan, "enrolment", None)
    context = {
        "title": _("申请风险补偿"), "icon": "pick", "loan": loan, "form": form, "refusal": refusal,
        "enrolment": enrolment, "loss_cap": claim_loss_cap(loan),
        "claimable": scheme_claimable(enrolment.scheme) if enrolment else None,
    }  # fmt: skip
    return render(request, "loans/compensation/claim_form.html", context, status=400 if form.errors else 200)


def _add_errors(form: BaseForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def claim_detail(request: AuthenticatedHttpRequest, pk: int, form: DecisionForm | None = None) -> HttpResponse:
    _staff_or_admin(request)
    claim = claim_get_for_user(user=request.user, pk=pk)
    if claim is None:
        raise Http404
    is_admin = is_platform_admin(request.user)
    decide = is_admin and claim.status == ClaimStatus.SUBMITTED
    initial = {"decision": "approve", "paid_amount": claim.claimed_amount}
    return render(
        request,
        "loans/compensation/claim_detail.html",
        {
            "title": _("风险补偿申请 #%(pk)d") % {"pk": claim.pk}, "icon": "pick", "claim": claim,
            "loan": claim.enrolment.loan, "scheme": claim.enrolment.scheme, "is_admin": is_admin,
            "form": (form or DecisionForm(initial=initial)) if decide else None,
            "claimable": scheme_claimable(claim.enrolment.scheme) if decide else None,
        },
        status=400 if form is not None else 200,
    )  # fmt: skip


@require_POST
@platform_admin_required
def claim_decide_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    claim = claim_get_for_user(user=request.user, pk=pk)
    if claim is None:
        raise Http404
    form = DecisionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            claim_decide(
                admin=request.user, claim=claim, approve=data["decision"] == "approve",
                paid_amount=data["paid_amount"], reason=data["reason"],
            )  # fmt: skip
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("已审核，银行会收到通知。"))
            return redirect("compensation_admin:claim", claim.pk)
    return claim_detail(request, pk, form=form)


# ------------------------------------------------------------------- report


@platform_admin_required
def report_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Each scheme's budget, take-up, claims, losses paid and balance; a bar of what is used."""
    rows = scheme_report()
    top = max((float(r.scheme.budget) for r in rows), default=0.0) or 1.0
    bars = [
        {
            "label": r.scheme.name,
            "paid_width": round(100 * float(r.paid) / top, 1),
            "pending_width": round(100 * float(r.pending_amount) / top, 1),
            "exposure_width": round(100 * float(r.exposure) / top, 1),
            "free_width": round(100 * max(0.0, float(r.available)) / top, 1),
            "budget": r.scheme.budget,
        }
        for r in rows
    ]
    return render(
        request,
        "loans/compensation/report.html",
        {"title": _("风险补偿资金报表"), "icon": "table", "rows": rows, "bars": bars},
    )


admin_urlpatterns = [
    path("claims/", claim_index, name="claims"),
    path("claims/<int:pk>/", claim_detail, name="claim"),
    path("claims/<int:pk>/decide/", claim_decide_view, name="decide"),
    path("loans/<int:loan_pk>/claim/", claim_new, name="claim_new"),
    path("report/", report_view, name="report"),
]


# ------------------------------------------------------------- loan page panel


class CompensationLoanPanel(Component):
    """The bank's loan page: the loan's enrolment, its claims, and the way to file one."""

    template_name = "loans/compensation/loan_panel.html"
    order = 50

    def __init__(self, loan: Loan, refusal: str) -> None:
        self.loan = loan
        self.refusal = refusal

    def get_context_data(self, parent_context: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
        enrolment = getattr(self.loan, "enrolment", None)
        return {
            "loan": self.loan, "enrolment": enrolment, "refusal": self.refusal,
            "claims": list(enrolment.claims.all()) if enrolment else [],
        }  # fmt: skip


def compensation_loan_panel(request: AuthenticatedHttpRequest, loan: Loan, panels: list[Any]) -> None:
    """LOAN_PAGE_PANELS_HOOK (the bank page's view already checked the loan is the bank's)."""
    if request.user.is_bank_staff:
        panels.append(CompensationLoanPanel(loan, claim_refusal(loan, request.user)))
