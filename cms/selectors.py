"""Reads of the portal: live products (also as a pandas frame), zones, news, statistics."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd
from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import translation
from taggit.models import Tag
from wagtail.query import PageQuerySet

from loanhub.enterprises.models import Enterprise
from loanhub.institutions.models import FinancialInstitution

from .choices import Collateral, ProductType
from .models import (
    FinancingProductPage,
    InstitutionIndexPage,
    InstitutionPage,
    NewsIndexPage,
    NewsPage,
    ProductIndexPage,
    ProductTag,
    ZoneIndexPage,
    ZonePage,
)

SORTS = {
    "newest": ("-first_published_at", "-pk"),
    "rate": ("rate_min", "rate_max", "pk"),
    "amount": ("-amount_max", "pk"),
}

FRAME_COLUMNS = [
    "id", "title", "url_path", "institution_id", "institution_name", "product_type",
    "amount_min", "amount_max", "term_min_months", "term_max_months", "rate_min",
    "rate_max", "repayment_methods", "collateral", "eligible_regions",
    "eligible_industries", "min_years_in_business", "min_grade", "max_pd",
    "required_categories", "tags", "is_open", "first_published_at",
]  # fmt: skip


def product_live_queryset() -> PageQuerySet:
    """Products that are published and visible to everyone."""
    return FinancingProductPage.objects.live().public()


def region_covers(eligible: Sequence[str] | None, code: str) -> bool:
    """Does a product's region list cover an enterprise's 6-digit region code?

    Empty means anywhere; ``xxxx00`` covers its city, ``xx0000`` its province.
    """
    if not eligible:
        return True
    return bool({code, code[:4] + "00", code[:2] + "0000"} & set(eligible))


# ------------------------------------------------------------- institutions


def _institution_by_parent_path() -> dict[str, FinancialInstitution]:
    pages = InstitutionPage.objects.select_related("institution").only("path", "institution")
    return {page.path: page.institution for page in pages}


def attach_institutions(products: Iterable[FinancingProductPage]) -> list:
    """Set each product's ``institution`` from one query instead of two per product."""
    products = list(products)
    by_path = _institution_by_parent_path()
    for product in products:
        product.__dict__["_institution"] = by_path.get(product.path[: -FinancingProductPage.steplen])
    return products


def institution_page_list() -> list[InstitutionPage]:
    pages = list(
        InstitutionPage.objects.live()
        .public()
        .select_related("institution")
        .filter(institution__is_active=True)
        .order_by("institution__name")
    )
    counts = product_count_by_institution()
    for page in pages:
        page.product_count = counts.get(page.institution_id, 0)
    return pages


def product_count_by_institution() -> dict[int, int]:
    by_path = _institution_by_parent_path()
    counts: dict[int, int] = {}
    for path in product_live_queryset().values_list("path", flat=True):
        institution = by_path.get(path[: -FinancingProductPage.steplen])
        if institution is not None:
            counts[institution.pk] = counts.get(institution.pk, 0) + 1
    return counts


def product_list_for_institution_page(*, page: InstitutionPage) -> list:
    products = list(product_live_queryset().child_of(page).order_by("-first_published_at"))
    for product in products:
        product.__dict__["_institution"] = page.institution
    return products


def product_choices_for_institution(*, institution: FinancialInstitution) -> list[tuple[int, str]]:
    """(id, title) of every product page under the institution's page, live or not
    (a lead may name a product that has since been unpublished), by title."""
    page = InstitutionPage.objects.filter(institution=institution).first()
    if page is None:
        return []
    return sorted(FinancingProductPage.objects.child_of(page).values_list("id", "title"), key=lambda c: c[1])


# ------------------------------------------------------------------ products


@dataclass(frozen=True)
class ProductFilters:
    q: str = ""
    product_type: str = ""
    amount: Decimal | None = None  # 元: the amount an enterprise needs
    term: int | None = None  # months it needs
    bank: str = ""  # institution slug
    region: str = ""  # 6-digit code of where the enterprise is
    zone: str = ""  # zone tag
    rate: Decimal | None = None  # highest annual rate (%) acceptable
    sort: str = "newest"
    open_only: bool = False  # hide paused products (暂停申请); the portal's default


