from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "loanhub.matching"
    label = "matching"
    verbose_name = _("融资对接")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from wagtail.signals import page_published, page_unpublished

        from loanhub.consent.services import on_consent_change
        from loanhub.credit_data.services import on_data_change

        from .hooks import enterprise_changed, product_page_changed, records_changed

        # A cross-cutting cache concern: product pages change through Wagtail's own
        # publishing, so its signals are where we hear about it.
        page_published.connect(product_page_changed, dispatch_uid="matching_products_published")
        page_unpublished.connect(product_page_changed, dispatch_uid="matching_products_unpublished")
        on_consent_change(enterprise_changed)
        on_data_change(records_changed)
