from __future__ import annotations

from django.urls import URLResolver, include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from loanhub.accounts.permissions import is_platform_admin
from loanhub.accounts.requests import AuthenticatedHttpRequest

from . import admin_views


class AdminOnlyMenuItem(MenuItem):
    def is_shown(self, request: AuthenticatedHttpRequest) -> bool:
        return is_platform_admin(request.user)


app_name = "enterprises_admin"
urlpatterns = [
    path("", admin_views.licence_index, name="index"),
    path("<int:pk>/", admin_views.licence_detail, name="licence"),
    path("<int:pk>/decide/", admin_views.licence_decide, name="decide"),
]


@hooks.register("register_admin_urls")
def register_urls() -> list[URLResolver]:
    return [path("verification/", include((urlpatterns, app_name), namespace=app_name))]


@hooks.register("register_admin_menu_item")
def register_menu() -> MenuItem:
    return AdminOnlyMenuItem(_("企业认证审核"), reverse("enterprises_admin:index"), icon_name="doc-full", order=295)
