"""Encrypt the stored payloads of sensitive categories (tax amounts) at rest.

- ``CreditRecord.payload`` becomes an ``EncryptedJSONField``: same column, so no
  schema change (state only).
- Existing records of the sensitive categories are sealed (Fernet, LOANHUB_FIELD_KEYS)
  and their ``payload_hash`` becomes the keyed HMAC the importer now computes, so a
  re-import after this migration still finds "same record, nothing to do".
  Reversible: backwards decrypts them and restores the plain SHA-256 (the same keys
  must still be configured).
- Rejected rows of those categories keep only ``uscc`` and ``record_date``. One-way:
  backwards leaves them redacted.

Not atomic: the rows are walked by primary key in batches, each committed on its own,
so a large table needs no long transaction; a run that stops half-way can be run
again (rows already done are skipped). Works on SQLite and PostgreSQL alike (ORM only).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import hashlib
import hmac
import json

from django.conf import settings
from django.db import migrations

import loanhub.security.fields
from loanhub.security.batches import update_in_batches
from loanhub.security.fields import Sealed

if TYPE_CHECKING:
    from django.db.backends.base.schema import BaseDatabaseSchemaEditor
    from django.db.migrations.state import StateApps
    from django.db.models import QuerySet

# The catalog's sensitive categories when this migration was written. A test keeps
# this in step with the catalog: making another category sensitive needs a migration
# like this one for the rows already stored.
SENSITIVE = ("tax_payment",)
BATCH = 2000
KEEP_IN_REJECTIONS = ("uscc", "record_date")

# Frozen copies of loanhub.credit_data.validation.canonical_json / payload_hash_key.


def _canonical(payload: dict) -> str:
    return json.dumps(
        payload, ensure_ascii=False, sort_keys=True, default=str, allow_nan=False
    )


def _keyed_hash(payload: dict) -> str:
    key = hashlib.sha256(
        f"loanhub.credit_data.payload_hash{settings.SECRET_KEY}".encode()
    ).digest()
    return hmac.new(
        key, _canonical(payload).encode("utf-8"), hashlib.sha256
    ).hexdigest()


def _plain_hash(payload: dict) -> str:
    return hashlib.sha256(_canonical(payload).encode("utf-8")).hexdigest()


def _seal(record: Any) -> bool:  # a historical CreditRecord
    if isinstance(record.payload, Sealed):
        return False
    record.payload_hash = _keyed_hash(record.payload)
    record.payload = Sealed(record.payload)
    return True


def _unseal(record: Any) -> bool:
    if not isinstance(record.payload, Sealed):
        return False
    record.payload = dict(record.payload)
    record.payload_hash = _plain_hash(record.payload)
    return True


def _redact(rejection: Any) -> bool:  # a historical ImportRejection
    raw = rejection.raw if isinstance(rejection.raw, dict) else {}
    redacted = {
        k: v if k in KEEP_IN_REJECTIONS or v in ("", None) else "***"
        for k, v in raw.items()
    }
    if redacted == rejection.raw:
        return False
    rejection.raw = redacted
    return True


def _records(apps: StateApps, alias: str) -> QuerySet[Any]:
    model = apps.get_model("credit_data", "CreditRecord")
    return (
        model.objects.using(alias).filter(category__in=SENSITIVE).only("pk", "payload")
    )


def seal_sensitive_records(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    alias = schema_editor.connection.alias
    update_in_batches(_records(apps, alias), alias, _seal, ["payload", "payload_hash"], batch=BATCH)
    rejections = apps.get_model("credit_data", "ImportRejection").objects.using(alias)
    update_in_batches(rejections.filter(batch__category__in=SENSITIVE), alias, _redact, ["raw"], batch=BATCH)


def unseal_sensitive_records(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    alias = schema_editor.connection.alias
    update_in_batches(_records(apps, alias), alias, _unseal, ["payload", "payload_hash"], batch=BATCH)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("credit_data", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="creditrecord",
                    name="payload",
                    field=loanhub.security.fields.EncryptedJSONField(
                        default=dict, seal_when="is_sensitive", verbose_name="内容"
                    ),
                ),
            ],
        ),
        migrations.RunPython(
            seal_sensitive_records, unseal_sensitive_records, elidable=False
        ),
    ]
