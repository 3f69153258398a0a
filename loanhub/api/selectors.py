"""Reads for the API's lead list: a page's rows and events by lead id.

The list is the API's busiest read (≥ 300 requests/s). Django's ORM spent longer
building the SQL of the forty-column, five-join row query (and turning the values
back) than PostgreSQL took to run it, so on PostgreSQL the page is fetched with SQL
written out here, columns spelled out; it returns exactly what ``lead_values()``
returns (tests/loanhub/api/test_lead_rows.py compares them). Other databases (SQLite
in development) take the ORM path, whose converters handle their types.
"""

from __future__ import annotations

import json

from django.db import connection
from django.db.models import QuerySet

from loanhub.matching.models import Lead, LeadEvent

FIELDS = (
    "id", "need_id", "need__amount", "need__term_months", "need__purpose", "need__urgency",
    "need__collateral_offered", "product_id", "product__title", "institution_id", "institution__name",
    "institution__short_name", "status", "source", "created_at", "claim_deadline", "decision_deadline",
    "is_overdue", "overdue_stage", "decline_reasons", "decline_note", "approved_amount", "approved_rate",
    "approved_term", "disbursed_amount", "disbursed_on", "enterprise__uscc", "enterprise__name",
    "enterprise__region", "enterprise__industry", "enterprise__registration_date", "grade", "score", "pd",
    "likelihood", "bank_score", "expected_value", "claimed_by__username", "claimed_at", "decided_at",
    "enterprise_id", "judgement_basis", "judgement_categories",
)  # fmt: skip
JSON_FIELDS = ("need__collateral_offered", "decline_reasons", "judgement_categories")
EVENT_FIELDS = ("lead_id", "kind", "from_status", "to_status", "note", "at", "actor__username")

# FIELDS in order. jsonb comes back as text (Django reads it that way, so does this).
_ROWS_SQL = """
SELECT l.id, l.need_id, n.amount, n.term_months, n.purpose, n.urgency,
       n.collateral_offered, l.product_id, p.title, l.institution_id, i.name,
       i.short_name, l.status, l.source, l.created_at, l.claim_deadline, l.decision_deadline,
       l.is_overdue, l.overdue_stage, l.decline_reasons, l.decline_note, l.approved_amount, l.approved_rate,
       l.approved_term, l.disbursed_amount, l.disbursed_on, e.uscc, e.name,
       e.region, e.industry, e.registration_date, l.grade, l.score, l.pd,
       l.likelihood, l.bank_score, l.expected_value, u.username, l.claimed_at, l.decided_at,
       l.enterprise_id, l.judgement_basis, l.judgement_categories
  FROM matching_lead l
  JOIN matching_financingneed n ON n.id = l.need_id
  JOIN wagtailcore_page p ON p.id = l.product_id
  JOIN institutions_financialinstitution i ON i.id = l.institution_id
  JOIN enterprises_enterprise e ON e.id = l.enterprise_id
  LEFT JOIN accounts_user u ON u.id = l.claimed_by_id
 WHERE l.id = ANY(%s)
"""
# EVENT_FIELDS in order, oldest first.
_EVENTS_SQL = """
SELECT v.lead_id, v.kind, v.from_status, v.to_status, v.note, v.at, u.username
  FROM matching_leadevent v
  LEFT JOIN accounts_user u ON u.id = v.actor_id
 WHERE v.lead_id = ANY(%s)
 ORDER BY v.at, v.id
"""


def lead_values(queryset: QuerySet[Lead]) -> QuerySet:
    """The ORM's form of a row (and the reference the SQL is tested against)."""
    return queryset.values(*FIELDS)


def _sql_applies() -> bool:
    return connection.vendor == "postgresql"


def lead_page_rows(*, ids: list[int]) -> list[dict]:
    """The rows of the leads ``ids`` as ``lead_values`` gives them, in that order."""
    if not ids:
        return []
    if _sql_applies():
        with connection.cursor() as cursor:
            cursor.execute(_ROWS_SQL, [ids])
            rows = [dict(zip(FIELDS, values, strict=True)) for values in cursor.fetchall()]
        for row in rows:
            for name in JSON_FIELDS:
                row[name] = json.loads(row[name])
    else:
        rows = list(lead_values(Lead.objects.filter(pk__in=ids).order_by()))
    by_id = {row["id"]: row for row in rows}
    return [by_id[pk] for pk in ids if pk in by_id]


def lead_page_events(*, ids: list[int]) -> list[tuple]:
    """The events of the leads ``ids`` as (EVENT_FIELDS) tuples, oldest first."""
    if not ids:
        return []
    if _sql_applies():
        with connection.cursor() as cursor:
            cursor.execute(_EVENTS_SQL, [ids])
            return cursor.fetchall()
    return list(LeadEvent.objects.filter(lead_id__in=ids).order_by("at", "pk").values_list(*EVENT_FIELDS))
