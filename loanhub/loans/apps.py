from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoansConfig(AppConfig):
    name = "loanhub.loans"
    label = "loans"
    verbose_name = _("贷后管理")

    def ready(self) -> None:
        from loanhub.matching.events import on_lead_transition

        from .services import lead_transitioned

        on_lead_transition(lead_transitioned)
