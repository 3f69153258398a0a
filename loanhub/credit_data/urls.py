from django.urls import path

from . import views

app_name = "credit_data"

urlpatterns = [
    path("enterprises/<str:uscc>/credit/", views.own_profile, name="profile"),
    path("bank/enterprises/<str:uscc>/", views.bank_profile, name="bank_profile"),
]
