from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "loanhub.matching"
    label = "matching"
    verbose_name = _("融资对接")
    default_auto_field = "django.db.models.BigAutoField"
