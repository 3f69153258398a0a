"""POST data for the Wagtail admin's product create/edit forms."""

from __future__ import annotations

from decimal import Decimal

from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from cms.models import FinancingProductPage


def product_form_data(page: FinancingProductPage | None = None, **changes: object) -> dict:
    source = page or FinancingProductPage(
        title="新产品", slug="new-product", product_type="credit",
        amount_min=100000, amount_max=500000, term_min_months=6, term_max_months=12,
        rate_min=4, rate_max=5, repayment_methods=["equal_instalment"],
        collateral="none", min_years_in_business=1,
    )  # fmt: skip
    lists = {
        "repayment_methods": list(source.repayment_methods),
        "eligible_industries": list(source.eligible_industries or []),
        "required_categories": list(source.required_categories or []),
        "eligible_regions": list(source.eligible_regions or []),
    }
    data = {
        "title": source.title,
        "slug": source.slug,
        "summary": source.summary,
        "product_type": source.product_type,
        # The editor types 万元 (the page stores 元) and PD in per cent (stored as a fraction).
        "amount_min": str(Decimal(source.amount_min) / 10000),
        "amount_max": str(Decimal(source.amount_max) / 10000),
        "term_min_months": str(source.term_min_months),
        "term_max_months": str(source.term_max_months),
        "rate_min": str(source.rate_min),
        "rate_max": str(source.rate_max),
        "collateral": source.collateral,
        "min_years_in_business": str(source.min_years_in_business),
        "min_grade": source.min_grade or "",
        "max_pd": "" if source.max_pd is None else str(Decimal(source.max_pd) * 100),
        "materials": "\n".join(source.materials or []),
        "tags": "",
        "description": streamfield([]),
        "comments": inline_formset([]),
    }
    if source.is_open:
        data["is_open"] = "on"
    lists.update({k: v for k, v in changes.items() if k in lists})
    data.update({k: v for k, v in changes.items() if k not in lists})
    # Multiple-choice values stay lists (nested_form_data would number them).
    return {**nested_form_data(data), **lists}
