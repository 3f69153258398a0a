from __future__ import annotations

import pandas as pd
import pytest

from risk_models import catalog, sandbox
from risk_models.uscc import is_valid


def test_same_seed_gives_identical_frames(sandbox_data):
    again = sandbox.generate(4000, seed=11)
    pd.testing.assert_frame_equal(again.enterprises, sandbox_data.enterprises)
    pd.testing.assert_frame_equal(again.loans, sandbox_data.loans)
    for code in catalog.CATEGORIES:
        pd.testing.assert_frame_equal(again.records[code], sandbox_data.records[code])


def test_another_seed_gives_other_enterprises(sandbox_data):
    other = sandbox.generate(4000, seed=12)
    assert not set(other.enterprises["uscc"]) & set(sandbox_data.enterprises["uscc"])


def test_every_catalog_category_has_records_with_uscc_and_dates(sandbox_data):
    as_of = pd.Timestamp(sandbox_data.as_of)
    for code in catalog.CATEGORIES:
        frame = sandbox_data.records[code]
        assert len(frame) > 0, code
        expected = {"uscc", "record_date", *catalog.RECORD_COLUMNS[code]}
        assert expected <= set(frame.columns), code
        assert pd.api.types.is_datetime64_any_dtype(frame["record_date"]), code
        assert frame["record_date"].max() <= as_of, code
        assert frame["uscc"].isin(sandbox_data.enterprises["uscc"]).all(), code


def test_monthly_series_cover_36_months(sandbox_data):
    si = sandbox_data.records["social_insurance"]
    assert si.groupby("uscc")["month"].nunique().max() == 36


def test_enterprises_have_valid_codes_with_their_region(sandbox_data):
    ent = sandbox_data.enterprises
    assert ent["uscc"].is_unique
    assert ent["uscc"].map(is_valid).all()
    assert (ent["uscc"].str[2:8] == ent["region"]).all()
    assert set(ent["region"]) <= {r.code for r in catalog.REGIONS}
    assert set(ent["industry"]) <= {i.code for i in catalog.INDUSTRIES}
    assert ent["name"].str.endswith("有限公司").all()


def test_everything_is_marked_synthetic(sandbox_data):
    assert sandbox_data.enterprises["synthetic"].all()
    assert (sandbox_data.enterprises["source"] == "sandbox").all()
    assert sandbox_data.loans["synthetic"].all()
    assert sandbox_data.meta["synthetic"] is True


def test_shares_match_the_design_ranges(sandbox_data):
    n = len(sandbox_data.enterprises)
    ratings = sandbox_data.records["tax_rating"]
    latest = ratings[ratings["year"] == ratings["year"].max()]
    share = latest["grade"].value_counts(normalize=True)
    assert 0.20 <= share["A"] <= 0.30
    assert 0.15 <= share["M"] <= 0.25
    assert share.get("C", 0) + share.get("D", 0) < 0.08
    pen = sandbox_data.records["penalty"]
    recent = pen["record_date"] > pd.Timestamp(sandbox_data.as_of) - pd.DateOffset(years=3)
    assert 0.01 <= pen.loc[recent, "uscc"].nunique() / n <= 0.08
    assert sandbox_data.records["dishonest_debtor"]["uscc"].nunique() / n < 0.02
    assert 0.03 <= sandbox_data.loans["defaulted"].mean() <= 0.08


def test_penalties_have_all_severities_and_repairs_after_decisions(sandbox_data):
    pen = sandbox_data.records["penalty"]
    assert set(pen["severity"]) == set(catalog.PENALTY_SEVERITIES)
    repaired = pen.dropna(subset=["repaired_on"])
    assert len(repaired) > 0
    assert (repaired["repaired_on"] > repaired["record_date"]).all()
    assert (pen.loc[pen["severity"] == "轻微", "repaired_on"].isna()).all()


def test_loans_have_a_known_twelve_month_outcome(sandbox_data):
    loans = sandbox_data.loans
    latest = pd.Timestamp(sandbox_data.as_of) - pd.DateOffset(months=12)
    assert loans["origination_date"].max() <= latest
    assert set(loans["defaulted"].unique()) == {0, 1}


def test_healthier_records_go_with_fewer_defaults(sandbox_data):
    ratings = sandbox_data.records["tax_rating"].sort_values("record_date")
    grade = ratings.groupby("uscc")["grade"].first()
    loans = sandbox_data.loans.assign(grade=lambda f: f["uscc"].map(grade))
    rate = loans.groupby("grade")["defaulted"].mean()
    assert rate["A"] < rate["B"] < rate["C"]


def test_write_and_read_round_trip(sandbox_data, tmp_path):
    small = sandbox.generate(200, seed=3)
    small.write(tmp_path)
    back = sandbox.read_sandbox(tmp_path)
    pd.testing.assert_frame_equal(back.enterprises[["uscc", "region"]], small.enterprises[["uscc", "region"]])
    assert len(back.records["penalty"]) == len(small.records["penalty"])
    assert back.records["social_insurance"]["record_date"].dtype.kind == "M"


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"n_enterprises": 0, "seed": 1}, ValueError),
        ({"n_enterprises": "10", "seed": 1}, TypeError),
        ({"n_enterprises": 10, "seed": -1}, ValueError),
        ({"n_enterprises": 10, "seed": 1, "as_of": "31/12/2025"}, ValueError),
    ],
)
def test_bad_arguments_raise_clear_errors(kwargs, error):
    with pytest.raises(error):
        sandbox.generate(**kwargs)
