from django.urls import path

from . import views

app_name = "disputes"

urlpatterns = [
    path("<str:uscc>/disputes/", views.dispute_index, name="index"),
    path("<str:uscc>/objections/", views.dispute_index, name="objections"),
    path("<str:uscc>/objections/new/<int:record_id>/", views.objection_new, name="objection_new"),
    path("<str:uscc>/repairs/new/<int:record_id>/", views.repair_new, name="repair_new"),
    path(
        "<str:uscc>/objections/<int:pk>/attachment/",
        views.objection_attachment,
        name="objection_attachment",
    ),
    path("<str:uscc>/repairs/<int:pk>/proof/", views.repair_proof, name="repair_proof"),
]
