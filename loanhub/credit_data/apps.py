from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreditDataConfig(AppConfig):
    name = "loanhub.credit_data"
    label = "credit_data"
    verbose_name = _("公共信用信息")

    def ready(self) -> None:
        from loanhub.consent.services import on_consent_change

        from .services import sandbox_records_fetch

        # The demo's sandbox answers an enterprise's authorization with its records
        # (LOANHUB_SANDBOX_RECORDS; off unless development or the demo turns it on).
        on_consent_change(sandbox_records_fetch)
