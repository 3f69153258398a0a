"""Model selection: LightGBM settings against a logistic scorecard on shared folds; sized boosting."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from risk_models.model import CARD_FILE, MODEL_FILE, RiskModel
from risk_models.selection import SCREEN_FOLDS
from risk_models.training import MAX_ROUNDS, _round_cap, boosting_schedule, train


def _additive_book(n: int = 2500, seed: int = 0) -> pd.DataFrame:
    """Log-odds additive in a 300-level text column and two numbers: a scorecard's home ground."""
    rng = np.random.default_rng(seed)
    shops = np.array([f"S{i:03d}" for i in range(300)])
    effect = dict(zip(shops, rng.normal(0, 1.0, shops.size), strict=True))
    shop = rng.choice(shops, n)
    income = rng.normal(0, 1, n)
    age = rng.normal(0, 1, n)
    logit = -1.6 + pd.Series(shop).map(effect).to_numpy() - 0.8 * income + 0.4 * age
    bad = rng.random(n) < 1 / (1 + np.exp(-logit))
    return pd.DataFrame({"shop": shop, "income": income.round(3), "age": age.round(3), "bad": bad.astype(int)})


def _interaction_book(n: int = 2500, seed: int = 1) -> pd.DataFrame:
    """Risk only where two numbers have the same sign: no additive scorecard can see it."""
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=n), rng.normal(size=n)
    logit = np.where(a * b > 0, 1.0, -2.5)
    bad = rng.random(n) < 1 / (1 + np.exp(-logit))
    return pd.DataFrame(
        {"a": a.round(3), "b": b.round(3), "noise": rng.normal(size=n).round(3), "bad": bad.astype(int)}
    )


@pytest.fixture(scope="module")
def additive_model():
    return train(_additive_book(), "bad", cv=3, seed=0)


def test_a_logistic_scorecard_wins_on_an_additive_high_cardinality_book(additive_model):
    section = additive_model.card["selection"]
    assert additive_model.card["model_type"] == "logistic_scorecard"
    assert section["winner"].startswith("logistic_c") and section["winner_kind"] == "logistic"
    by_name = {c["name"]: c for c in section["candidates"]}
    assert {"lgb_default", "lgb_small_trees", "lgb_cat_regularised", "logistic_c0.1", "logistic_c1"} <= set(by_name)
    finalists = [c for c in section["candidates"] if c["folds_evaluated"] == 3]
    assert {c["kind"] for c in finalists} == {"lightgbm", "logistic"}
    assert all(c["folds_evaluated"] == SCREEN_FOLDS for c in section["candidates"] if c not in finalists)
    winner = by_name[section["winner"]]
    assert winner["cv_auc"] == max(c["cv_auc"] for c in finalists)
    assert additive_model.card["metrics"]["fold_aucs"] == pytest.approx(winner["fold_aucs"], abs=1e-6)
    runner_up = next(c for c in finalists if c is not winner)
    assert f"{winner['cv_auc']:.4f} against {runner_up['cv_auc']:.4f} for {runner_up['name']}" in section["reason"]


def test_the_logistic_winner_is_saved_as_json_and_scores_with_reasons(additive_model, tmp_path):
    folder = additive_model.save(tmp_path / "model")
    assert not (folder / MODEL_FILE).exists()  # nothing but JSON: coefficients live in the card
    card = json.loads((folder / CARD_FILE).read_text(encoding="utf-8"))
    assert card["logistic"]["features"][0]["coef"]
    loaded = RiskModel.load(folder)
    frame = _additive_book(300, seed=9).drop(columns="bad")
    frame.loc[frame.index[:5], "shop"] = "NEW-SHOP"  # unseen level: the missing/unseen attribute
    first, again = additive_model.score(frame, top_n=2), loaded.score(frame, top_n=2)
    pd.testing.assert_frame_equal(first, again)
    contrib = loaded._contrib(loaded.matrix(frame))
    np.testing.assert_allclose(contrib.sum(axis=1), loaded.predict_raw(frame), rtol=0, atol=1e-9)
    for i, reasons in enumerate(again["reasons"].head(50)):
        raising = [r for r in reasons if r["direction"] == "raises"]
        if raising:
            assert raising[0]["feature"] == loaded.feature_names[int(np.argmax(contrib[i, :-1]))]
    assert again["grade"].isin(list("ABCDE")).all()
    assert loaded.explain(frame.head(3), top_n=1)["text_en"].str.contains("=").all()


