"""Model fields encrypted at rest with Fernet (AES-128-CBC + HMAC-SHA256).

Keys come from ``settings.LOANHUB_FIELD_KEYS`` (the environment variable
``LOANHUB_FIELD_KEYS``, comma-separated): the first key encrypts, every key
decrypts, so a new key can be put in front and the old one kept until
``python manage.py rotate_field_keys`` has re-encrypted every row.

The stored value is the Fernet token (text); an empty value stays empty so a
blank field needs no key. Encrypted values cannot be searched or compared in SQL.
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


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

    def from_db_value(self, value, expression, connection):  # noqa: ANN001, ANN201
        if value is None or value == "":
            return value
        return decrypt_text(value)

    def get_prep_value(self, value):  # noqa: ANN001, ANN201
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt_text(str(value))


def encrypted_fields() -> list[tuple[type[models.Model], list[str]]]:
    """Every concrete model with encrypted fields, with those fields' names."""
    from django.apps import apps

    found = []
    for model in apps.get_models():
        names = [
            f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)
        ]
        if names:
            found.append((model, names))
    return found
