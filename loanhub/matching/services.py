"""Writes of the matching domain live in their own modules:

- :mod:`loanhub.matching.needs` — post, edit, withdraw needs; apply to products
- :mod:`loanhub.matching.lifecycle` — claim, assign, review, approve, decline, disburse
"""

from __future__ import annotations

from .lifecycle import (
    check_deadlines,
    lead_approve,
    lead_assign,
    lead_claim,
    lead_decline,
    lead_disburse,
    lead_start_review,
)
from .needs import apply_direct, need_apply_product, need_post, need_update, need_withdraw

__all__ = [
    "apply_direct",
    "check_deadlines",
    "lead_approve",
    "lead_assign",
    "lead_claim",
    "lead_decline",
    "lead_disburse",
    "lead_start_review",
    "need_apply_product",
    "need_post",
    "need_update",
    "need_withdraw",
]
