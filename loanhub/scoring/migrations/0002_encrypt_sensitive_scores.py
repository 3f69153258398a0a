"""Encrypt the stored inputs and reasons of scores that could use tax amounts.

- ``ScoreRecord.features`` and ``ScoreRecord.reasons`` become ``EncryptedJSONField``
  (``seal_when="uses_sensitive_data"``): same column, so no schema change (state only).
- Existing scores whose ``categories`` include a sensitive category, or list none (a
  full score: every category), are sealed (Fernet, LOANHUB_FIELD_KEYS). Reversible:
  backwards decrypts them (the same keys must still be configured).

Not atomic: the rows are walked by primary key in batches, each committed on its own,
so a large table needs no long transaction; a run that stops half-way can be run
again (rows already done are skipped). Works on SQLite and PostgreSQL alike (ORM only).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import migrations

import loanhub.security.fields
from loanhub.security.batches import update_in_batches
from loanhub.security.fields import Sealed, SealedList, seal

if TYPE_CHECKING:
    from django.db.backends.base.schema import BaseDatabaseSchemaEditor
    from django.db.migrations.state import StateApps
    from django.db.models import QuerySet

# The catalog's sensitive categories when this migration was written (as in
# credit_data 0002). A test keeps this in step with the catalog.
SENSITIVE = ("tax_payment",)
BATCH = 1000
FIELDS = ["features", "reasons"]


def _uses_sensitive_data(categories: list[str] | None) -> bool:
    # Frozen copy of ScoreRecord.uses_sensitive_data: no categories means all of them.
    return not categories or any(c in SENSITIVE for c in categories)


def _seal(score: Any) -> bool:  # a historical ScoreRecord
    if not _uses_sensitive_data(score.categories):
        return False
    if isinstance(score.features, Sealed) and isinstance(score.reasons, SealedList):
        return False
    score.features, score.reasons = seal(score.features), seal(score.reasons)
    return True


def _unseal(score: Any) -> bool:
    if not isinstance(score.features, Sealed) and not isinstance(
        score.reasons, SealedList
    ):
        return False
    if isinstance(score.features, Sealed):
        score.features = dict(score.features)
    if isinstance(score.reasons, SealedList):
        score.reasons = list(score.reasons)
    return True


def _scores(apps: StateApps, alias: str) -> QuerySet[Any]:
    model = apps.get_model("scoring", "ScoreRecord")
    return model.objects.using(alias).only("pk", "categories", *FIELDS)


def seal_sensitive_scores(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    alias = schema_editor.connection.alias
    update_in_batches(_scores(apps, alias), alias, _seal, FIELDS, batch=BATCH)


def unseal_sensitive_scores(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    alias = schema_editor.connection.alias
    update_in_batches(_scores(apps, alias), alias, _unseal, FIELDS, batch=BATCH)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("scoring", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="scorerecord",
                    name="features",
                    field=loanhub.security.fields.EncryptedJSONField(
                        default=dict,
                        seal_when="uses_sensitive_data",
                        verbose_name="特征值",
                    ),
                ),
                migrations.AlterField(
                    model_name="scorerecord",
                    name="reasons",
                    field=loanhub.security.fields.EncryptedJSONField(
                        default=list,
                        seal_when="uses_sensitive_data",
                        verbose_name="原因码",
                    ),
                ),
            ],
        ),
        migrations.RunPython(
            seal_sensitive_scores, unseal_sensitive_scores, elidable=False
        ),
    ]
