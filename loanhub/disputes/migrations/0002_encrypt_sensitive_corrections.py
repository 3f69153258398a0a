"""A correction of a sensitive record (a tax amount) is encrypted at rest too.

``Objection.corrected_payload`` becomes an ``EncryptedJSONField`` (same column: state
only) and the corrections already stored for records of the sensitive categories are
sealed. Reversible (backwards decrypts them; the same LOANHUB_FIELD_KEYS are needed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import migrations

import loanhub.security.fields
from loanhub.security.fields import Sealed

if TYPE_CHECKING:
    from django.db.backends.base.schema import BaseDatabaseSchemaEditor
    from django.db.migrations.state import StateApps
    from django.db.models import Manager

SENSITIVE = ("tax_payment",)  # as in credit_data 0002


def _corrections(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> tuple[Manager[Any], list[Any]]:
    model = apps.get_model("disputes", "Objection")
    manager = model.objects.using(schema_editor.connection.alias)
    rows = manager.filter(
        record__category__in=SENSITIVE, corrected_payload__isnull=False
    )
    return manager, list(rows.only("pk", "corrected_payload"))


def seal_corrections(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    manager, rows = _corrections(apps, schema_editor)
    todo = [
        o
        for o in rows
        if isinstance(o.corrected_payload, dict)
        and not isinstance(o.corrected_payload, Sealed)
    ]
    for objection in todo:
        objection.corrected_payload = Sealed(objection.corrected_payload)
    manager.bulk_update(todo, ["corrected_payload"], batch_size=500)


def unseal_corrections(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    manager, rows = _corrections(apps, schema_editor)
    todo = [o for o in rows if isinstance(o.corrected_payload, Sealed)]
    for objection in todo:
        objection.corrected_payload = dict(objection.corrected_payload)
    manager.bulk_update(todo, ["corrected_payload"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("disputes", "0001_initial"),
        ("credit_data", "0002_encrypt_sensitive_payloads"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="objection",
                    name="corrected_payload",
                    field=loanhub.security.fields.EncryptedJSONField(
                        blank=True, null=True, verbose_name="更正后的内容"
                    ),
                ),
            ],
        ),
        migrations.RunPython(seal_corrections, unseal_corrections),
    ]
