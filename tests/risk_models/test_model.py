from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from risk_models.bundled import loan_features
from risk_models.explain import describe
from risk_models.feature_dictionary import FEATURES
from risk_models.model import RiskModel
from risk_models.scorecard import GRADES, pd_to_score
from risk_models.training import train

from .conftest import make_generic_loans

PENALTY_COLUMNS = [
    "penalty_count_3m",
    "penalty_count_6m",
    "penalty_count_12m",
    "penalty_count_24m",
    "penalty_count_36m",
    "penalty_general_12m",
    "negative_events_12m",
]


@pytest.fixture(scope="module")
def generic_model():
    return train(
        make_generic_loans(),
        "status",
        positive="bad",
        id_col="application_id",
        cv=3,
        seed=1,
    )


# -- the card ------------------------------------------------------------------ #


def test_card_records_metrics_hash_and_constraints(sandbox_model):
    card = sandbox_model.card
    for key in (
        "auc",
        "auc_std",
        "ks",
        "gini",
        "brier",
        "n_rows",
        "bad_rate",
        "calibration_table",
        "grades",
    ):
        assert key in card["metrics"], key
    assert card["metrics"]["validation"] == "out_of_time"
    assert len(card["training"]["data_hash"]) == 64
    by_name = {f["name"]: f for f in card["features"]}
    assert by_name["penalty_count_12m"]["direction"] == 1
    assert by_name["tax_grade_a_years_3y"]["direction"] == -1
    assert card["params"]["monotone_constraints"] == [f["direction"] for f in card["features"]]
    assert by_name["industry"]["type"] == "categorical"
    assert set(by_name["industry"]["levels"]) >= {"C", "F"}
    json.dumps(card, allow_nan=False)


def test_out_of_time_model_beats_chance_clearly(sandbox_model):
    assert sandbox_model.card["metrics"]["auc"] > 0.7


# -- monotone constraints ------------------------------------------------------ #


def test_adding_a_penalty_never_lowers_pd(sandbox_model, current_features):
    worse = current_features.copy()
    worse[PENALTY_COLUMNS] += 1
    worse["months_since_negative"] = 0
    before = sandbox_model.predict_pd(current_features)
    after = sandbox_model.predict_pd(worse)
    assert np.all(after >= before)
    assert np.mean(after > before) > 0.5


@pytest.mark.parametrize("direction", [1, -1])
def test_every_constrained_feature_moves_pd_only_its_way(sandbox_model, current_features, direction):
    sample = current_features.head(400)
    base = sandbox_model.predict_pd(sample)
    names = [n for n in sandbox_model.feature_names if FEATURES[n].direction == direction]
    for name in names:
        shifted = sample.copy()
        shifted[name] = shifted[name].fillna(0) + shifted[name].abs().max() + 1
        moved = sandbox_model.predict_pd(shifted) - sandbox_model.predict_pd(
            sample.assign(**{name: sample[name].fillna(0)})
        )
        assert np.all(direction * moved >= -1e-12), name
    assert base.size == 400


# -- round trip ----------------------------------------------------------------- #


def test_save_and_load_give_identical_scores_and_reasons(sandbox_model, current_features, tmp_path):
    sandbox_model.save(tmp_path / "m")
    loaded = RiskModel.load(tmp_path / "m")
    sample = current_features.head(300)
    a = sandbox_model.score(sample)
    b = loaded.score(sample)
    pd.testing.assert_frame_equal(a, b)
    assert loaded.card == sandbox_model.card
    assert {"model.txt", "model_card.json", "metrics.json"} <= {p.name for p in (tmp_path / "m").iterdir()}


def test_round_trip_keeps_categorical_levels(generic_model, tmp_path):
    generic_model.save(tmp_path / "g")
    loaded = RiskModel.load(tmp_path / "g")
    data = make_generic_loans(500, seed=9)
    data.loc[data.index[:5], "sector"] = "从未见过"  # an unseen level
    pd.testing.assert_frame_equal(generic_model.score(data), loaded.score(data))
    levels = {f["name"]: f.get("levels") for f in loaded.card["features"]}
    assert levels["sector"] == sorted(["零售", "制造", "餐饮", "物流", "软件", "建筑"])
    assert "application_id" not in levels


def test_categorical_codes_follow_the_level_names_not_the_row_order(generic_model):
    data = make_generic_loans(200, seed=4)
    shuffled = data.sample(frac=1.0, random_state=0)
    a = generic_model.score(data)["pd"]
    b = generic_model.score(shuffled)["pd"].loc[data.index]
    np.testing.assert_allclose(a.to_numpy(), b.to_numpy())


# -- calibration, score and grade ---------------------------------------------- #


def test_mean_pd_matches_the_bad_rate_on_the_holdout(sandbox_model):
    m = sandbox_model.card["metrics"]
    assert abs(m["mean_pd"] - m["observed_bad_rate"]) < 0.02
    table = m["calibration_table"]
    assert table[-1]["bad_rate"] > table[0]["bad_rate"]


def test_cross_validated_pd_is_calibrated_on_out_of_fold_rows(generic_model):
    m = generic_model.card["metrics"]
    assert m["validation"] == "stratified_kfold"
    assert len(m["fold_aucs"]) == 3
    assert abs(m["mean_pd"] - m["observed_bad_rate"]) < 0.01
    assert m["auc_std"] >= 0


def test_pd_is_monotone_in_score_and_scores_stay_in_range(sandbox_model, current_features):
    out = sandbox_model.score(current_features, reasons=False)
    ordered = out.sort_values("pd", kind="stable")
    assert ordered["score"].is_monotonic_decreasing
    assert out["score"].between(300, 900).all()
    assert set(out["grade"]) <= set(GRADES)
    assert len(set(out["grade"])) == 5


