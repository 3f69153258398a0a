from __future__ import annotations

from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.urls import URLResolver, include, path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.models import WorkflowState

from cms.models import FinancingProductPage
from loanhub.accounts.home_panels import HomePanel, Tile
from loanhub.accounts.requests import AuthenticatedHttpRequest
from loanhub.credit_data.models import ImportBatch, ImportStatus
from loanhub.credit_data.wagtail_hooks import AdminOnlyMenuItem
from loanhub.disputes.selectors import objection_list
from loanhub.enterprises.selectors import licence_queue

from . import views

app_name = "stats_admin"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export.csv", views.export, name="export"),
    path("outcomes/", views.outcomes, name="outcomes"),
    path("outcomes/export.csv", views.outcomes_export, name="outcomes_export"),
]


@hooks.register("register_admin_urls")
def register_urls() -> list[URLResolver]:
    return [path("stats/", include((urlpatterns, app_name), namespace=app_name))]


@hooks.register("register_admin_menu_item")
def register_menu() -> MenuItem:
    return AdminOnlyMenuItem(_("统计分析"), reverse("stats_admin:dashboard"), icon_name="table", order=290)


class OutcomesMenuItem(MenuItem):
    """Platform administrators see every bank's book; bank staff their own."""

    def is_shown(self, request: AuthenticatedHttpRequest) -> bool:
        user = request.user
        return user.is_bank_staff or user.is_platform_admin or user.is_superuser


@hooks.register("register_admin_menu_item")
def register_outcomes_menu() -> MenuItem:
    return OutcomesMenuItem(_("贷后统计"), reverse("stats_admin:outcomes"), icon_name="table", order=291)


OBJECTION_DUE_DAYS = 3  # an objection is "due" when its 20-day answer deadline is this close or past


@hooks.register("construct_homepage_panels")
def admin_home_panel(request: AuthenticatedHttpRequest, panels: list[Component]) -> None:
    """The platform administrator's to-do: products, verifications, objections, imports."""
    user = request.user
    if not (user.is_platform_admin or user.is_superuser):
        return
    today = timezone.localdate()
    product_type = ContentType.objects.get_for_model(FinancingProductPage)
    awaiting = WorkflowState.objects.active().filter(content_type=product_type).count()
    due = objection_list(open_only=True).filter(due_date__lte=today + timedelta(days=OBJECTION_DUE_DAYS)).count()
    week = ImportBatch.objects.filter(started_at__gte=timezone.now() - timedelta(days=7))
    failed = week.filter(Q(status=ImportStatus.FAILED) | Q(rows_rejected__gt=0)).count()
    tiles = [
        Tile(str(_("产品待审核")), awaiting, reverse("wagtailadmin_reports:workflow"), alert=True),
        Tile(str(_("企业待认证")), licence_queue().count(), reverse("enterprises_admin:index"), alert=True),
        Tile(str(_("异议即将到期或已超期")), due, reverse("disputes_admin:index"), alert=True),
        Tile(str(_("近7天导入有拒收或失败")), failed, reverse("credit_data_admin:index"), alert=True),
    ]
    note = _("异议须在受理后20日内答复；“即将到期”指%(n)d日内到期。") % {"n": OBJECTION_DUE_DAYS}
    panels.append(HomePanel(name="platform", title=str(_("平台待办")), order=10, tiles=tiles, note=str(note)))
