from __future__ import annotations

from django.urls import URLResolver, include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from loanhub.credit_data.wagtail_hooks import AdminOnlyMenuItem

from . import admin_views

app_name = "scoring_admin"
urlpatterns = [
    path("", admin_views.model_index, name="index"),
    path("register/", admin_views.model_register_view, name="register"),
    path("<int:pk>/", admin_views.model_detail, name="detail"),
    path("<int:pk>/activate/", admin_views.model_activate_view, name="activate"),
    path("rescore/", admin_views.rescore_start, name="rescore"),
    path("jobs/<int:pk>/", admin_views.rescore_job_detail, name="job"),
]


@hooks.register("register_admin_urls")
def register_urls() -> list[URLResolver]:
    return [path("models/", include((urlpatterns, app_name), namespace=app_name))]


@hooks.register("register_admin_menu_item")
def register_menu() -> MenuItem:
    return AdminOnlyMenuItem(_("评分模型"), reverse("scoring_admin:index"), icon_name="cogs", order=310)
