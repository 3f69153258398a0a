from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InstitutionsConfig(AppConfig):
    name = "loanhub.institutions"
    label = "institutions"
    verbose_name = _("金融机构")
