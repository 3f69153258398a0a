from django.urls import path

from . import views

app_name = "consent"

urlpatterns = [
    path("<str:uscc>/authorizations/", views.authorization_index, name="index"),
    path("<str:uscc>/authorizations/new/", views.authorization_new, name="new"),
    path("<str:uscc>/authorizations/confirm/", views.authorization_confirm, name="confirm"),
    path("<str:uscc>/authorizations/<int:pk>/", views.authorization_detail, name="detail"),
    path("<str:uscc>/authorizations/<int:pk>/revoke/", views.authorization_revoke_view, name="revoke"),
    path("<str:uscc>/access-log/", views.access_log_view, name="access_log"),
]
