"""Reads of needs, leads and applications, always scoped to who is asking."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import AnonymousUser
from django.db.models import Case, Exists, F, OuterRef, Q, QuerySet, When

from loanhub.accounts.models import User
from loanhub.enterprises.models import Enterprise

if TYPE_CHECKING:
    from django.db.models.expressions import Combinable

    from .models import FinancingNeed, Lead


def application_list_for_user(*, user: User | AnonymousUser) -> QuerySet[Lead]:
    """Applications (leads) of the enterprises ``user`` belongs to, not withdrawn."""
    from .models import Lead, LeadStatus

    if not user.is_authenticated or not user.is_sme:
        return Lead.objects.none()
    return (
        Lead.objects.filter(enterprise__memberships__user=user)
        .exclude(status=LeadStatus.WITHDRAWN)
        .select_related("enterprise", "product")
        .order_by("-created_at")
    )


# ----------------------------------------------------------------- needs and leads


def need_list_for_enterprise(*, enterprise: Enterprise) -> QuerySet:
    from .models import FinancingNeed

    return FinancingNeed.objects.filter(enterprise=enterprise).prefetch_related("leads").order_by("-created_at")


def need_list_for_member(*, user: User) -> QuerySet:
    """Needs of every enterprise the SME user belongs to (the API's list)."""
    from .models import FinancingNeed

    if not user.is_authenticated or not user.is_sme:
        return FinancingNeed.objects.none()
    return (
        FinancingNeed.objects.filter(enterprise__memberships__user=user)
        .select_related("enterprise")
        .order_by("-created_at", "-pk")
    )


def lead_list_for_member(*, user: User) -> QuerySet:
    """Leads (applications) of every enterprise the SME user belongs to, with timelines."""
    from .models import Lead

    if not user.is_authenticated or not user.is_sme:
        return Lead.objects.none()
    return (
        Lead.objects.filter(enterprise__memberships__user=user)
        .select_related("product", "institution", "enterprise").prefetch_related("events")
        .order_by("-created_at", "-pk")
    )  # fmt: skip


def lead_timeline(*, need: FinancingNeed) -> list[Lead]:
    """The need's leads with their events, for the SME."""
    leads = list(
        need.leads.select_related("product", "institution")
        .prefetch_related("events", "messages__sender")
        .order_by("created_at", "pk")
    )
    return leads


def institution_ids_engaged_with(*, enterprise: Enterprise) -> list[int]:
    """Institutions holding a lead (or a direct application) of this enterprise."""
    from .models import Lead

    ids = set(Lead.objects.filter(enterprise=enterprise).values_list("institution_id", flat=True))
    return sorted(ids)


def amount_implausible() -> Q:
    """Leads whose approved or disbursed amount lies outside their product's amount range, or
    whose disbursement exceeds the approval (recorded before these were refused): a unit slip
    (150 元 for 150万) that statistics and scorecards leave out of their sums."""
    flagged = Q(disbursed_amount__gt=F("approved_amount"))
    for field in ("approved_amount", "disbursed_amount"):
        flagged |= Q(**{f"{field}__lt": F("product__amount_min")}) | Q(**{f"{field}__gt": F("product__amount_max")})
    return flagged


OPEN_STATUSES = ("new", "claimed", "in_review")
LEAD_SORTS: dict[str, tuple[str | Combinable, ...]] = {
    "rank": ("-bank_score", "pk"),
    "newest": ("-created_at", "-pk"),
    "amount": ("-need__amount", "pk"),
    # The clock the lead waits on: claiming while new, the decision once claimed; closed leads last.
    "deadline": (
        Case(
            When(status="new", then=F("claim_deadline")),
            When(status__in=("claimed", "in_review"), then=F("decision_deadline")),
            default=None,
        ).asc(nulls_last=True),
        "pk",
    ),
}


def lead_list_for_staff(*, user: User, filters: dict | None = None) -> QuerySet:
    """A bank's own leads, ranked by risk-adjusted value and fit; never another bank's."""
    from loanhub.institutions.selectors import institution_for_user

    from .models import Lead

    institution = institution_for_user(user=user)
    if institution is None:
        return Lead.objects.none()
    qs = Lead.objects.filter(institution=institution).select_related(
        "need", "product", "enterprise", "claimed_by", "institution"
    )
    return _filter_leads(qs, filters or {})


def _filter_leads(qs: QuerySet, filters: dict) -> QuerySet:
    status = filters.get("status")
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status == "overdue":
        qs = qs.filter(is_overdue=True)
    elif status:
        qs = qs.filter(status=status)
    if filters.get("overdue"):
        qs = qs.filter(is_overdue=True)
    if filters.get("product"):
        qs = qs.filter(product_id=filters["product"])
    if filters.get("grade"):
        # Only judgements the bank may still see: a live authorization covers its bank
        # (judgements.py checks the exact basis and purpose on read).
        qs = qs.filter(grade=filters["grade"]).exclude(judgement_basis="").filter(Exists(_live_cover()))
    if filters.get("region"):
        qs = qs.filter(enterprise__region__startswith=str(filters["region"]).rstrip("0") or "")
    if filters.get("amount_min"):
        qs = qs.filter(need__amount__gte=filters["amount_min"])
    if filters.get("amount_max"):
        qs = qs.filter(need__amount__lte=filters["amount_max"])
    if filters.get("mine"):
        qs = qs.filter(claimed_by_id=filters["mine"])
    if filters.get("officer"):
        qs = qs.filter(claimed_by_id=filters["officer"])
    if filters.get("due") == "today":
        qs = qs.filter(_due_today())
    if filters.get("q"):
        qs = qs.filter(enterprise__name__icontains=filters["q"])
    return qs.order_by(*LEAD_SORTS.get(filters.get("sort") or "rank", LEAD_SORTS["rank"]))


def _due_today() -> Q:
    """Open leads whose current clock (claim for new leads, decision once claimed) ends today
    and has not yet run out."""
    from django.utils import timezone

    from .models import LeadStatus

    now = timezone.localtime()
    end = now.replace(hour=23, minute=59, second=59, microsecond=999999)
    return Q(is_overdue=False) & (
        Q(status=LeadStatus.NEW, claim_deadline__gt=now, claim_deadline__lte=end)
        | Q(status__in=(LeadStatus.CLAIMED, LeadStatus.IN_REVIEW), decision_deadline__gt=now,
            decision_deadline__lte=end)
    )  # fmt: skip


# The officer's home page: each count is the size of the workbench list its link opens.
OFFICER_HOME_FILTERS: dict[str, dict[str, str]] = {
    "new": {"status": "new"},
    "due_today": {"status": "open", "due": "today"},
    "overdue": {"status": "open", "overdue": "1"},
    "mine": {"status": "open", "mine": "1"},
}


def lead_home_counts(*, user: User) -> dict[str, int]:
    """Counts for the officer's home page, keyed as ``OFFICER_HOME_FILTERS``."""
    counts = {}
    for key, query in OFFICER_HOME_FILTERS.items():
        filters: dict = {**query}
        if filters.get("mine"):
            filters["mine"] = user.pk
        counts[key] = lead_list_for_staff(user=user, filters=filters).count()
    return counts


def team_load(*, user: User) -> list[dict]:
    """Per officer of the manager's bank: open leads in hand and how many of them are overdue."""
    from django.db.models import Count

    from loanhub.institutions.models import InstitutionMembership
    from loanhub.institutions.selectors import institution_for_user

    from .models import Lead, LeadStatus

    institution = institution_for_user(user=user)
    if institution is None:
        return []
    load: dict[int, dict[str, int]] = {
        row["claimed_by"]: {"open": row["open"], "overdue": row["overdue"]}
        for row in Lead.objects.filter(institution=institution, status__in=(LeadStatus.CLAIMED, LeadStatus.IN_REVIEW))
        .values("claimed_by")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(is_overdue=True)))
    }
    members = InstitutionMembership.objects.filter(institution=institution).select_related("user")
    rows = [
        {"user": m.user, "role": m.get_role_display(), "open": load.get(m.user_id, {}).get("open", 0),
         "overdue": load.get(m.user_id, {}).get("overdue", 0)}
        for m in members
    ]  # fmt: skip
    return sorted(rows, key=lambda r: (-r["overdue"], -r["open"], str(r["user"])))


def lead_region_choices(*, user: User) -> list[tuple[str, str]]:
    """Cities (code, name) of the enterprises behind the bank's leads, for the region filter."""
    from loanhub.enterprises.catalogs import region_name

    regions = lead_list_for_staff(user=user).order_by().values_list("enterprise__region", flat=True).distinct()
    codes = {code[:4] + "00" for code in regions}
    return sorted(((code, region_name(code)) for code in codes if code), key=lambda c: c[0])


def _live_cover() -> QuerySet:
    from loanhub.consent.models import Authorization, GranteeType

    return Authorization.objects.live().filter(
        Q(grantee_type=GranteeType.INSTITUTION, institution_id=OuterRef("institution_id"))
        | Q(grantee_type=GranteeType.APPLIED),
        enterprise_id=OuterRef("enterprise_id"),
    )


def lead_get_for_staff(*, user: User, pk: int) -> Lead | None:
    return lead_list_for_staff(user=user).filter(pk=pk).first()
