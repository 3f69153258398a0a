"""``python manage.py rotate_field_keys`` — re-encrypt every encrypted field with the
current (first) key of LOANHUB_FIELD_KEYS.

Rotation: put a new key first in LOANHUB_FIELD_KEYS (keep the old ones after it),
restart, run this command, then drop the old keys.

Tables are walked by primary key in batches, each committed on its own, so a large
table (the credit records) neither fills memory nor holds one long transaction; a run
that stops half-way can simply be started again.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from django.db.models import Field

from loanhub.security.fields import encrypted_fields

BATCH = 2000


def _column(field: Field[Any, Any] | None) -> str:
    """The quoted column of a concrete field."""
    if field is None or not field.column:
        raise CommandError(f"not a concrete column: {field!r}")
    return connection.ops.quote_name(field.column)


class Command(BaseCommand):
    help = "Re-encrypt all encrypted model fields with the current field key."

    def handle(self, *args: Any, **options: Any) -> None:
        total = 0
        for model, names in encrypted_fields():
            rows = self._rotate_model(model, names)
            total += rows
            self.stdout.write(f"{model._meta.label}: {rows} rows re-encrypted")
        self.stdout.write(self.style.SUCCESS(f"done: {total} rows"))

    def _rotate_model(self, model: type[models.Model], names: list[str]) -> int:
        # Raw stored values, so rows are rotated without going through the models.
        quote = connection.ops.quote_name
        fields = [f for f in model._meta.concrete_fields if f.name in names]
        columns = [_column(f) for f in fields]
        table, pk = quote(model._meta.db_table), _column(model._meta.pk)
        select = ", ".join([pk, *columns])
        assignments = ", ".join(f"{column} = %s" for column in columns)
        # Rows locked while rotated, so a concurrent write is never overwritten.
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        # S608: the identifiers are the models' own, quoted by quote_name; values are bound.
        first = f"SELECT {select} FROM {table} ORDER BY {pk} LIMIT {BATCH}{lock}"  # noqa: S608
        after = f"SELECT {select} FROM {table} WHERE {pk} > %s ORDER BY {pk} LIMIT {BATCH}{lock}"  # noqa: S608
        update = f"UPDATE {table} SET {assignments} WHERE {pk} = %s"  # noqa: S608
        count, rows = 0, None
        while True:
            with transaction.atomic(), connection.cursor() as cursor:
                if rows is None:
                    cursor.execute(first)
                else:
                    cursor.execute(after, [rows[-1][0]])
                rows = cursor.fetchall()
                if not rows:
                    return count
                changes = [c for c in (self._rotated(fields, row) for row in rows) if c is not None]
                if changes:
                    cursor.executemany(update, changes)
                count += len(changes)

    @staticmethod
    def _rotated(fields: list, row: tuple) -> list | None:
        pk_value, *stored = row
        rotated = [f.rotate_db_value(value) for f, value in zip(fields, stored, strict=True)]
        if all(r is None for r in rotated):
            return None
        return [
            *(s if r is None else r for s, r in zip(stored, rotated, strict=True)),
            pk_value,
        ]
