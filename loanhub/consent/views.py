"""SME portal: sign, read and revoke authorizations; see who looked at our data."""

from __future__ import annotations

from datetime import date, datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from loanhub.accounts.exceptions import PasswordRecheckLocked
from loanhub.accounts.lockout import recheck_locked_response
from loanhub.accounts.requests import AuthenticatedHttpRequest
from loanhub.enterprises.access import member_enterprise_or_404
from loanhub.enterprises.selectors import enterprise_is_owner
from loanhub.institutions.models import FinancialInstitution

from . import texts
from .forms import AuthorizationForm, SignForm
from .selectors import access_days_detail, access_log_days, access_log_for_enterprise, authorization_list
from .services import authorization_grant, authorization_preview, authorization_revoke

SESSION_KEY = "pending_authorization"


def _safe_next(request: HttpRequest) -> str:
    """The ?next= path, only when it stays on this site (no open redirects)."""
    target = request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


@login_required
def authorization_index(request: AuthenticatedHttpRequest, uscc: str) -> HttpResponse:
    enterprise = member_enterprise_or_404(request, uscc)
    page = Paginator(authorization_list(enterprise=enterprise), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "consent/authorization_list.html",
        {
            "enterprise": enterprise,
            "page": page,
            "is_owner": enterprise_is_owner(user=request.user, enterprise=enterprise),
        },
    )


def _store_terms(request: HttpRequest, uscc: str, terms: dict) -> None:
    institution = terms["institution"]
    request.session[SESSION_KEY] = {
        "uscc": uscc,
        **{k: v for k, v in terms.items() if k not in ("institution", "data_from", "expires_at")},
        "institution": institution.pk if institution else None,
        "data_from": terms["data_from"].isoformat(),
        "expires_at": terms["expires_at"].isoformat(),
        "valid_from": timezone.now().isoformat(),
    }


def _load_terms(request: HttpRequest, uscc: str) -> dict | None:
    stored = request.session.get(SESSION_KEY)
    if not stored or stored.get("uscc") != uscc:
        return None
    terms = {k: v for k, v in stored.items() if k != "uscc"}
    terms["institution"] = (
        FinancialInstitution.objects.filter(pk=stored["institution"]).first() if stored["institution"] else None
    )
    terms["data_from"] = date.fromisoformat(stored["data_from"])
    terms["expires_at"] = datetime.fromisoformat(stored["expires_at"])
    terms["valid_from"] = datetime.fromisoformat(stored["valid_from"])
    return terms


@login_required
@require_http_methods(["GET", "POST"])
def authorization_new(request: AuthenticatedHttpRequest, uscc: str) -> HttpResponse:
    enterprise = member_enterprise_or_404(request, uscc)
    if not enterprise_is_owner(user=request.user, enterprise=enterprise):
        raise PermissionDenied(_("只有企业管理员可以签署授权。"))
    initial = {}
    if request.GET.get("institution"):
        initial = {"grantee_type": "institution", "institution": request.GET["institution"]}
    elif request.GET.get("grantee") in ("applied", "platform"):
        initial = {"grantee_type": request.GET["grantee"]}
    form = AuthorizationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        _store_terms(request, uscc, form.terms())
        next_url = _safe_next(request)
        confirm = reverse("consent:confirm", kwargs={"uscc": uscc})
        return redirect(confirm + (f"?{urlencode({'next': next_url})}" if next_url else ""))
    return render(request, "consent/authorization_form.html", {"enterprise": enterprise, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def authorization_confirm(request: AuthenticatedHttpRequest, uscc: str) -> HttpResponse:
    enterprise = member_enterprise_or_404(request, uscc)
    terms = _load_terms(request, uscc)
    if terms is None:
        messages.info(request, _("请先选择授权内容。"))
        return redirect("consent:new", uscc=uscc)
    text = authorization_preview(enterprise=enterprise, user=request.user, **_preview_args(terms))
    form = SignForm(
        request.POST or None,
        initial={"text_hash": texts.text_hash(text), "valid_from": terms["valid_from"]},
    )
    if request.method == "POST" and form.is_valid():
        try:
            artefact = authorization_grant(
                enterprise=enterprise,
                user=request.user,
                password=form.cleaned_data["password"],
                expected_hash=form.cleaned_data["text_hash"],
                request=request,
                **terms,
            )
        except PasswordRecheckLocked:
            return recheck_locked_response(request)
        except ValidationError as exc:
            for field, errors in getattr(exc, "message_dict", {None: exc.messages}).items():
                form.add_error("password" if field == "password" else None, errors)
        else:
            request.session.pop(SESSION_KEY, None)
            messages.success(request, _("授权已签署，立即生效。"))
            next_url = _safe_next(request)
            return redirect(next_url or f"/enterprises/{uscc}/authorizations/{artefact.pk}/")
    return render(
        request,
        "consent/authorization_confirm.html",
        {"enterprise": enterprise, "text": text, "form": form, "terms": terms},
    )


def _preview_args(terms: dict) -> dict:
    keys = ("grantee_type", "institution", "purpose", "categories", "data_from", "valid_from", "expires_at")
    return {k: terms[k] for k in keys}


@login_required
def authorization_detail(request: AuthenticatedHttpRequest, uscc: str, pk: int) -> HttpResponse:
    enterprise = member_enterprise_or_404(request, uscc)
    artefact = get_object_or_404(enterprise.authorizations, pk=pk)
    return render(
        request,
        "consent/authorization_detail.html",
        {
            "enterprise": enterprise,
            "artefact": artefact,
            "reads": artefact.reads.select_related("user", "institution")[:50],
            "is_owner": enterprise_is_owner(user=request.user, enterprise=enterprise),
        },
    )


@login_required
@require_POST
def authorization_revoke_view(request: AuthenticatedHttpRequest, uscc: str, pk: int) -> HttpResponse:
    enterprise = member_enterprise_or_404(request, uscc)
    artefact = get_object_or_404(enterprise.authorizations, pk=pk)
    authorization_revoke(authorization=artefact, user=request.user)
    messages.success(request, _("授权已撤回，被授权方已无法再查询。"))
    return redirect("consent:index", uscc=uscc)


@login_required
def access_log_view(request: AuthenticatedHttpRequest, uscc: str) -> HttpResponse:
    enterprise = member_enterprise_or_404(request, uscc)
    if request.GET.get("raw"):  # every single read, as recorded
        page = Paginator(access_log_for_enterprise(enterprise=enterprise), 30).get_page(request.GET.get("page"))
        return render(request, "consent/access_log.html", {"enterprise": enterprise, "page": page, "raw": True})
    day_page = Paginator(access_log_days(enterprise=enterprise), 30).get_page(request.GET.get("page"))
    days = access_days_detail(enterprise=enterprise, groups=list(day_page.object_list))
    return render(request, "consent/access_log.html", {"enterprise": enterprise, "page": day_page, "days": days})
