from django.urls import path

from . import views

app_name = "matching"

urlpatterns = [
    path("enterprises/<str:uscc>/needs/", views.need_index, name="need_index"),
    path("enterprises/<str:uscc>/needs/new/", views.need_new, name="need_new"),
    path("enterprises/<str:uscc>/needs/<int:pk>/", views.need_detail, name="need_detail"),
    path("enterprises/<str:uscc>/needs/<int:pk>/edit/", views.need_edit, name="need_edit"),
    path("enterprises/<str:uscc>/needs/<int:pk>/withdraw/", views.need_withdraw_view, name="need_withdraw"),
    path("enterprises/<str:uscc>/needs/<int:pk>/apply/", views.need_apply, name="need_apply"),
    path(
        "enterprises/<str:uscc>/needs/<int:pk>/leads/<int:lead_pk>/messages/",
        views.lead_message_post,
        name="lead_message",
    ),
    path("apply/<int:product_id>/", views.product_apply, name="product_apply"),
]
