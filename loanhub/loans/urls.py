from django.urls import path

from . import alert_views, renewal_views, views

app_name = "loans"

urlpatterns = [
    path("<str:uscc>/loans/", views.loan_index, name="index"),
    path("<str:uscc>/loans/<int:pk>/", views.loan_detail, name="detail"),
    path("<str:uscc>/loans/<int:pk>/renew/", renewal_views.renewal_new, name="renew"),
    path("<str:uscc>/loan-alerts/", alert_views.enterprise_alerts, name="alerts"),
]
