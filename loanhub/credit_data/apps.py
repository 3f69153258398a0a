from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreditDataConfig(AppConfig):
    name = "loanhub.credit_data"
    label = "credit_data"
    verbose_name = _("公共信用信息")
