"""Portal pages for tests: a home page, the section pages and valid products.

Wagtail pages live in a tree, so these are functions that add children rather
than factory_boy factories.
"""

from __future__ import annotations

from decimal import Decimal
from itertools import count

from wagtail.models import Page, Site

from cms.models import FinancingProductPage, HomePage, InstitutionPage, NewsPage, ZonePage
from cms.services import PortalStructure, institution_portal_setup, portal_structure_ensure
from loanhub.institutions.models import FinancialInstitution

_slugs = count(1)


def wagtail_root_ensure() -> None:
    """Transactional tests flush every table, Wagtail's tree root and locale included
    (its migrations made them); put them back before building pages."""
    from wagtail.models import Locale

    locale = Locale.objects.first() or Locale.objects.create(language_code="zh-hans")
    if Page.get_first_root_node() is None:
        Page.add_root(instance=Page(title="Root", slug="root", locale=locale))


def portal_create() -> PortalStructure:
    """A published HomePage as the default site's root, with every section page."""
    wagtail_root_ensure()
    home = HomePage.objects.first()
    if home is None:
        home = HomePage(title="LoanHub 信易贷", slug="loanhub-home")
        Page.get_first_root_node().add_child(instance=home)
        home.save_revision().publish()
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "port": 80, "root_page": home},
    )
    structure = portal_structure_ensure()
    assert structure is not None
    return structure


def institution_page_for(institution: FinancialInstitution) -> InstitutionPage:
    portal_create()
    page = institution_portal_setup(institution).page
    assert page is not None
    return page


def product_fields(**overrides: object) -> dict:
    fields = {
        "title": "测试信用贷",
        "product_type": "credit",
        "amount_min": Decimal("100000"),
        "amount_max": Decimal("1000000"),
        "term_min_months": 6,
        "term_max_months": 24,
        "rate_min": Decimal("3.45"),
        "rate_max": Decimal("4.20"),
        "repayment_methods": ["equal_instalment"],
        "collateral": "none",
        "eligible_regions": [],
        "eligible_industries": [],
        "min_years_in_business": Decimal("1"),
        "required_categories": ["registration"],
        "materials": ["营业执照"],
        "is_open": True,
    }
    fields.update(overrides)
    return fields


def product_create(
    parent: InstitutionPage,
    *,
    tags: list[str] | None = None,
    live: bool = True,
    **overrides: object,
) -> FinancingProductPage:
    """A valid product under a bank page, published unless ``live=False``."""
    fields = product_fields(**overrides)
    fields.setdefault("slug", f"product-{next(_slugs)}")
    page = FinancingProductPage(live=live, **fields)
    if tags:
        page.tags.add(*tags)
    parent.add_child(instance=page)
    revision = page.save_revision()
    if live:
        revision.publish()
    return FinancingProductPage.objects.get(pk=page.pk)


def zone_create(structure: PortalStructure, *, tag: str, slug: str, title: str) -> ZonePage:
    page = ZonePage(title=title, slug=slug, tag=tag, theme="green")
    structure.zones.add_child(instance=page)
    page.save_revision().publish()
    return page


def news_create(structure: PortalStructure, **fields: object) -> NewsPage:
    fields.setdefault("slug", f"news-{next(_slugs)}")
    page = NewsPage(**fields)
    structure.news.add_child(instance=page)
    page.save_revision().publish()
    return page
