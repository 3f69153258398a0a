from django.urls import path

from . import views

app_name = "enterprises"

urlpatterns = [
    path("<str:uscc>/", views.enterprise_detail, name="detail"),
    path("<str:uscc>/members/", views.member_invite, name="member_invite"),
    path("<str:uscc>/edit/", views.enterprise_edit, name="edit"),
    path("<str:uscc>/verification/", views.verification, name="verification"),
    path("<str:uscc>/verification/elements/", views.verify_elements, name="verify_elements"),
    path("<str:uscc>/verification/licence/", views.upload_licence, name="upload_licence"),
    path(
        "<str:uscc>/verification/licences/<int:pk>/",
        views.licence_file,
        name="licence_file",
    ),
]
