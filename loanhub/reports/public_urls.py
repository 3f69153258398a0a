"""The public verification pages, /verify/ (anyone, no login)."""

from django.urls import path

from . import views

app_name = "reports_public"

urlpatterns = [
    path("", views.verify_lookup, name="lookup"),
    path("<str:number>/", views.verify, name="verify"),
]
