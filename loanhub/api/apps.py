from functools import partial

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "loanhub.api"
    label = "api"
    verbose_name = _("开放接口")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from loanhub.accounts.models import User
        from loanhub.accounts.services import on_credentials_reset
        from loanhub.institutions.models import InstitutionMembership
        from loanhub.loans.alerts import on_alert_event
        from loanhub.matching.events import on_lead_event

        from .models import ApiToken
        from .tasks import delivery_enqueue
        from .tokens import token_identity_changed, token_revoke_all
        from .webhooks import alert_event_received, lead_event_received

        # Lead events reach banks' systems as signed webhooks, after commit.
        on_lead_event(partial(lead_event_received, enqueue=delivery_enqueue))
        # Post-loan alerts too (event loan.alert), after the alert's commit.
        on_alert_event(partial(alert_event_received, enqueue=delivery_enqueue))
        # A changed password or a reset 2FA revokes the user's tokens at once.
        on_credentials_reset(token_revoke_all)
        # The cached identity of a token (tokens.py) is forgotten on any change to the
        # token, its user or the user's membership, whatever made it: deactivating a
        # user or removing a membership happens in the Django admin, with no service.
        for model in (ApiToken, User, InstitutionMembership):
            for signal in (post_save, post_delete):
                signal.connect(token_identity_changed, sender=model, weak=False)
