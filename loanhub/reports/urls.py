"""The SME's reports pages, under /enterprises/<USCC>/reports/."""

from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("<str:uscc>/reports/", views.report_index, name="index"),
    path("<str:uscc>/reports/new/", views.report_new, name="new"),
    path("<str:uscc>/reports/<str:number>/pdf/", views.report_pdf, name="pdf"),
    path("<str:uscc>/reports/<str:number>/revoke/", views.report_revoke_view, name="revoke"),
    path("<str:uscc>/reports/requests/<int:pk>/approve/", views.request_approve, name="request_approve"),
    path("<str:uscc>/reports/requests/<int:pk>/decline/", views.request_decline, name="request_decline"),
]
