from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from risk_models import catalog, sandbox
from risk_models.feature_dictionary import FEATURE_NAMES, FEATURES, feature_dictionary
from risk_models.features import build_features

AS_OF = pd.Timestamp("2025-06-30")
ONE = pd.DataFrame(
    {
        "uscc": ["91440100MA5XXXXX1A"],
        "registration_date": [pd.Timestamp("2015-01-01")],
        "registered_capital": [100.0],
        "industry": ["C"],
        "region": ["440100"],
    }
)


def penalty(
    decided: str,
    severity: str = "一般",
    repaired: str | None = None,
    corrected: str | None = None,
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "uscc": [ONE["uscc"][0]],
            "record_date": [pd.Timestamp(decided)],
            "issuer": ["市场监督管理局"],
            "severity": [severity],
            "fine_amount": [5000.0],
            "corrected_on": [pd.Timestamp(corrected) if corrected else pd.NaT],
            "repaired_on": [pd.Timestamp(repaired) if repaired else pd.NaT],
        }
    )


def counted(records: dict, as_of) -> float:
    return float(build_features(ONE, records, as_of)["penalty_count_36m"].iloc[0])


# -- leakage ---------------------------------------------------------------- #


def _shift_after(frame: pd.DataFrame, as_of: pd.Timestamp, days: int) -> pd.DataFrame:
    later = frame.head(50).copy()
    later["record_date"] = as_of + pd.Timedelta(days=days)
    return later


def test_records_dated_after_as_of_change_nothing(sandbox_data, current_features):
    as_of = pd.Timestamp("2025-03-31")
    base = build_features(sandbox_data.enterprises, sandbox_data.records, as_of)
    polluted = {
        code: pd.concat([frame, _shift_after(frame, as_of, 1 + i)], ignore_index=True)
        for i, (code, frame) in enumerate(sandbox_data.records.items())
    }
    after = build_features(sandbox_data.enterprises, polluted, as_of)
    pd.testing.assert_frame_equal(base, after)
    assert not base.equals(current_features)  # the later as-of does see more


def test_a_repair_dated_after_as_of_is_not_known_yet():
    records = {"penalty": penalty("2025-01-10", repaired="2025-07-01")}
    assert counted(records, "2025-06-30") == 1
    assert counted(records, "2025-07-01") == 0


# -- credit repair and the 5-year rule at period boundaries ----------------- #


def test_general_penalty_counts_for_one_year_from_decision():
    records = {"penalty": penalty("2024-07-01", "一般")}
    assert counted(records, "2025-06-30") == 1
    assert counted(records, "2025-07-01") == 0


def test_serious_penalty_counts_for_three_years_from_decision():
    records = {"penalty": penalty("2022-07-01", "严重")}
    assert counted(records, "2025-06-30") == 1
    assert counted(records, "2025-07-01") == 0


def test_minor_penalty_never_counts():
    records = {"penalty": penalty("2025-06-01", "轻微")}
    feats = build_features(ONE, records, AS_OF)
    assert feats["penalty_count_3m"].iloc[0] == 0
    assert feats["months_since_negative"].iloc[0] == 61


def test_repaired_penalty_stops_counting_on_the_repair_date():
    records = {"penalty": penalty("2025-01-10", "一般", repaired="2025-06-30")}
    assert counted(records, "2025-06-29") == 1
    assert counted(records, "2025-06-30") == 0


def test_penalty_on_the_as_of_day_counts():
    assert counted({"penalty": penalty("2025-06-30")}, "2025-06-30") == 1
    assert counted({"penalty": penalty("2025-06-30")}, "2025-06-29") == 0


def _case(filed: str, closed: str | None) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "uscc": [ONE["uscc"][0]],
            "record_date": [pd.Timestamp(filed)],
            "case_type": ["买卖合同纠纷"],
            "role": ["defendant"],
            "amount": [1e5],
            "status": ["closed" if closed else "open"],
            "closed_on": [pd.Timestamp(closed) if closed else pd.NaT],
        }
    )


