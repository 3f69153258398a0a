from __future__ import annotations

from django.urls import URLResolver, include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from loanhub.credit_data.wagtail_hooks import AdminOnlyMenuItem

from . import admin_views

app_name = "audit_admin"
urlpatterns = [
    path("", admin_views.audit_index, name="index"),
    path("export.csv", admin_views.audit_export, name="export"),
]


@hooks.register("register_admin_urls")
def register_urls() -> list[URLResolver]:
    return [path("audit/", include((urlpatterns, app_name), namespace=app_name))]


@hooks.register("register_admin_menu_item")
def register_menu() -> MenuItem:
    return AdminOnlyMenuItem(_("审计日志"), reverse("audit_admin:index"), icon_name="list-ul", order=900)
