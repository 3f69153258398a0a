from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "loanhub.reports"
    label = "reports"
    verbose_name = _("公共信用报告")
