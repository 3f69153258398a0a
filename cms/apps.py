from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    label = "cms"
    verbose_name = _("门户内容")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import views  # noqa: F401 — registers the pages' presenters (cms.presenters)
        from .signal_handlers import register_signal_handlers

        register_signal_handlers()
