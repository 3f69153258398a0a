"""The lead list's rows, built from plain values (``selectors.py``) rather than model instances.

The bank's lead list is the API's busiest read (DESIGN.md §7: ≥ 300 requests/s).
Instantiating leads with their need, product page, enterprise and events, then
walking DRF's nested serializers, cost ~20 ms a page; these plain rows give the
same JSON (a test compares them with ``LeadOutputSerializer``) for a fraction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, tzinfo

from django.db.models import QuerySet
from django.utils import timezone
from rest_framework import serializers

from loanhub.accounts.models import User
from loanhub.consent.models import Channel
from loanhub.matching.judgements import Coverage, LeadKey, coverage_for_leads, judgement_data, judgement_reads_log
from loanhub.matching.models import DeclineReason

from .selectors import lead_page_events, lead_page_rows

_DATE = serializers.DateField()
_MONEY = serializers.DecimalField(max_digits=14, decimal_places=2)
_RATE = serializers.DecimalField(max_digits=5, decimal_places=2)

JUDGED = ("grade", "score", "pd", "likelihood", "bank_score", "expected_value")


class CountedRows:
    """What the paginator pages over: counts and slices the bare lead ids (no joins:
    PostgreSQL cannot drop inner joins from a COUNT, and planning the seven-table
    join with ORDER BY and OFFSET costs more than running it), then fetches the
    page's rows by primary key."""

    def __init__(self, queryset: QuerySet) -> None:
        self.ids = queryset.values_list("pk", flat=True)

    def count(self) -> int:
        return self.ids.order_by().count()

    def __getitem__(self, index: slice) -> list[dict]:
        return lead_page_rows(ids=list(self.ids[index]))


def _opt(field: serializers.Field, value: object) -> object:
    return None if value is None else field.to_representation(value)


def _dt(value: datetime | None, tz: tzinfo) -> str | None:
    """What DRF's DateTimeField says (ISO 8601 in the current time zone, "Z" for
    UTC), without its per-call checks: this runs ~60 times a page."""
    if value is None:
        return None
    text = value.astimezone(tz).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _events(ids: Iterable[int], tz: tzinfo) -> dict[int, list[dict]]:
    rows = lead_page_events(ids=list(ids))
    events: dict[int, list[dict]] = defaultdict(list)
    for lead_id, kind, frm, to, note, at, actor in rows:
        events[lead_id].append(
            {"kind": kind, "from_status": frm, "to_status": to, "note": note, "at": _dt(at, tz), "actor": actor}
        )
    return events


def lead_rows(rows: list[dict], *, viewer: User | None = None) -> list[dict]:
    """JSON-ready rows in the shape of ``LeadOutputSerializer``.

    Judgement fields are shown only where a live authorization covers the bank
    (``loanhub.matching.judgements``); with a ``viewer``, each shown one is logged.
    """
    tz = timezone.get_current_timezone()
    events = _events((r["id"] for r in rows), tz)
    labels = dict(DeclineReason.choices)
    keys = [LeadKey(r["id"], r["enterprise_id"], r["institution_id"], r["status"], r["judgement_basis"]) for r in rows]
    coverage = coverage_for_leads(keys)
    if viewer is not None:
        judgement_reads_log(
            viewer=viewer, leads=[(k, r["judgement_categories"]) for k, r in zip(keys, rows, strict=True)],
            coverage=coverage, channel=Channel.API, detail="线索列表（接口）",
        )  # fmt: skip
    return [_row(r, events, labels, tz, coverage[r["id"]]) for r in rows]


def _row(r: dict, events: dict, labels: dict, tz: tzinfo, coverage: Coverage) -> dict:
    shown = coverage.visible
    return {
        "id": r["id"],
        "need": {
            "id": r["need_id"], "amount": _MONEY.to_representation(r["need__amount"]),
            "term_months": r["need__term_months"], "purpose": r["need__purpose"],
            "urgency": r["need__urgency"], "collateral_offered": [str(c) for c in r["need__collateral_offered"]],
        },
        "product": {"id": r["product_id"], "title": r["product__title"]},
        "institution": {
            "id": r["institution_id"], "name": r["institution__name"], "short_name": r["institution__short_name"],
        },
        "status": r["status"],
        "source": r["source"],
        "created_at": _dt(r["created_at"], tz),
        "claim_deadline": _dt(r["claim_deadline"], tz),
        "decision_deadline": _dt(r["decision_deadline"], tz),
        "is_overdue": r["is_overdue"],
        "overdue_stage": r["overdue_stage"],
        "decline_reasons": [{"code": c, "text": str(labels.get(c, c))} for c in r["decline_reasons"]],
        "decline_note": r["decline_note"],
        "approved_amount": _opt(_MONEY, r["approved_amount"]),
        "approved_rate": _opt(_RATE, r["approved_rate"]),
        "approved_term": r["approved_term"],
        "disbursed_amount": _opt(_MONEY, r["disbursed_amount"]),
        "disbursed_on": _opt(_DATE, r["disbursed_on"]),
        "events": events.get(r["id"], []),
        "enterprise": {
            "uscc": r["enterprise__uscc"], "name": r["enterprise__name"], "region": r["enterprise__region"],
            "industry": r["enterprise__industry"],
            "registration_date": _DATE.to_representation(r["enterprise__registration_date"]),
        },
        **{name: r[name] if shown else None for name in JUDGED},
        "judgement": judgement_data(coverage, r["judgement_categories"]),
        "claimed_by": r["claimed_by__username"],
        "claimed_at": _dt(r["claimed_at"], tz),
        "decided_at": _dt(r["decided_at"], tz),
    }  # fmt: skip
