from __future__ import annotations

from django.urls import URLResolver, include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from loanhub.credit_data.wagtail_hooks import AdminOnlyMenuItem

from . import admin_views

app_name = "disputes_admin"
urlpatterns = [
    path("", admin_views.dispute_index, name="index"),
    path("objections/<int:pk>/", admin_views.objection_detail, name="objection"),
    path("repairs/<int:pk>/", admin_views.repair_detail, name="repair"),
]


@hooks.register("register_admin_urls")
def register_urls() -> list[URLResolver]:
    return [path("disputes/", include((urlpatterns, app_name), namespace=app_name))]


@hooks.register("register_admin_menu_item")
def register_menu() -> MenuItem:
    return AdminOnlyMenuItem(_("异议与修复"), reverse("disputes_admin:index"), icon_name="warning", order=320)
