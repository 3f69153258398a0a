"""Rewriting every row of a table in committed batches (data migrations that seal or
unseal encrypted fields)."""

from __future__ import annotations

from collections.abc import Callable

from django.db import models, transaction


def update_in_batches(
    queryset: models.QuerySet, alias: str, change: Callable[[models.Model], bool], fields: list[str], *, batch: int
) -> None:
    """Apply ``change(row) -> bool`` to every row by primary key, ``batch`` rows per
    transaction, saving ``fields`` of the rows it changed. A run stopped half-way can
    be run again when ``change`` skips rows already done."""
    last = None
    while True:
        with transaction.atomic(using=alias):
            page = queryset.order_by("pk")
            if last is not None:
                page = page.filter(pk__gt=last)
            rows = list(page[:batch])
            if not rows:
                return
            last = rows[-1].pk
            changed = [row for row in rows if change(row)]
            queryset.model.objects.using(alias).bulk_update(changed, fields)
