from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import views, views_2fa

app_name = "accounts"

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("register/", views.register, name="register"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("notifications/", views.notifications, name="notifications"),
    path("legal/<slug:slug>/", views.legal, name="legal"),
    path("2fa/", views_2fa.manage, name="2fa_manage"),
    path("2fa/setup/", views_2fa.setup, name="2fa_setup"),
    path("2fa/verify/", views_2fa.verify, name="2fa_verify"),
    path("2fa/backup-codes/", views_2fa.backup_codes, name="2fa_backup_codes"),
    path("password/", views_2fa.password_change, name="password_change"),
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(
            success_url=reverse_lazy("accounts:password_reset_done"),
            email_template_name="registration/password_reset_email.txt",
        ),
        name="password_reset",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(success_url=reverse_lazy("accounts:password_reset_complete")),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
