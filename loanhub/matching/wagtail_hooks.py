from __future__ import annotations

from urllib.parse import urlencode

from django.urls import URLResolver, include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component

from loanhub.accounts.home_panels import HomePanel, Table, Tile
from loanhub.accounts.requests import AuthenticatedHttpRequest

from . import workbench
from .selectors import OFFICER_HOME_FILTERS, lead_home_counts, team_load

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


def _leads_url(**query: object) -> str:
    return reverse("leads_admin:index") + "?" + urlencode(query)


HOME_LABELS = {"new": _("新线索（待受理）"), "due_today": _("今日到期"), "overdue": _("已超时"), "mine": _("我在办的")}


@hooks.register("construct_homepage_panels")
def lead_home_panels(request: AuthenticatedHttpRequest, panels: list[Component]) -> None:
    """Officer: new, due today, overdue, mine; manager: the team's load and what is overdue."""
    user = request.user
    if not user.is_bank_staff:
        return
    counts = lead_home_counts(user=user)
    keys = ("new", "overdue", "due_today") if user.is_bank_manager else ("new", "due_today", "overdue", "mine")
    tiles = [
        Tile(str(HOME_LABELS[k]), counts[k], _leads_url(**OFFICER_HOME_FILTERS[k]), alert=k in ("overdue", "due_today"))
        for k in keys
    ]
    title = _("全行线索") if user.is_bank_manager else _("我的工作台")
    panels.append(HomePanel(name="leads", title=str(title), order=10, tiles=tiles))
    if user.is_bank_manager:
        rows = [
            [(str(r["user"]), ""), (r["role"], ""),
             (r["open"], _leads_url(status="open", officer=r["user"].pk)),
             (r["overdue"], _leads_url(status="open", officer=r["user"].pk, overdue=1) if r["overdue"] else "")]
            for r in team_load(user=user)
        ]  # fmt: skip
        table = Table([str(_("人员")), str(_("岗位")), str(_("在办线索")), str(_("其中已超时"))], rows, numeric=(2, 3))
        panels.append(HomePanel(name="team", title=str(_("团队负荷")), order=20, table=table))
