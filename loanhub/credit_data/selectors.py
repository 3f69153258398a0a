"""Reads of the record store, always through a viewer's scope.

``credit_profile_for_viewer`` is the one door through which anyone outside an
enterprise sees its records: it applies the live authorization's categories and
date range, the counting rules (repair, expiry, 5-year rule, objections) and writes
the access log.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from loanhub.accounts.models import User
from loanhub.consent.exceptions import NotAuthorized
from loanhub.consent.models import Channel
from loanhub.consent.selectors import Scope, viewer_scope
from loanhub.consent.services import access_log_record
from loanhub.enterprises.models import Enterprise

from .catalog import CATEGORIES
from .models import CreditRecord, ImportBatch, ImportStatus
from .rules import dishonest_listing_live, record_counts


@dataclass
class CategoryRecords:
    code: str
    name: str
    sensitive: bool
    records: list[CreditRecord] = field(default_factory=list)
    authorized: bool = True


@dataclass
class CreditProfile:
    enterprise: Enterprise
    scope: Scope
    on: date
    sections: list[CategoryRecords]
    dishonest_knockout: bool
    history: list[CreditRecord] = field(default_factory=list)  # own view: no longer counting

    @property
    def record_count(self) -> int:
        return sum(len(s.records) for s in self.sections)


def records_for_enterprise(*, uscc: str) -> QuerySet[CreditRecord]:
    return CreditRecord.objects.filter(uscc=uscc).order_by("category", "-record_date", "pk")


def credit_profile_for_viewer(
    *,
    viewer: User,
    enterprise: Enterprise,
    channel: str = Channel.PORTAL,
    purpose: str | None = None,
    detail: str = "",
    purposes: Collection[str] | None = None,
) -> CreditProfile:
    """The enterprise's credit data as ``viewer`` may see it; logs outside reads.

    ``purposes``: only artefacts signed for these purposes count (an outside viewer).
    Raises NotAuthorized when the viewer may see nothing.
    """
    scope = viewer_scope(user=viewer, enterprise=enterprise, purposes=purposes)
    if scope is None or not scope.categories:
        raise NotAuthorized
    on = timezone.localdate()
    sections = OrderedDict(
        (c.code, CategoryRecords(c.code, str(c.name), c.sensitive, authorized=c.code in scope.categories))
        for c in CATEGORIES
    )
    history = []
    knockout = False
    for record in records_for_enterprise(uscc=enterprise.uscc):
        if not scope.allows(record.category, record.record_date):
            continue
        if dishonest_listing_live(record, on):
            knockout = True
        if record_counts(record, on):
            sections[record.category].records.append(record)
        elif scope.is_own:
            history.append(record)
    if not scope.is_own:
        _log_read(viewer, enterprise, scope, channel, purpose, detail)
    visible = [s for s in sections.values() if s.authorized]
    return CreditProfile(enterprise, scope, on, visible, knockout, history)


def _log_read(
    viewer: User, enterprise: Enterprise, scope: Scope, channel: str, purpose: str | None, detail: str
) -> None:
    artefact = scope.authorizations[0] if scope.authorizations else None
    access_log_record(
        enterprise=enterprise,
        user=viewer,
        institution=scope.institution,
        authorization=artefact,
        categories=list(scope.categories),
        purpose=purpose or (artefact.purpose if artefact else "platform"),
        channel=channel,
        detail=detail,
    )


def import_batch_list(*, include_empty: bool = True) -> QuerySet[ImportBatch]:
    """Import batches, newest first; ``include_empty=False`` leaves out finished batches
    without a single row (a fetch that found nothing), which would bury the real imports."""
    qs = ImportBatch.objects.select_related("provider", "uploaded_by").order_by("-started_at")
    return qs if include_empty else qs.exclude(empty_batch_filter())


def empty_batch_filter() -> Q:
    return Q(rows_total=0, status=ImportStatus.DONE)
