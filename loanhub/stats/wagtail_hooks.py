from __future__ import annotations

from django.urls import URLResolver, include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from loanhub.credit_data.wagtail_hooks import AdminOnlyMenuItem

from . import views

app_name = "stats_admin"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export.csv", views.export, name="export"),
]


@hooks.register("register_admin_urls")
def register_urls() -> list[URLResolver]:
    return [path("stats/", include((urlpatterns, app_name), namespace=app_name))]


@hooks.register("register_admin_menu_item")
def register_menu() -> MenuItem:
    return AdminOnlyMenuItem(_("统计分析"), reverse("stats_admin:dashboard"), icon_name="table", order=290)
