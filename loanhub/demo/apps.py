from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    name = "loanhub.demo"
    label = "demo"
    verbose_name = _("沙箱演示")
