from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisputesConfig(AppConfig):
    name = "loanhub.disputes"
    label = "disputes"
    verbose_name = _("信用异议与信用修复")
