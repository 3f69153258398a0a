from functools import partial

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "loanhub.scoring"
    label = "scoring"
    verbose_name = _("信用评分")

    def ready(self) -> None:
        from loanhub.consent.services import on_consent_change
        from loanhub.credit_data.services import on_data_change

        from .models import Trigger
        from .services import rescore_registered, rescore_safely
        from .tasks import rescore_usccs_task

        on_consent_change(lambda enterprise: rescore_safely(enterprise, Trigger.CONSENT_CHANGE))
        on_data_change(partial(rescore_registered, enqueue=rescore_usccs_task.enqueue))
