"""Thin DRF views of API v1, one module per resource group (CONVENTIONS.md)."""

from .. import schema  # noqa: F401 — registers the token scheme with drf-spectacular