def product_search(*, filters: ProductFilters) -> list[FinancingProductPage]:
    """Live products matching every given filter, sorted; institutions attached."""
    qs = product_live_queryset()
    if filters.open_only:
        qs = qs.filter(is_open=True)
    if filters.product_type:
        qs = qs.filter(product_type=filters.product_type)
    if filters.amount is not None:
        qs = qs.filter(amount_min__lte=filters.amount, amount_max__gte=filters.amount)
    if filters.term is not None:
        qs = qs.filter(term_min_months__lte=filters.term, term_max_months__gte=filters.term)
    if filters.rate is not None:
        qs = qs.filter(rate_min__lte=filters.rate)
    if filters.bank:
        qs = _filter_bank(qs, filters.bank)
    if filters.zone:
        qs = qs.filter(pk__in=_tagged_product_ids(filters.zone))
    if filters.q:
        qs = qs.filter(pk__in=_search_ids(filters.q))
    if filters.region:
        qs = qs.filter(pk__in=_region_ids(qs, filters.region))
    qs = qs.order_by(*SORTS.get(filters.sort, SORTS["newest"]))
    return attach_institutions(qs)


def _filter_bank(qs: PageQuerySet, slug: str) -> PageQuerySet:
    page = InstitutionPage.objects.filter(institution__slug=slug).first()
    return qs.child_of(page) if page else qs.none()


def _tagged_product_ids(tag: str) -> QuerySet:
    return ProductTag.objects.filter(tag__name=tag).values("content_object_id")


def _search_ids(q: str) -> list[int]:
    """Products matching every word of ``q`` (words are split on spaces)."""
    found: set[int] | None = None
    for term in q.split() or [q]:
        ids = _term_ids(term)
        found = ids if found is None else found & ids
    return sorted(found or ())


def _term_ids(term: str) -> set[int]:
    """Wagtail search, plus substring matches for Chinese on what people search by.

    The database search backend splits words on spaces, which Chinese text has
    none of, so "信用" alone would not find "信用贷款"; and people search by the
    product type (信用贷), the zone or tag (绿色), the collateral or the bank, which
    are choice labels and related rows rather than text of the page.
    """
    try:
        with transaction.atomic():  # a savepoint: PostgreSQL aborts on a failed query
            found = {page.pk for page in product_live_queryset().search(term)}
    except DatabaseError:
        # SQLite's full-text syntax refuses some input (an unbalanced quote):
        # the substring match below still answers.
        found = set()
    text = Q(title__icontains=term) | Q(summary__icontains=term)
    types = _choice_values(ProductType.choices, term)
    text |= Q(product_type__in=types)
    if ProductType.CREDIT in types:
        # 信用贷 means a loan without collateral or guarantee, whatever else the product is
        # (a first loan or a supply-chain loan without collateral is one too).
        text |= Q(collateral=Collateral.NONE)
    # 抵押, 质押, 担保 find the products secured that way (not 无需抵押担保, which names them too).
    secured = [(value, label) for value, label in Collateral.choices if value != Collateral.NONE]
    text |= Q(collateral__in=_choice_values(secured, term))
    text |= Q(pk__in=ProductTag.objects.filter(tag__name__in=_tag_names(term)).values("content_object_id"))
    for path in _bank_page_paths(term):
        text |= Q(path__startswith=path)
    found.update(product_live_queryset().filter(text).values_list("pk", flat=True))
    return found


def _labels(label: object) -> set[str]:
    """A choice label in the page's language and in Chinese (the labels' source)."""
    with translation.override(settings.LANGUAGE_CODE):
        source = str(label)
    return {str(label).lower(), source.lower()}


def _choice_values(choices: Iterable[tuple[str, object]], term: str) -> list[str]:
    """Values whose label contains the term, or is contained in it (信用贷款 → 信用贷)."""
    term = term.lower()
    return [
        value
        for value, label in choices
        if any(term in text or (len(text) >= 2 and text in term) for text in _labels(label))
    ]


def _tag_names(term: str) -> list[str]:
    """Tags whose name contains the term, and the tags of zones whose title does."""
    names = set(Tag.objects.filter(name__icontains=term).values_list("name", flat=True))
    names.update(ZonePage.objects.live().filter(title__icontains=term).values_list("tag", flat=True))
    return sorted(names)


def _bank_page_paths(term: str) -> list[str]:
    banks = Q(institution__name__icontains=term) | Q(institution__short_name__icontains=term) | Q(title__icontains=term)
    return list(InstitutionPage.objects.filter(banks).values_list("path", flat=True))


def _region_ids(qs: QuerySet, region: str) -> list[int]:
    # JSON containment differs between SQLite and PostgreSQL; the lists are short.
    return [pk for pk, regions in qs.values_list("pk", "eligible_regions") if region_covers(regions, region)]


