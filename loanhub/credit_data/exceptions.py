from __future__ import annotations


class CreditDataError(Exception):
    """Base class of the credit_data app's errors."""


class ImportFileError(CreditDataError):
    """The file as a whole cannot be imported (unreadable, wrong columns)."""


class ProviderError(CreditDataError):
    """A provider failed to deliver records."""


class ProviderTimeout(ProviderError):
    pass


class ProviderBadResponse(ProviderError):
    pass


class ProviderAuthError(ProviderError):
    pass


class ConsentRequired(CreditDataError):
    """No live authorization covers the requested read or fetch."""
