"""Portal views for accounts: registration and the role dashboard."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from loanhub.enterprises.selectors import enterprise_list_for_member
from loanhub.enterprises.uscc import uscc_region
from loanhub.institutions.selectors import institution_for_user

from .forms import SmeRegistrationForm
from .journey import sme_journey
from .requests import AuthenticatedHttpRequest
from .services import user_register_sme


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:dashboard")
    form = SmeRegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, enterprise = user_register_sme(
                username=data["username"],
                email=data["email"],
                password=data["password1"],
                display_name=data["display_name"],
                uscc=data["uscc"],
                enterprise_name=data["enterprise_name"],
                legal_representative=data["legal_representative"],
                region=uscc_region(data["uscc"]),  # the registration authority's division
                industry=data["industry"],
                registration_date=data["registration_date"],
                registered_capital=data["registered_capital"] * 10000,
                legal_rep_id_number=data["legal_rep_id_number"],
                legal_rep_phone=data["legal_rep_phone"],
            )
        except ValidationError as exc:
            _attach_errors(form, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                _("注册成功，欢迎 %(name)s！企业目前为“待认证”，请先完成企业认证。") % {"name": enterprise.name},
            )
            return redirect("enterprises:verification", uscc=enterprise.uscc)
    return render(request, "accounts/register.html", {"form": form})


def _attach_errors(form: SmeRegistrationForm, exc: ValidationError) -> None:
    field_map = {"password": "password1", "name": "enterprise_name"}
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            target = field_map.get(field, field)
            form.add_error(target if target in form.fields else None, errors)
    else:
        form.add_error("password1", exc.messages)


@login_required
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    enterprises = list(enterprise_list_for_member(user=user)) if user.is_sme else []
    context = {
        "enterprises": enterprises,
        "journeys": [(e, sme_journey(e)) for e in enterprises],
        "institution": institution_for_user(user=user),
    }
    return render(request, "accounts/dashboard.html", context)


@login_required
def notifications(request: AuthenticatedHttpRequest) -> HttpResponse:
    from django.core.paginator import Paginator

    from .services import notification_mark_read

    if request.method == "POST":
        notification_mark_read(user=request.user)
        return redirect("accounts:notifications")
    page = Paginator(request.user.notifications.all(), 20).get_page(request.GET.get("page"))
    return render(request, "accounts/notifications.html", {"page": page})


LEGAL_PAGES = ("terms", "privacy", "authorization")


def legal(request: HttpRequest, slug: str) -> HttpResponse:
    """用户协议、隐私政策 and the wording of the authorization (授权书): public pages."""
    from django.http import Http404

    from loanhub.consent import texts

    if slug not in LEGAL_PAGES:
        raise Http404
    context: dict[str, object] = {"slug": slug, "pages": LEGAL_PAGES}
    if slug == "authorization":
        blanks = dict.fromkeys(
            (
                "enterprise",
                "uscc",
                "signer",
                "grantee",
                "purpose",
                "categories",
                "data_from",
                "valid_from",
                "expires_at",
            ),
            "____",
        )
        context["authorization_text"] = texts.render(texts.CURRENT_VERSION, **blanks)
        context["authorization_version"] = texts.CURRENT_VERSION
    return render(request, "accounts/legal.html", context)
