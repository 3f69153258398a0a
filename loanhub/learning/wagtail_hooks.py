from __future__ import annotations

from django.urls import URLResolver, include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from loanhub.credit_data.wagtail_hooks import AdminOnlyMenuItem

from . import admin_views

app_name = "learning_admin"
urlpatterns = [
    path("", admin_views.index, name="index"),
    path("export/", admin_views.export, name="export"),
    path("challenger/", admin_views.train_challenger, name="challenger"),
    path("approval/", admin_views.train_approval, name="approval"),
]


@hooks.register("register_admin_urls")
def register_urls() -> list[URLResolver]:
    return [path("learning/", include((urlpatterns, app_name), namespace=app_name))]


@hooks.register("register_admin_menu_item")
def register_menu() -> MenuItem:
    return AdminOnlyMenuItem(_("模型学习"), reverse("learning_admin:index"), icon_name="cogs", order=315)
