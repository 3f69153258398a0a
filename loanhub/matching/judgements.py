"""What a bank may see of an SME's judgement on a lead, and the reads it leaves.

A lead's grade, score, PD, approval likelihood and the bank's ranking value are the
SME's credit data (DESIGN.md §4). They are computed only from the categories and
date range of the live authorizations to the lead's bank (the scoped score) and
stored on the lead with the ids of those authorizations (``judgement_basis``). A
read shows them only while exactly those authorizations are still live for a
purpose that allows it; otherwise the lead says why and shows none of them.

Purposes (the authorization text, version 2026-12-v2, says the same):

- 融资对接 (matching): the judgement on the bank's leads, to decide whether to
  contact the SME; never the records themselves.
- 贷前审查 (underwriting): the judgement, and the authorized records and score
  reasons once the bank works the lead (claimed, in review, approved).
- 贷后管理 (monitoring): the judgement and the authorized records on a disbursed
  lead (a live loan), for post-loan monitoring.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone

from loanhub.accounts.models import User
from loanhub.consent.models import AccessLog, Authorization, AuthorizationStatus, GranteeType, Purpose
from loanhub.consent.selectors import scope_from
from loanhub.consent.services import access_log_bulk
from loanhub.credit_data.catalog import CATEGORY_CODES
from loanhub.institutions.selectors import institution_for_user
from loanhub.scoring.exceptions import NoActiveModel
from loanhub.scoring.models import ScoreRecord
from loanhub.scoring.selectors import data_coverage
from loanhub.scoring.services import approval_model_in_use, score_for_scope

from . import engine, matcher
from .coverage import Coverage
from .models import Lead, LeadStatus

WORKED_STATUSES = frozenset({LeadStatus.CLAIMED, LeadStatus.IN_REVIEW, LeadStatus.APPROVED})
_ORDER = {code: i for i, code in enumerate(CATEGORY_CODES)}


def judgement_purposes(status: str) -> frozenset[str]:
    """Purposes whose authorizations let the bank see the judgement on a lead."""
    if status == LeadStatus.DISBURSED:
        return frozenset({Purpose.MATCHING, Purpose.UNDERWRITING, Purpose.MONITORING})
    return frozenset({Purpose.MATCHING, Purpose.UNDERWRITING})


def profile_purposes(status: str) -> frozenset[str]:
    """Purposes whose authorizations let the bank see the records and score reasons."""
    if status in WORKED_STATUSES:
        return frozenset({Purpose.UNDERWRITING})
    if status == LeadStatus.DISBURSED:
        return frozenset({Purpose.MONITORING})
    return frozenset()


def catalogue_order(codes: Iterable[str]) -> list[str]:
    return sorted(set(codes), key=lambda c: _ORDER.get(c, len(_ORDER)))


@dataclass(frozen=True)
class LeadKey:
    id: int
    enterprise_id: int
    institution_id: int
    status: str
    basis: str

    @classmethod
    def of(cls, lead: Lead) -> LeadKey:
        return cls(lead.pk, lead.enterprise_id, lead.institution_id, lead.status, lead.judgement_basis)


def _artefacts(keys: Sequence[LeadKey]) -> dict[int, list[Mapping[str, Any]]]:
    """The enterprises' authorizations that could name these leads' banks (one query)."""
    rows = Authorization.objects.filter(enterprise_id__in={k.enterprise_id for k in keys}).filter(
        Q(grantee_type=GranteeType.INSTITUTION, institution_id__in={k.institution_id for k in keys})
        | Q(grantee_type=GranteeType.APPLIED)
    )
    by_enterprise: dict[int, list[Mapping[str, Any]]] = defaultdict(list)
    for row in rows.values("id", "enterprise_id", "institution_id", "grantee_type", "purpose", "status",
                           "valid_from", "expires_at"):  # fmt: skip
        by_enterprise[row["enterprise_id"]].append(row)
    return by_enterprise


def _coverage(key: LeadKey, artefacts: Sequence[Mapping[str, Any]], at: datetime) -> Coverage:
    # An "institutions I apply to" grant covers every bank holding one of its leads.
    mine = [
        a for a in artefacts if a["grantee_type"] == GranteeType.APPLIED or a["institution_id"] == key.institution_id
    ]
    allowed = judgement_purposes(key.status)
    usable = [a for a in mine if a["purpose"] in allowed]
    live = sorted(
        (a for a in usable if a["status"] == AuthorizationStatus.ACTIVE and a["valid_from"] <= at < a["expires_at"]),
        key=lambda a: a["id"],
    )
    if live:
        ids = [a["id"] for a in live]
        visible = basis_text(ids) == key.basis
        return Coverage(visible, "" if visible else "refreshing", ids, live[0]["purpose"])
    if any(a["status"] == AuthorizationStatus.REVOKED for a in usable):
        return Coverage(False, "revoked")
    if any(a["expires_at"] <= at for a in usable):
        return Coverage(False, "expired")
    return Coverage(False, "purpose" if mine else "none")


def basis_text(ids: Iterable[int]) -> str:
    return ",".join(str(i) for i in sorted(ids))


def coverage_for_leads(keys: Sequence[LeadKey], at: datetime | None = None) -> dict[int, Coverage]:
    """Lead id → whether its bank may see its judgement now, and if not, why."""
    if not keys:
        return {}
    at = at or timezone.now()
    artefacts = _artefacts(keys)
    return {k.id: _coverage(k, artefacts.get(k.enterprise_id, []), at) for k in keys}


# ---------------------------------------------------------------- reads are logged


def judgement_reads_log(
    *,
    viewer: User,
    leads: Iterable[tuple[LeadKey, list[str]]],
    coverage: dict[int, Coverage],
    channel: str,
    detail: str,
) -> int:
    """One access-log row per lead whose judgement ``viewer`` was shown (one INSERT)."""
    institution = institution_for_user(user=viewer) if viewer.is_bank_staff else None
    entries = [
        AccessLog(
            enterprise_id=key.enterprise_id, user=viewer, institution=institution,
            authorization_id=coverage[key.id].live_ids[0], categories=catalogue_order(categories),
            purpose=coverage[key.id].purpose, channel=channel, detail=f"{detail}：线索 #{key.id}"[:200],
        )
        for key, categories in leads
        if coverage.get(key.id) and coverage[key.id].visible
    ]  # fmt: skip
    access_log_bulk(entries)
    return len(entries)


def judgement_data(coverage: Coverage, categories: list[str]) -> dict:
    """The ``judgement`` block of a lead in the API (and the webhook payload)."""
    return {
        "visible": coverage.visible, "reason": coverage.reason, "reason_text": coverage.reason_text,
        "categories": catalogue_order(categories) if coverage.visible else [],
    }  # fmt: skip


def leads_with_judgements(
    leads: Sequence[Lead], *, viewer: User, channel: str, detail: str, log: bool = True
) -> list[Lead]:
    """Attach ``lead.coverage`` to model instances and log what is shown.

    ``log=False`` when the caller may log the read itself (a lead page that shows the
    authorized profile records one read for the whole page; otherwise it calls
    :func:`judgements_shown_log`).
    """
    coverage = coverage_for_leads([LeadKey.of(lead) for lead in leads])
    for lead in leads:
        lead.coverage = coverage[lead.pk]
    if log:
        judgements_shown_log(leads, viewer=viewer, channel=channel, detail=detail)
    return list(leads)


def judgements_shown_log(leads: Sequence[Lead], *, viewer: User, channel: str, detail: str) -> int:
    """Log the judgements shown on leads that already carry their ``coverage``."""
    return judgement_reads_log(
        viewer=viewer, leads=[(LeadKey.of(lead), lead.judgement_categories) for lead in leads],
        coverage={lead.pk: lead.coverage for lead in leads}, channel=channel, detail=detail,
    )  # fmt: skip


@dataclass(frozen=True)
class _Basis:
    """What one set of live authorizations gives a bank: computed once per refresh."""

    score: ScoreRecord | None
    categories: list[str]
    until: datetime | None


def _basis_for(lead: Lead, ids: list[int]) -> _Basis:
    artefacts = list(Authorization.objects.filter(pk__in=ids))  # one query for scope and expiry
    scope = scope_from(artefacts, institution=lead.institution)
    score: ScoreRecord | None = None
    # Below the data minimum within what the bank may see: no grade, score or PD at all
    # (the lead says 数据不足，暂不评级 rather than a grade from an empty file).
    if data_coverage(enterprise=lead.enterprise, scope=scope).rated:
        try:
            score = score_for_scope(lead.enterprise, scope)
        except NoActiveModel:
            score = None
    categories = catalogue_order(score.categories if score else scope.categories)
    return _Basis(score, categories, min((a.expires_at for a in artefacts), default=None))


def lead_judgements_refresh(leads: Sequence[Lead]) -> int:
    """Recompute the stored judgement of ``leads`` from what their banks may see now.

    With no live authorization for a purpose that allows it, the lead keeps no
    judgement and is ranked on what remains: amount, term, product fit (and time).
    """
    leads = [lead for lead in leads if lead.pk]
    if not leads:
        return 0
    coverage = coverage_for_leads([LeadKey(ld.pk, ld.enterprise_id, ld.institution_id, ld.status, "") for ld in leads])
    table = matcher.product_table()
    column = {int(pid): j for j, pid in enumerate(table.ids)}
    # The scoped score is the bank's (scope "institution:<pk>"): one per enterprise, bank and basis.
    bases: dict[tuple[int, int, str], _Basis] = {}
    now = timezone.now()
    for lead in leads:
        ids = coverage[lead.pk].live_ids
        basis = basis_text(ids)
        key = (lead.enterprise_id, lead.institution_id, basis)
        if ids and key not in bases:
            bases[key] = _basis_for(lead, ids)
        found = bases.get(key) if ids else None
        fields = _judgement_fields(lead, found.score if found else None, table, column.get(lead.product_id))
        fields.update(
            judgement_basis=basis, judgement_until=found.until if found else None,
            judgement_categories=found.categories if found else [], updated_at=now,
        )  # fmt: skip
        Lead.objects.filter(pk=lead.pk).update(**fields)
        for name, value in fields.items():
            setattr(lead, name, value)
    return len(leads)


def _judgement_fields(
    lead: Lead, score: ScoreRecord | None, table: engine.ProductTable, j: int | None
) -> dict[str, Any]:
    facts = matcher.EnterpriseFacts(
        grade=score.grade if score else None, pd=score.pd if score else None, score=score.score if score else None,
        knockout=False, years=lead.enterprise.years_in_business(),
    )  # fmt: skip
    fields: dict[str, Any] = {"grade": facts.grade or "", "pd": facts.pd, "score": facts.score}
    if j is None:  # the product is no longer live: keep its rank, nothing to compute from
        fields.update(likelihood=0.0, expected_value=0.0)
        return fields
    result = engine.match([matcher.need_row(lead.need, facts)], table, approval=approval_model_in_use())
    fields.update(
        likelihood=float(result.likelihood[0, j]) if score else 0.0,
        expected_value=float(result.expected_value[0, j]) if score else 0.0,
        bank_score=float(result.bank_score[0, j]),
    )
    return fields


def enterprise_judgements_refresh(enterprise_id: int) -> int:
    """After a consent or record change: every lead of the enterprise, any bank."""
    leads = Lead.objects.filter(enterprise_id=enterprise_id).exclude(status=LeadStatus.WITHDRAWN)
    return lead_judgements_refresh(list(leads.select_related("need", "enterprise", "institution")))


def judgements_expire(at: datetime | None = None) -> int:
    """Clear judgements whose authorizations ran out (or were revoked) since computed.

    Run by the deadline clock; reads never wait for it (they check for themselves).
    """
    at = at or timezone.now()
    judged = (
        Lead.objects.exclude(judgement_basis="")
        .filter(
            Q(judgement_until__lte=at)
            | Q(enterprise__authorizations__expires_at__lte=at)
            | Q(enterprise__authorizations__revoked_at__lte=at)  # a refresh on revocation that failed
        )
        .values_list("pk", "enterprise_id", "institution_id", "status", "judgement_basis")
        .distinct()
    )
    keys = [LeadKey(*row) for row in judged]
    coverage = coverage_for_leads(keys, at)
    enterprise_ids = {k.enterprise_id for k in keys if not coverage[k.id].visible}
    return sum(enterprise_judgements_refresh(pk) for pk in sorted(enterprise_ids))
