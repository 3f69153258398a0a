"""What matching does when products, consents or records change."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from loanhub.enterprises.models import Enterprise

logger = logging.getLogger(__name__)


def product_page_changed(sender: object, instance: object, **kwargs: object) -> None:
    from cms.models import FinancingProductPage

    from .matcher import products_changed
    from .tasks import rematch_all_task

    if isinstance(instance, FinancingProductPage):
        products_changed()
        rematch_all_task.enqueue()


def enterprise_changed(enterprise: Enterprise) -> None:
    """After an authorization is signed or revoked (on commit)."""
    from .judgements import enterprise_judgements_refresh
    from .tasks import rematch_enterprise_task

    # At once, in this request: a revoked authorization's judgements go now, not
    # when a worker gets to it (reads also check, so this keeps ranks and filters true).
    # The authorization change is committed already; a failure here must not undo or
    # hide it, and the deadline clock's sweep (judgements_expire) repairs what is missed.
    try:
        enterprise_judgements_refresh(enterprise.pk)
    except Exception:
        logger.exception("judgements: refresh after a consent change failed for enterprise %s", enterprise.pk)
    rematch_enterprise_task.enqueue(enterprise.pk)


def records_changed(usccs: Sequence[str]) -> None:
    from .tasks import judgements_refresh_task, rematch_enterprise_task

    with_leads = Enterprise.objects.filter(uscc__in=list(usccs), leads__isnull=False).values_list("pk", flat=True)
    for pk in with_leads.distinct():
        judgements_refresh_task.enqueue(pk)

    for pk in (
        Enterprise.objects.filter(uscc__in=list(usccs), needs__status="open").values_list("pk", flat=True).distinct()
    ):
        rematch_enterprise_task.enqueue(pk)
