from __future__ import annotations

from django.urls import URLResolver, include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from loanhub.matching.wagtail_hooks import StaffMenuItem

from . import admin_views

app_name = "webhooks_admin"
urlpatterns = [
    path("", admin_views.webhook_index, name="index"),
    path("add/", admin_views.webhook_add, name="add"),
    path("<int:pk>/", admin_views.webhook_detail, name="detail"),
    path("<int:pk>/edit/", admin_views.webhook_edit, name="edit"),
    path("<int:pk>/secret/", admin_views.webhook_secret, name="secret"),
    path("<int:pk>/deactivate/", admin_views.webhook_set_active, {"active": False}, name="deactivate"),
    path("<int:pk>/activate/", admin_views.webhook_set_active, {"active": True}, name="activate"),
    path("<int:pk>/delete/", admin_views.webhook_delete_view, name="delete"),
    path("<int:pk>/deliveries/<int:delivery_pk>/retry/", admin_views.delivery_retry, name="retry"),
]


@hooks.register("register_admin_urls")
def register_urls() -> list[URLResolver]:
    return [path("webhooks/", include((urlpatterns, app_name), namespace=app_name))]


@hooks.register("register_admin_menu_item")
def register_menu() -> MenuItem:
    return StaffMenuItem(_("Webhook 推送"), reverse("webhooks_admin:index"), icon_name="link", order=120)
