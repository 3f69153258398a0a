"""Background entry points (django-tasks): webhook delivery."""

from __future__ import annotations

import logging
from datetime import datetime

from django_tasks import task

from .models import DeliveryStatus, WebhookDelivery
from .webhooks import delivery_attempt

logger = logging.getLogger(__name__)


@task()
def deliver_webhook(delivery_id: int) -> str:
    """One delivery attempt; with a backend that can defer, books the next one itself."""
    delivery = delivery_attempt(delivery_id)
    if delivery is None:
        return "skipped"
    if delivery.status == DeliveryStatus.RETRYING and deliver_webhook.get_backend().supports_defer:
        delivery_enqueue(delivery, run_after=delivery.next_attempt_at)
    return delivery.status


def delivery_enqueue(delivery: WebhookDelivery, *, run_after: datetime | None = None) -> None:
    """Send ``delivery`` in the background (the ``enqueue`` that ``webhooks.py`` takes)."""
    try:
        task = deliver_webhook.using(run_after=run_after) if run_after else deliver_webhook
        task.enqueue(delivery.pk)
    except Exception:  # a queue outage leaves the delivery pending for retry_webhooks
        logger.exception("webhook: could not enqueue delivery %s", delivery.pk)