def product_get_many(*, ids: Sequence[int]) -> list[FinancingProductPage]:
    """Live products in the order asked for (for side-by-side comparison)."""
    by_pk = {p.pk: p for p in attach_institutions(product_live_queryset().filter(pk__in=ids))}
    return [by_pk[pk] for pk in ids if pk in by_pk]


def product_featured(*, limit: int = 6) -> list[FinancingProductPage]:
    qs = product_live_queryset().filter(is_open=True).order_by("-first_published_at")
    return attach_institutions(qs[:limit])


def product_list_for_zone(*, tag: str) -> list[FinancingProductPage]:
    qs = product_live_queryset().filter(pk__in=_tagged_product_ids(tag))
    return attach_institutions(qs.order_by("-is_open", "rate_min", "pk"))


def product_frame() -> pd.DataFrame:
    """Every live product as one row, for the vectorized matching engine.

    Amounts and rates are floats, ``max_pd`` is NaN when not set, list columns hold
    Python lists (empty = no restriction), ``tags`` lists the zone tags.
    """
    rows = list(
        product_live_queryset().values(
            "id", "title", "url_path", "path", "product_type", "amount_min",
            "amount_max", "term_min_months", "term_max_months", "rate_min",
            "rate_max", "repayment_methods", "collateral", "eligible_regions",
            "eligible_industries", "min_years_in_business", "min_grade", "max_pd",
            "required_categories", "is_open", "first_published_at",
        )
    )  # fmt: skip
    if not rows:
        return pd.DataFrame(columns=FRAME_COLUMNS)
    by_path = _institution_by_parent_path()
    tags = _tags_by_product([row["id"] for row in rows])
    for row in rows:
        institution = by_path.get(row.pop("path")[: -FinancingProductPage.steplen])
        row["institution_id"] = institution.pk if institution else None
        row["institution_name"] = institution.name if institution else ""
        row["tags"] = tags.get(row["id"], [])
    frame = pd.DataFrame(rows, columns=FRAME_COLUMNS)
    for column in ("amount_min", "amount_max", "rate_min", "rate_max",
                   "min_years_in_business", "max_pd"):  # fmt: skip
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    return frame


def _tags_by_product(ids: list[int]) -> dict[int, list[str]]:
    tags: dict[int, list[str]] = {}
    pairs = ProductTag.objects.filter(content_object_id__in=ids).values_list("content_object_id", "tag__name")
    for product_id, name in pairs.order_by("tag__name"):
        tags.setdefault(product_id, []).append(name)
    return tags


# ------------------------------------------------------------ zones and news


def zone_list() -> QuerySet[ZonePage]:
    return ZonePage.objects.live().public().order_by("path")


def zone_choices() -> list[tuple[str, str]]:
    return [(zone.tag, zone.title) for zone in zone_list()]


def news_list(*, category: str | None = None) -> QuerySet[NewsPage]:
    qs = NewsPage.objects.live().public().order_by("-date", "-pk")
    return qs.filter(category=category) if category else qs


def news_latest(*, limit: int = 5) -> QuerySet[NewsPage]:
    return news_list()[:limit]


# --------------------------------------------------------------------- home


def portal_statistics() -> dict[str, int]:
    """Headline figures from real rows (no invented numbers)."""
    from loanhub.matching.models import Lead, LeadStatus

    return {
        "enterprises": Enterprise.objects.count(),
        "products": product_live_queryset().count(),
        "institutions": FinancialInstitution.objects.filter(is_active=True).count(),
        "applications": Lead.objects.exclude(status=LeadStatus.WITHDRAWN).count(),
        "approved": Lead.objects.filter(status__in=(LeadStatus.APPROVED, LeadStatus.DISBURSED)).count(),
    }


def portal_links() -> dict[str, str | None]:
    """URLs of the section index pages (None when a section is not set up)."""
    links = {}
    for key, model in (
        ("products", ProductIndexPage),
        ("institutions", InstitutionIndexPage),
        ("news", NewsIndexPage),
        ("zones", ZoneIndexPage),
    ):
        page = model.objects.live().first()
        links[key] = page.url if page else None
    return links


def bank_choices() -> list[tuple[str, str]]:
    return list(
        InstitutionPage.objects.live()
        .filter(institution__is_active=True)
        .order_by("institution__name")
        .values_list("institution__slug", "institution__short_name")
    )


def zone_tag_counts() -> dict[str, int]:
    return dict(
        ProductTag.objects.filter(content_object__in=product_live_queryset())
        .values_list("tag__name")
        .annotate(n=Count("id"))
    )
