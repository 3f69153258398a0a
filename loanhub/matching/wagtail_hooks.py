from __future__ import annotations

from django.urls import URLResolver, include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from loanhub.accounts.requests import AuthenticatedHttpRequest

from . import workbench

app_name = "leads_admin"
urlpatterns = [
    path("", workbench.lead_index, name="index"),
    path("export/", workbench.lead_export, name="export"),
    path("scorecard/", workbench.scorecard_view, name="scorecard"),
    path("<int:pk>/", workbench.lead_detail, name="detail"),
    path("<int:pk>/<str:action>/", workbench.lead_action, name="action"),
]


@hooks.register("register_admin_urls")
def register_urls() -> list[URLResolver]:
    return [path("leads/", include((urlpatterns, app_name), namespace=app_name))]


class StaffMenuItem(MenuItem):
    def is_shown(self, request: AuthenticatedHttpRequest) -> bool:
        return request.user.is_bank_staff


class ScorecardMenuItem(MenuItem):
    def is_shown(self, request: AuthenticatedHttpRequest) -> bool:
        user = request.user
        return user.is_bank_staff or user.is_platform_admin or user.is_superuser


@hooks.register("register_admin_menu_item")
def register_leads_menu() -> MenuItem:
    return StaffMenuItem(_("融资线索"), reverse("leads_admin:index"), icon_name="list-ul", order=100)


@hooks.register("register_admin_menu_item")
def register_scorecard_menu() -> MenuItem:
    return ScorecardMenuItem(_("机构服务评价"), reverse("leads_admin:scorecard"), icon_name="pick", order=110)
