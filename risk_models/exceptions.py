"""Errors raised by :mod:`risk_models`.

All derive from :class:`RiskModelsError`; the CLI turns them into a one-line
message on stderr and exit code 2.
"""

from __future__ import annotations


class RiskModelsError(Exception):
    """Base class of the package's own errors."""


class DataError(RiskModelsError, ValueError):
    """Input data cannot be used (unreadable file, wrong values)."""


class MissingColumnsError(DataError):
    """Required columns are absent from an input frame or file."""

    def __init__(self, missing: list[str], where: str = "the input") -> None:
        self.missing = list(missing)
        names = ", ".join(repr(name) for name in self.missing)
        super().__init__(f"missing column(s) in {where}: {names}")


class ModelFormatError(RiskModelsError, ValueError):
    """A model folder is absent, incomplete or has an unreadable card."""
