from functools import partial

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "loanhub.api"
    label = "api"
    verbose_name = _("开放接口")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from loanhub.accounts.services import on_credentials_reset
        from loanhub.matching.events import on_lead_event

        from .tasks import delivery_enqueue
        from .tokens import token_revoke_all
        from .webhooks import lead_event_received

        # Lead events reach banks' systems as signed webhooks, after commit.
        on_lead_event(partial(lead_event_received, enqueue=delivery_enqueue))
        # A changed password or a reset 2FA revokes the user's tokens at once.
        on_credentials_reset(token_revoke_all)
