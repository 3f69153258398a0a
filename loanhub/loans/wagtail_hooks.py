"""Back office: the 贷后管理 menu (loans, file reporting) and its admin URLs.

Other post-loan pages (alerts, renewals, compensation) join the same submenu with
``@hooks.register(LOANS_MENU_HOOK)`` returning a MenuItem, and the loan page with
``admin_views.LOAN_PAGE_PANELS_HOOK``.
"""

from __future__ import annotations

from django.urls import URLResolver, include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from loanhub.accounts.requests import AuthenticatedHttpRequest

from . import admin_views, alert_views, compensation_views, renewal_views
from .views import SME_LOAN_PAGE_PANELS_HOOK

LOANS_MENU_HOOK = "register_loans_menu_item"

app_name = "loans_admin"
urlpatterns = [
    path("", admin_views.loan_index, name="index"),
    path("upload/", admin_views.loan_upload, name="upload"),
    path("upload/template.csv", admin_views.loan_upload_template, name="upload_template"),
    path("upload/rejected/<str:token>.csv", admin_views.loan_upload_rejections, name="upload_rejections"),
    path("<int:pk>/", admin_views.loan_detail, name="detail"),
    path("<int:pk>/report/", admin_views.loan_report, name="report"),
]


@hooks.register("register_admin_urls")
def register_urls() -> list[URLResolver]:
    return [path("loans/", include((urlpatterns, app_name), namespace=app_name))]


class BankStaffMenuItem(MenuItem):
    def is_shown(self, request: AuthenticatedHttpRequest) -> bool:
        return request.user.is_bank_staff


@hooks.register(LOANS_MENU_HOOK)
def register_loan_list_item() -> MenuItem:
    return BankStaffMenuItem(_("贷款"), reverse("loans_admin:index"), icon_name="form", order=10)


@hooks.register(LOANS_MENU_HOOK)
def register_loan_upload_item() -> MenuItem:
    return BankStaffMenuItem(_("批量报告贷款表现"), reverse("loans_admin:upload"), icon_name="upload", order=20)


@hooks.register("register_admin_menu_item")
def register_loans_menu() -> MenuItem:
    menu = Menu(register_hook_name=LOANS_MENU_HOOK)
    # Shown when one of its items is (bank staff; an administrator's items may join it).
    return SubmenuMenuItem(_("贷后管理"), menu, icon_name="form", order=105)


# -- early warning (贷后预警, alert_views.py) --------------------------------------------


@hooks.register("register_admin_urls")
def register_alert_urls() -> list[URLResolver]:
    urls = (alert_views.admin_urlpatterns, "loan_alerts_admin")
    return [path("loan-alerts/", include(urls, namespace="loan_alerts_admin"))]


@hooks.register(LOANS_MENU_HOOK)
def register_alert_list_item() -> MenuItem:
    return BankStaffMenuItem(_("贷后预警"), reverse("loan_alerts_admin:index"), icon_name="warning", order=15)


hooks.register(admin_views.LOAN_PAGE_PANELS_HOOK, alert_views.alert_loan_panel)
hooks.register("construct_homepage_panels", alert_views.alert_home_panel)
hooks.register(SME_LOAN_PAGE_PANELS_HOOK, alert_views.sme_loan_panel)


# -- renewals (续贷, renewal_views.py) ------------------------------------------------------

hooks.register(admin_views.LOAN_PAGE_PANELS_HOOK, renewal_views.bank_renewal_panel)
hooks.register(SME_LOAN_PAGE_PANELS_HOOK, renewal_views.sme_renewal_panel)


# -- risk compensation (风险补偿, compensation_views.py) -----------------------------------


class StaffOrAdminMenuItem(MenuItem):
    def is_shown(self, request: AuthenticatedHttpRequest) -> bool:
        user = request.user
        return user.is_bank_staff or user.is_platform_admin or user.is_superuser


class AdminMenuItem(MenuItem):
    def is_shown(self, request: AuthenticatedHttpRequest) -> bool:
        return request.user.is_platform_admin or request.user.is_superuser


@hooks.register("register_admin_urls")
def register_compensation_urls() -> list[URLResolver]:
    urls = (compensation_views.admin_urlpatterns, "compensation_admin")
    return [path("compensation/", include(urls, namespace="compensation_admin"))]


@hooks.register("register_admin_viewset")
def register_scheme_viewset() -> compensation_views.SchemeViewSet:
    return compensation_views.SchemeViewSet("compensation_schemes", url_prefix="compensation/schemes")


@hooks.register(LOANS_MENU_HOOK)
def register_compensation_item() -> MenuItem:
    return StaffOrAdminMenuItem(_("风险补偿"), reverse("compensation_admin:claims"), icon_name="pick", order=50)


@hooks.register(LOANS_MENU_HOOK)
def register_scheme_item() -> MenuItem:
    return AdminMenuItem(_("风险补偿方案"), reverse("compensation_schemes:index"), icon_name="cog", order=55)


@hooks.register(LOANS_MENU_HOOK)
def register_compensation_report_item() -> MenuItem:
    return AdminMenuItem(_("风险补偿资金报表"), reverse("compensation_admin:report"), icon_name="table", order=60)


hooks.register(admin_views.LOAN_PAGE_PANELS_HOOK, compensation_views.compensation_loan_panel)
