"""Model fields encrypted at rest with Fernet (AES-128-CBC + HMAC-SHA256).

Keys come from ``settings.LOANHUB_FIELD_KEYS`` (the environment variable
``LOANHUB_FIELD_KEYS``, comma-separated): the first key encrypts, every key
decrypts, so a new key can be put in front and the old one kept until
``python manage.py rotate_field_keys`` has re-encrypted every row.

The stored value is the Fernet token (text); an empty value stays empty so a
blank field needs no key. Encrypted values cannot be searched or compared in SQL.

``EncryptedJSONField`` is a JSON column in which only some rows are encrypted (the
credit records of sensitive catalog categories): a ``Sealed`` object (or a
``SealedList`` array) is stored as a Fernet token (a JSON string), any other value as
plain JSON, so rows that need no secrecy cost nothing extra.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Expression
from django.db.models.fields.json import KeyTransform


@lru_cache(maxsize=8)
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("LOANHUB_FIELD_KEYS is empty: no key to encrypt fields with.")
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            "LOANHUB_FIELD_KEYS must hold Fernet keys (32 url-safe base64-encoded bytes); "
            "make one with: python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'"
        ) from exc


def field_fernet() -> MultiFernet:
    """The MultiFernet of the configured keys (first one encrypts)."""
    return _fernet_for(tuple(k.strip() for k in settings.LOANHUB_FIELD_KEYS if k.strip()))


def encrypt_text(value: str) -> str:
    return field_fernet().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt_text(token: str) -> str:
    try:
        return field_fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "An encrypted field cannot be decrypted with any key in LOANHUB_FIELD_KEYS "
            "(was a key removed before rotate_field_keys ran?)."
        ) from exc


def rotate_token(token: str) -> str:
    """Re-encrypt ``token`` with the current (first) key."""
    return field_fernet().rotate(token.encode("ascii")).decode("ascii")


class EncryptedTextField(models.TextField):
    """A text value stored as a Fernet token; Python code sees the plaintext."""

    description = "Text encrypted at rest"

    def from_db_value(self, value: str | None, expression: object, connection: BaseDatabaseWrapper) -> str | None:
        if value is None or value == "":
            return value
        return decrypt_text(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt_text(str(value))

    def rotate_db_value(self, raw: str | None) -> str | None:
        """The stored ``raw`` value re-encrypted with the current key (None: nothing to do)."""
        return rotate_token(raw) if raw else None


class Sealed(dict):
    """A JSON object that an ``EncryptedJSONField`` stores encrypted.

    Reading an encrypted value gives a ``Sealed`` back, so a record loaded, changed
    and saved again (even through ``bulk_update``) stays encrypted.
    """


class SealedList(list):
    """A JSON array that an ``EncryptedJSONField`` stores encrypted (as ``Sealed``)."""


SEALED_TYPES = (Sealed, SealedList)


def seal(value: object) -> object:
    """``value`` marked to be stored encrypted: a dict as ``Sealed``, a list as
    ``SealedList``; anything else (None, already sealed) unchanged."""
    if isinstance(value, SEALED_TYPES):
        return value
    if isinstance(value, dict):
        return Sealed(value)
    if isinstance(value, list):
        return SealedList(value)
    return value


class EncryptedJSONField(models.JSONField):
    """A JSON object or array, stored encrypted when it is ``Sealed`` / ``SealedList``;
    plain JSON otherwise.

    ``seal_when`` names a boolean attribute of the model instance: when it is true,
    ``save()``, ``create()`` and ``bulk_create()`` seal the value. ``bulk_update()``
    and ``QuerySet.update()`` do not look at the instance: pass a sealed value
    (``seal(value)``). Encrypted rows cannot be searched by key in SQL. The field
    holds objects and arrays only: a JSON string in the column is a Fernet token.
    """

    description = "JSON, encrypted at rest when sealed"

    def __init__(self, *args: Any, seal_when: str | None = None, **kwargs: Any) -> None:
        self.seal_when = seal_when
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[str, str, Sequence[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        if self.seal_when:
            kwargs["seal_when"] = self.seal_when
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = super().pre_save(model_instance, add)
        if (
            isinstance(value, (dict, list))
            and not isinstance(value, SEALED_TYPES)
            and self.seal_when
            and getattr(model_instance, self.seal_when, False)
        ):
            value = seal(value)
            setattr(model_instance, self.attname, value)
        return value

    def get_prep_value(self, value: Any) -> Any:
        if isinstance(value, SEALED_TYPES):
            return encrypt_text(json.dumps(value, cls=self.encoder, ensure_ascii=False))
        return super().get_prep_value(value)

    def from_db_value(self, value: str | None, expression: Expression, connection: BaseDatabaseWrapper) -> Any:
        value = super().from_db_value(value, expression, connection)
        if isinstance(value, str) and not isinstance(expression, KeyTransform):
            return self._open(value)
        return value

    def to_python(self, value: Any) -> Any:
        # A fixture written by value_to_string holds the token: load it sealed.
        return self._open(value) if isinstance(value, str) else value

    def value_to_string(self, obj: models.Model) -> Any:
        # dumpdata writes the token, never the plaintext.
        value = self.value_from_object(obj)
        return self.get_prep_value(value) if isinstance(value, SEALED_TYPES) else value

    def _open(self, token: str) -> Sealed | SealedList:
        value = seal(json.loads(decrypt_text(token), cls=self.decoder))
        if not isinstance(value, SEALED_TYPES):  # the field holds objects and arrays only
            raise ValueError("an encrypted JSON value must be an object or an array")
        return value

    def rotate_db_value(self, raw: str | None) -> str | None:
        """The stored JSON ``raw`` re-encrypted with the current key (None: plain JSON)."""
        if not raw or not raw.lstrip().startswith('"'):
            return None
        return json.dumps(rotate_token(json.loads(raw)))


ENCRYPTED_FIELD_TYPES = (EncryptedTextField, EncryptedJSONField)


def encrypted_fields() -> list[tuple[type[models.Model], list[str]]]:
    """Every concrete model with encrypted fields, with those fields' names."""
    from django.apps import apps

    found = []
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, ENCRYPTED_FIELD_TYPES)]
        if names:
            found.append((model, names))
    return found