def test_negative_information_older_than_five_years_is_excluded():
    records = {"judicial": _case("2019-01-15", closed="2020-07-01")}
    inside = build_features(ONE, records, "2025-06-30")
    outside = build_features(ONE, records, "2025-07-01")
    assert inside["months_since_negative"].iloc[0] == 60
    assert outside["months_since_negative"].iloc[0] == 61


def test_an_open_case_keeps_counting_and_a_later_closing_is_not_known():
    records = {"judicial": _case("2024-01-15", closed="2025-09-01")}
    feats = build_features(ONE, records, AS_OF)
    assert feats["judicial_open_defendant"].iloc[0] == 1
    assert feats["judicial_defendant_24m"].iloc[0] == 1
    assert feats["judicial_defendant_12m"].iloc[0] == 0


def test_dishonest_listing_is_live_until_removed():
    frame = pd.DataFrame(
        {
            "uscc": [ONE["uscc"][0]],
            "record_date": [pd.Timestamp("2024-03-01")],
            "listed_on": [pd.Timestamp("2024-03-01")],
            "removed_on": [pd.Timestamp("2025-06-30")],
            "issuer": ["中级人民法院"],
        }
    )
    before = build_features(ONE, {"dishonest_debtor": frame}, "2025-06-29")
    after = build_features(ONE, {"dishonest_debtor": frame}, "2025-06-30")
    assert before["dishonest_listed"].iloc[0] == 1
    assert after["dishonest_listed"].iloc[0] == 0
    assert after["dishonest_listings_60m"].iloc[0] == 1


# -- windows and trends ------------------------------------------------------ #


def test_window_counts_include_only_their_months():
    records = {
        "penalty": pd.concat(
            [
                penalty("2025-05-15", "严重"),
                penalty("2025-02-15", "严重"),
                penalty("2024-09-15", "严重"),
                penalty("2023-09-15", "严重"),
            ],
            ignore_index=True,
        )
    }
    row = build_features(ONE, records, AS_OF).iloc[0]
    assert [row[f"penalty_count_{w}m"] for w in (3, 6, 12, 24, 36)] == [1, 2, 3, 4, 4]
    assert row["penalty_serious_36m"] == 4
    assert row["penalty_fine_36m"] == 20000
    assert row["months_since_negative"] == 1


def test_headcount_trend_compares_last_quarter_with_a_year_before():
    months = pd.date_range("2023-07-31", "2025-06-30", freq="ME")
    headcount = np.where(months > pd.Timestamp("2024-06-30"), 20, 10)
    si = pd.DataFrame(
        {
            "uscc": ONE["uscc"][0],
            "record_date": months,
            "month": months,
            "headcount": headcount,
            "amount_paid": headcount * 1000.0,
            "arrears": 0.0,
        }
    )
    si.loc[si.index[-2], "arrears"] = 500.0
    row = build_features(ONE, {"social_insurance": si}, AS_OF).iloc[0]
    assert row["si_headcount_trend_12m"] == pytest.approx(1.0)
    assert row["si_headcount_trend_6m"] == pytest.approx(0.0)
    assert row["si_headcount_latest"] == 20
    assert row["si_arrears_months_6m"] == 1


def test_tax_grades_use_the_latest_published_ratings():
    ratings = pd.DataFrame(
        {
            "uscc": ONE["uscc"][0],
            "record_date": pd.to_datetime(["2023-04-20", "2024-04-20", "2025-04-20"]),
            "year": [2022, 2023, 2024],
            "grade": ["A", "A", "C"],
        }
    )
    row = build_features(ONE, {"tax_rating": ratings}, AS_OF).iloc[0]
    assert row["tax_grade_latest"] == catalog.TAX_GRADE_RANK["C"]
    assert row["tax_grade_worst_3y"] == catalog.TAX_GRADE_RANK["C"]
    assert row["tax_grade_a_years_3y"] == 2
    assert row["tax_grade_change"] == catalog.TAX_GRADE_RANK["C"] - 1
    early = build_features(ONE, {"tax_rating": ratings}, "2025-04-19").iloc[0]
    assert early["tax_grade_latest"] == 1


# -- robustness to database-shaped input -------------------------------------- #


def _as_database_rows(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.astype(object)
    for column in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[column]):
            out[column] = [None if pd.isna(v) else v.date() for v in frame[column]]
    return out


