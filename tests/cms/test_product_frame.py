"""The matching engine's view of the products: one row per live product."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from cms.selectors import FRAME_COLUMNS, product_frame, region_covers
from tests.factories.cms import product_create


def test_frame_has_one_typed_row_per_live_product(bank_a_page, bank_b_page):
    a = product_create(
        bank_a_page, title="甲", rate_min=Decimal("3.45"), max_pd=Decimal("0.05"),
        eligible_regions=["440100"], tags=["绿色金融", "制造业"], min_grade="B",
    )  # fmt: skip
    b = product_create(bank_b_page, title="乙")
    product_create(bank_b_page, title="草稿", live=False)

    frame = product_frame().set_index("id")

    assert list(frame.reset_index().columns) == FRAME_COLUMNS
    assert set(frame.index) == {a.pk, b.pk}
    assert frame.loc[a.pk, "institution_id"] == bank_a_page.institution.pk
    assert frame.loc[b.pk, "institution_name"] == bank_b_page.institution.name
    assert frame["rate_min"].dtype == "float64" and frame.loc[a.pk, "rate_min"] == 3.45
    assert frame.loc[a.pk, "max_pd"] == 0.05 and math.isnan(frame.loc[b.pk, "max_pd"])
    assert frame.loc[a.pk, "eligible_regions"] == ["440100"]
    assert frame.loc[a.pk, "tags"] == ["制造业", "绿色金融"]
    assert frame.loc[b.pk, "tags"] == []
    assert frame.loc[a.pk, "min_grade"] == "B"


def test_empty_frame_still_has_the_columns(portal):
    frame = product_frame()
    assert frame.empty and list(frame.columns) == FRAME_COLUMNS


@pytest.mark.parametrize(
    ("eligible", "code", "covered"),
    [
        ([], "440106", True),
        (["440106"], "440106", True),
        (["440100"], "440106", True),
        (["440000"], "440106", True),
        (["440300"], "440106", False),
        (["450000"], "440106", False),
        (["440106"], "440100", False),  # a county does not cover its whole city
    ],
)
def test_region_covers(eligible, code, covered):
    assert region_covers(eligible, code) is covered
