from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "loanhub.audit"
    label = "audit"
    verbose_name = _("审计日志")

    def ready(self) -> None:
        # Authentication and Wagtail workflow events are cross-cutting: they are
        # recorded from signals rather than from each login view.
        from . import signal_handlers

        signal_handlers.connect()
