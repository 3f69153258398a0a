"""Lead events for other parts of the platform (e.g. webhooks to banks' systems).

Listeners run after the transaction commits, so a slow or failing receiver never
blocks or undoes the change itself.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from django.db import transaction

from .models import Lead

_listeners: list[Callable[[Lead, str], None]] = []


def on_lead_event(listener: Callable[[Lead, str], None]) -> None:
    _listeners.append(listener)


def lead_event(lead: Lead, event: str) -> None:
    for listener in _listeners:
        transaction.on_commit(partial(listener, lead, event))


# Listeners that must succeed or fail with the transition itself (e.g. opening a loan
# when a lead is disbursed): called at once, inside the transition's transaction.
_transition_listeners: list[Callable[[Lead, str], None]] = []


def on_lead_transition(listener: Callable[[Lead, str], None]) -> None:
    if listener not in _transition_listeners:
        _transition_listeners.append(listener)


def lead_transition(lead: Lead, kind: str) -> None:
    for listener in _transition_listeners:
        listener(lead, kind)
