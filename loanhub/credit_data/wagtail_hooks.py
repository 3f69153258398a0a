from __future__ import annotations

from django.urls import URLResolver, include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from loanhub.accounts.permissions import is_platform_admin
from loanhub.accounts.requests import AuthenticatedHttpRequest

from . import admin_views

app_name = "credit_data_admin"
urlpatterns = [
    path("", admin_views.import_index, name="index"),
    path("batches/<int:pk>/", admin_views.batch_detail, name="batch"),
    path("batches/<int:pk>/rejections.csv", admin_views.batch_rejections_export, name="batch_rejections"),
    path("templates/<str:category>.csv", admin_views.category_template, name="template"),
]


@hooks.register("register_admin_urls")
def register_urls() -> list[URLResolver]:
    return [path("credit-data/", include((urlpatterns, app_name), namespace=app_name))]


class AdminOnlyMenuItem(MenuItem):
    def is_shown(self, request: AuthenticatedHttpRequest) -> bool:
        return is_platform_admin(request.user)


@hooks.register("register_admin_menu_item")
def register_menu() -> MenuItem:
    return AdminOnlyMenuItem(_("信用数据导入"), reverse("credit_data_admin:index"), icon_name="upload", order=300)
