"""``python manage.py rotate_field_keys`` — re-encrypt every encrypted field with the
current (first) key of LOANHUB_FIELD_KEYS.

Rotation: put a new key first in LOANHUB_FIELD_KEYS (keep the old ones after it),
restart, run this command, then drop the old keys.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from loanhub.security.fields import encrypted_fields, rotate_token


class Command(BaseCommand):
    help = "Re-encrypt all encrypted model fields with the current field key."

    def handle(self, *args: object, **options: object) -> None:
        total = 0
        for model, names in encrypted_fields():
            rows = self._rotate_model(model, names)
            total += rows
            self.stdout.write(f"{model._meta.label}: {rows} rows re-encrypted")
        self.stdout.write(self.style.SUCCESS(f"done: {total} rows"))

    @transaction.atomic
    def _rotate_model(self, model, names: list[str]) -> int:  # noqa: ANN001
        # Raw tokens, so rows are rotated without ever holding plaintext.
        table = connection.ops.quote_name(model._meta.db_table)
        pk = model._meta.pk
        columns = [model._meta.get_field(n).column for n in names]
        select = ", ".join(connection.ops.quote_name(c) for c in [pk.column, *columns])
        assignments = ", ".join(f"{connection.ops.quote_name(c)} = %s" for c in columns)
        count = 0
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {select} FROM {table}")  # noqa: S608 — names quoted
            rows = cursor.fetchall()
            for pk_value, *tokens in rows:
                if not any(tokens):
                    continue
                rotated = [rotate_token(t) if t else t for t in tokens]
                cursor.execute(
                    f"UPDATE {table} SET {assignments} WHERE {connection.ops.quote_name(pk.column)} = %s",  # noqa: S608, E501
                    [*rotated, pk_value],
                )
                count += 1
        return count
