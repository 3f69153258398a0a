from __future__ import annotations

from django.urls import URLResolver, include, path
from wagtail import hooks

from . import admin_views

app_name = "reports_admin"
urlpatterns = [
    path("leads/<int:pk>/request/", admin_views.lead_report_request, name="lead_request"),
    path("requests/<int:pk>/pdf/", admin_views.request_report_pdf, name="request_pdf"),
]


@hooks.register("register_admin_urls")
def register_urls() -> list[URLResolver]:
    return [path("credit-reports/", include((urlpatterns, app_name), namespace=app_name))]
