from __future__ import annotations


class ScoringError(Exception):
    pass


class NoActiveModel(ScoringError):
    """No model version is active."""