def test_lightgbm_wins_when_risk_lives_in_an_interaction():
    model = train(_interaction_book(), "bad", cv=3, seed=0)
    section = model.card["selection"]
    assert section["winner_kind"] == "lightgbm"
    assert model.card.get("model_type", "lightgbm") == "lightgbm" and model.booster is not None
    best_logistic = max(c["cv_auc"] for c in section["candidates"] if c["kind"] == "logistic")
    assert model.card["metrics"]["auc"] > best_logistic + 0.05


def test_without_selection_only_the_default_setting_is_trained():
    model = train(_interaction_book(800), "bad", cv=2, seed=0, select=False)
    assert [c["name"] for c in model.card["selection"]["candidates"]] == ["lgb_default"]
    assert model.booster is not None


def test_learning_rate_and_round_cap_grow_with_the_data():
    small, large = boosting_schedule(10_000), boosting_schedule(1_000_000)
    assert small == {"learning_rate": 0.05, "max_rounds": MAX_ROUNDS, "early_stopping_rounds": 50}
    assert large["learning_rate"] > 0.1
    # The boosting budget (rate x rounds) at 1M rows is over ten times the old fixed one (0.05 x 1,000).
    assert large["learning_rate"] * large["max_rounds"] >= 10 * 0.05 * 1000
    assert boosting_schedule(50_000_000)["learning_rate"] <= 0.2


def test_stopping_at_the_round_cap_is_recorded():
    params = {"learning_rate": 0.05}
    assert _round_cap(1000, 10_000, params) == {"max_rounds": 1000, "hit_round_cap": True}
    assert _round_cap(300, 10_000, params)["hit_round_cap"] is False
    assert _round_cap(1000, 1_000_000, params)["hit_round_cap"] is False


def test_selection_with_a_time_column_runs_on_in_time_rows_only():
    book = _additive_book(2400, seed=4)
    book["month"] = pd.date_range("2023-01-01", periods=24, freq="MS").repeat(100).strftime("%Y-%m-%d")
    model = train(book, "bad", time_col="month", seed=0)
    section, metrics = model.card["selection"], model.card["metrics"]
    assert section["folds"] == 3  # OOT_SELECTION_FOLDS on the in-time rows
    assert metrics["validation"] == "out_of_time" and metrics["n_oot"] == 600
    assert model.card.get("model_type", "lightgbm") == (
        "logistic_scorecard" if section["winner_kind"] == "logistic" else "lightgbm"
    )
    raw = model.predict_raw(book.drop(columns=["bad"]).tail(600))
    assert np.isfinite(raw).all()


def test_an_old_card_without_the_new_sections_still_loads_and_scores(tmp_path):
    model = train(_interaction_book(800), "bad", cv=2, seed=0, select=False)
    folder = model.save(tmp_path / "old")
    card = json.loads((folder / CARD_FILE).read_text(encoding="utf-8"))
    for key in ("selection", "calibration_selection", "model_type"):
        card.pop(key, None)
    card["grades"] = {"labels": list("ABCDE"), "cutoffs": card["grades"]["cutoffs"], "rule": "old"}
    (folder / CARD_FILE).write_text(json.dumps(card), encoding="utf-8")
    old = RiskModel.load(folder)
    scored = old.score(_interaction_book(200, seed=5).drop(columns="bad"), reasons=True)
    assert scored["grade"].isin(list("ABCDE")).all() and scored["reasons"].map(len).gt(0).all()
