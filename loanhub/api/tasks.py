"""Background entry points (django-tasks): webhook delivery."""

from __future__ import annotations

from django_tasks import task

from .models import DeliveryStatus


@task()
def deliver_webhook(delivery_id: int) -> str:
    """One delivery attempt; with a backend that can defer, books the next one itself."""
    from .webhooks import delivery_attempt, delivery_enqueue

    delivery = delivery_attempt(delivery_id)
    if delivery is None:
        return "skipped"
    if delivery.status == DeliveryStatus.RETRYING and deliver_webhook.get_backend().supports_defer:
        delivery_enqueue(delivery, run_after=delivery.next_attempt_at)
    return delivery.status
