"""What the seed steps share: the demo password, a progress callback, and what the
earlier steps made (banks, users, enterprises).

A leaf module, so every seed step — ``loanhub.demo.*`` and the portal's
``cms.demo`` — can name the context without importing ``loanhub.demo.services``,
which imports the steps (no import circle).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from loanhub.accounts.models import User
from loanhub.enterprises.models import Enterprise
from loanhub.institutions.models import FinancialInstitution

Progress = Callable[[str], None]


@dataclass
class SeedContext:
    password: str
    progress: Progress
    banks: dict[str, FinancialInstitution] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    enterprises: dict[str, Enterprise] = field(default_factory=dict)