def test_object_dtypes_missing_and_empty_categories_give_the_same_features(sandbox_data, current_features):
    records = {code: _as_database_rows(f) for code, f in sandbox_data.records.items()}
    records["carbon"] = records["carbon"].iloc[0:0]
    del records["customs"]
    ent = _as_database_rows(sandbox_data.enterprises)
    got = build_features(ent, records, date(2025, 12, 31))
    expected = current_features.copy()
    expected["customs_grade"] = np.nan
    expected["carbon_intensity_latest"] = np.nan
    expected["carbon_rating_latest"] = np.nan
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


def test_no_records_at_all_still_gives_one_row_per_enterprise():
    feats = build_features(ONE, {}, AS_OF)
    assert list(feats.index) == list(ONE["uscc"])
    assert list(feats.columns) == list(FEATURE_NAMES)
    assert feats["penalty_count_12m"].iloc[0] == 0
    assert feats["firm_age_months"].iloc[0] == 125


def test_records_of_unknown_enterprises_are_ignored():
    stranger = penalty("2025-05-01").assign(uscc="91440300XXXXXXXXXX")
    assert counted({"penalty": stranger}, AS_OF) == 0


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        ((ONE.drop(columns="uscc"), {}, AS_OF), ValueError, "uscc"),
        ((ONE, {"penalties": pd.DataFrame()}, AS_OF), ValueError, "penalties"),
        ((ONE, {}, 20250630), TypeError, "as_of"),
        (([1, 2], {}, AS_OF), TypeError, "DataFrame"),
        ((pd.concat([ONE, ONE]), {}, AS_OF), ValueError, "duplicate"),
        (
            (ONE, {"penalty": pd.DataFrame({"uscc": ["x"]})}, AS_OF),
            ValueError,
            "record_date",
        ),
    ],
)
def test_bad_arguments_raise_actionable_errors(args, error, match):
    with pytest.raises(error, match=match):
        build_features(*args)


# -- the dictionary ----------------------------------------------------------- #


def test_feature_dictionary_documents_every_feature_in_both_languages():
    table = feature_dictionary()
    assert list(table["name"]) == list(FEATURE_NAMES)
    assert set(table["direction"]) <= {-1, 0, 1}
    for spec in FEATURES.values():
        assert spec.meaning_zh and spec.meaning_en and spec.text_zh and spec.text_en
        if spec.kind == "flag":
            assert spec.text_zh_no and spec.text_en_no


# -- a panel of (enterprise, as-of day) rows -------------------------------- #


def test_build_features_at_equals_one_build_per_day(sandbox_data: sandbox.SandboxData) -> None:
    """Each row as of its own day, in one pass: exactly what ``build_features`` gives for that day,
    including an enterprise on several rows and the repair/closing rules at each row's day."""
    from risk_models.features import build_features_at

    firms = sandbox_data.enterprises.head(60)
    days = [pd.Timestamp("2023-03-31"), pd.Timestamp("2024-02-29"), pd.Timestamp("2025-06-30")]
    rows = pd.concat([firms.iloc[i::3].assign(_day=day) for i, day in enumerate(days)] + [firms.head(10).assign(
        _day=days[0])], ignore_index=True)  # fmt: skip
    panel = build_features_at(rows.drop(columns="_day"), sandbox_data.records, list(rows["_day"]))
    assert list(panel.index) == list(rows["uscc"]) and list(panel.columns) == list(FEATURE_NAMES)
    for day in days:
        whole = build_features(firms, sandbox_data.records, day)
        mine = rows["_day"].to_numpy() == day
        # Values equal; dtypes may not: build_features can leave an all-empty sum as integers.
        pd.testing.assert_frame_equal(panel[mine], whole.loc[rows.loc[mine, "uscc"]], check_dtype=False)
    assert not panel.iloc[:20].equals(panel.iloc[-20:])  # the days differ: so do the rows


def test_build_features_at_needs_one_day_per_row() -> None:
    from risk_models.features import build_features_at

    with pytest.raises(ValueError, match="one day per row|days for"):
        build_features_at(ONE, {}, [AS_OF, AS_OF])