def test_grade_follows_the_card_cutoffs(sandbox_model, current_features):
    out = sandbox_model.score(current_features, reasons=False)
    cut = sandbox_model.card["grades"]["cutoffs"]
    assert (out.loc[out["score"] >= cut[0], "grade"] == "A").all()
    assert (out.loc[out["score"] < cut[3], "grade"] == "E").all()
    rank = out["grade"].map({g: i for i, g in enumerate(GRADES)})
    assert (rank.groupby(out["score"]).nunique() == 1).all()


def test_score_clamps_extreme_pds():
    assert pd_to_score(np.array([1e-9, 0.5, 1 - 1e-9])).tolist() == [900, 318, 300]


def test_fast_path_matches_the_full_path(sandbox_model, current_features):
    fast = sandbox_model.score(current_features, reasons=False)
    full = sandbox_model.score(current_features, reasons=True)
    pd.testing.assert_frame_equal(fast, full.drop(columns="reasons"))


def test_live_dishonest_listing_is_flagged_as_knockout(sandbox_model, current_features):
    out = sandbox_model.score(current_features, reasons=False)
    assert (out["knockout"] == (current_features["dishonest_listed"] > 0)).all()


# -- explanations -------------------------------------------------------------- #


def test_reasons_add_up_to_the_model_margin(sandbox_model, current_features):
    sample = current_features.head(50)
    contrib = sandbox_model.booster.predict(sandbox_model.matrix(sample), pred_contrib=True)
    np.testing.assert_allclose(contrib.sum(axis=1), sandbox_model.predict_raw(sample), rtol=1e-6)
    scored = sandbox_model.score(sample, top_n=3)
    for i, reasons in enumerate(scored["reasons"]):
        raising = [r for r in reasons if r["direction"] == "raises"]
        lowering = [r for r in reasons if r["direction"] == "lowers"]
        assert len(raising) <= 3 and len(lowering) <= 3
        assert all(r["contribution"] > 0 for r in raising)
        assert all(r["contribution"] < 0 for r in lowering)
        assert [r["contribution"] for r in raising] == sorted((r["contribution"] for r in raising), reverse=True)
        top = int(np.argmax(contrib[i, :-1]))
        if contrib[i, top] > 0:
            assert raising[0]["feature"] == sandbox_model.feature_names[top]


def test_penalty_reason_is_worded_with_its_count():
    zh, en = describe("penalty_general_12m", 2.0)
    assert zh == "近12个月行政处罚2次(一般)"
    assert en == "2 administrative penalties (general) in the last 12 months"
    assert describe("dishonest_listed", 0.0)[0] == "未列入失信被执行人名单"
    assert describe("tax_grade_latest", 1.0)[1] == "latest tax credit grade A"
    assert describe("tax_grade_latest", None)[1].endswith("no data")


def test_reason_texts_use_each_enterprise_value(sandbox_model, current_features):
    sample = current_features.head(100).copy()
    sample["si_arrears_months_24m"] = 7.0
    reasons = sandbox_model.explain(sample, top_n=len(sandbox_model.feature_names))
    assert reasons["code"].eq(reasons["feature"].str.upper()).all()
    arrears = reasons[reasons["feature"] == "si_arrears_months_24m"]
    assert len(arrears) > 0
    assert (arrears["text_zh"] == "近24个月社保欠缴7个月").all()
    for row in reasons.sample(50, random_state=0).itertuples():
        assert (row.text_zh, row.text_en) == describe(row.feature, row.value)


def test_reasons_of_a_generic_model_name_the_column(generic_model):
    data = make_generic_loans(20, seed=2)
    reasons = generic_model.explain(data, top_n=2)
    assert set(reasons["feature"]) <= {
        "sector",
        "city",
        "monthly_income",
        "debt_ratio",
        "collateral",
    }
    first = reasons.iloc[0]
    assert first["text_en"].startswith(first["feature"] + "=")


def test_missing_feature_column_is_named(sandbox_model, current_features):
    with pytest.raises(ValueError, match="tax_grade_latest"):
        sandbox_model.score(current_features.drop(columns="tax_grade_latest"))


# -- training arguments ---------------------------------------------------------- #


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"target": "nope"}, "nope"),
        ({"target": "status"}, "--positive"),
        ({"target": "status", "positive": "terrible"}, "terrible"),
        ({"target": "status", "positive": "bad", "cv": 1}, "cv"),
        ({"target": "status", "positive": "bad", "time_col": "when"}, "when"),
        (
            {"target": "status", "positive": "bad", "calibration": "magic"},
            "calibration",
        ),
    ],
)
def test_bad_training_arguments_raise_actionable_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        train(make_generic_loans(300), **kwargs)


def test_identifier_like_text_is_not_used_as_a_feature(generic_model):
    assert "application_id" not in generic_model.feature_names
    data = make_generic_loans(300).rename(columns={"application_id": "ref"})
    model = train(data, "status", positive="bad", cv=2, seed=0)
    assert "ref" in model.card["dropped_columns"]


def test_training_is_deterministic(generic_model):
    again = train(
        make_generic_loans(),
        "status",
        positive="bad",
        id_col="application_id",
        cv=3,
        seed=1,
    )
    # The selection may ship a LightGBM booster or a logistic scorecard (coefficients in the card).
    texts = [None if m.booster is None else m.booster.model_to_string() for m in (again, generic_model)]
    assert texts[0] == texts[1]
    assert again.card == generic_model.card


def test_loan_features_never_see_records_after_origination(sandbox_data):
    frame = loan_features(sandbox_data)
    assert len(frame) == len(sandbox_data.loans)
    latest_negative = frame["months_since_negative"]
    assert latest_negative.min() >= 0
    assert (frame["firm_age_months"] >= 5).all()
