"""Providers of public-credit records: one interface, three kinds.

A provider answers ``fetch(usccs, categories, since)`` with one pandas frame per
category in the exchange format of :mod:`loanhub.credit_data.schema`.
"""

from __future__ import annotations

from .base import RecordProvider
from .http import HttpProvider
from .sandbox import SandboxProvider

__all__ = ["RecordProvider", "HttpProvider", "SandboxProvider"]
