from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoansConfig(AppConfig):
    name = "loanhub.loans"
    label = "loans"
    verbose_name = _("贷后管理")

    def ready(self) -> None:
        from loanhub.matching.events import on_lead_transition

        from .compensation import enrol_on_disbursed
        from .renewals import renewal_on_disbursed
        from .services import lead_transitioned

        on_lead_transition(lead_transitioned)
        # Each opens (or finds) the disbursed lead's loan itself, so their order does not matter.
        on_lead_transition(renewal_on_disbursed)
        on_lead_transition(enrol_on_disbursed)
        self._early_warning_hooks()

    @staticmethod
    def _early_warning_hooks() -> None:
        """Early warning (alerts.py): new records and new scores of an enterprise with a live loan
        are checked after they commit; the recurring deadline check also checks alerts' SLA."""
        from django_tasks.signals import task_finished

        from loanhub.credit_data.services import on_data_change
        from loanhub.scoring.services import on_score_recorded

        from .alerts import records_changed, scores_recorded
        from .tasks import deadline_check_finished

        on_data_change(records_changed)
        on_score_recorded(scores_recorded)
        task_finished.connect(deadline_check_finished, dispatch_uid="loans_alert_deadlines")
