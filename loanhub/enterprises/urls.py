from django.urls import path

from . import views

app_name = "enterprises"

urlpatterns = [
    path("<str:uscc>/", views.enterprise_detail, name="detail"),
]
