"""万元 at the boundary: forms take 万元 and give 元, pages show 元 as 万元; PD as a percentage."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django import forms
from django.template import Context, Template

from loanhub.money import PercentField, WanYuanField, format_percent, format_wan, wan_to_yuan, yuan_to_wan


class AmountForm(forms.Form):
    amount = WanYuanField(label="批准金额（万元）", min_value=Decimal("0.01"))
    max_pd = PercentField(label="最高违约概率（%）", required=False)


def test_an_officer_typing_150_means_one_and_a_half_million_yuan():
    form = AmountForm({"amount": "150", "max_pd": "5"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["amount"] == Decimal("1500000.00")
    assert form.cleaned_data["max_pd"] == Decimal("0.0500")


@pytest.mark.parametrize(
    "yuan", [Decimal("1500000.00"), Decimal("123456.78"), Decimal("100.00"), Decimal("9876543210.01")]
)
def test_round_trip_stored_yuan_shown_in_wan_and_typed_back_gives_the_same_yuan(yuan):
    shown = AmountForm(initial={"amount": yuan})["amount"].value()
    again = AmountForm({"amount": shown}, initial={"amount": yuan})
    assert again.is_valid(), (shown, again.errors)
    assert again.cleaned_data["amount"] == yuan
    assert not again.has_changed()


def test_what_the_user_typed_is_shown_back_as_typed_not_divided_again():
    form = AmountForm({"amount": "150", "max_pd": "abc"})
    assert not form.is_valid()
    assert 'value="150"' in str(form["amount"])
    assert 'value="abc"' in str(form["max_pd"])


def test_the_initial_value_in_yuan_is_shown_in_wan():
    form = AmountForm(initial={"amount": Decimal("500000.00"), "max_pd": Decimal("0.0475")})
    assert 'value="50"' in str(form["amount"])
    assert 'value="4.75"' in str(form["max_pd"])


def test_a_percentage_above_100_is_refused_with_a_message():
    form = AmountForm({"amount": "1", "max_pd": "150"})
    assert not form.is_valid()
    assert form.errors["max_pd"] == ["百分比应在0到100之间。"]


def test_the_min_value_is_in_wan_as_the_user_reads_it():
    form = AmountForm({"amount": "0.001"})
    assert not form.is_valid() and "amount" in form.errors


@pytest.mark.parametrize(
    ("yuan", "shown"),
    [
        (1_500_000, "150"),
        (Decimal("12345678"), "1,234.57"),
        (100_000_000_000, "10,000,000"),
        (150, "0.015"),  # an absurd 150 元 stays visible, never "0"
        (0, "0"),
        (None, "—"),
    ],
)
def test_format_wan_uses_thousands_separators(yuan, shown):
    assert format_wan(yuan) == shown


def test_conversions_are_exact():
    assert yuan_to_wan("1500000") == Decimal(150)
    assert wan_to_yuan("0.0001") == Decimal("1.00")
    assert wan_to_yuan("") is None and yuan_to_wan("x") is None


def test_template_filters_show_wan_and_percent():
    html = Template("{% load money %}{{ a|wan }} 万元 · {{ pd|percent }}").render(
        Context({"a": Decimal("2500000.00"), "pd": 0.047})
    )
    assert html == "250 万元 · 4.7%"
    assert format_percent(None) == "—"
