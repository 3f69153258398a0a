"""The grade scale: cut-offs on the unclamped score, holdout checks, calibration chosen by CV."""

from __future__ import annotations

import numpy as np
import pytest

from risk_models.calibration import select_calibration
from risk_models.grades import INTENDED_SHARES, check_grades, grade_pd, grades_section, set_cutoffs
from risk_models.metrics import grade_table
from risk_models.report import format_card
from risk_models.scorecard import DEFAULT_SCORECARD, GRADES, grade_cutoffs, pd_to_score
from risk_models.training import stratified_folds, train
from tests.risk_models.conftest import make_generic_loans


def _risky_book(n: int = 20_000, seed: int = 0) -> np.ndarray:
    """PDs of a book where a third of applicants are riskier than the 300 floor (PD > 0.53)."""
    rng = np.random.default_rng(seed)
    return np.r_[rng.uniform(0.005, 0.4, int(n * 0.65)), rng.uniform(0.55, 0.95, n - int(n * 0.65))]


def _shares(grades: np.ndarray) -> list[float]:
    return [float(np.mean(grades == g)) for g in GRADES]


def test_cutoffs_on_the_clamped_score_leave_grade_e_empty_on_a_risky_book():
    pd_ = _risky_book()
    old_cut = grade_cutoffs(pd_to_score(pd_))  # the old rule, kept for old cards
    assert old_cut[-1] <= 300  # at or below the floor every applicant clears it
    old = grade_pd(pd_, DEFAULT_SCORECARD, {"cutoffs": old_cut})
    assert _shares(old)[-1] == 0.0  # grade E empty, D holds the floor


def test_cutoffs_on_the_unclamped_score_fill_every_grade_as_intended():
    pd_ = _risky_book()
    cut = set_cutoffs(pd_)
    assert cut[-1] < 300  # below the display floor: the unclamped score still orders these PDs
    grades = grade_pd(pd_, DEFAULT_SCORECARD, grades_section(cut))
    np.testing.assert_allclose(_shares(grades), INTENDED_SHARES, atol=0.01)
    order = [np.mean(pd_[grades == g]) for g in GRADES]
    assert order == sorted(order)


def test_old_cards_keep_grading_on_the_displayed_score():
    pd_ = np.array([0.9, 0.6, 0.001])
    old_card_grades = {"labels": list(GRADES), "cutoffs": [700, 600, 500, 300]}
    assert grade_pd(pd_, DEFAULT_SCORECARD, old_card_grades).tolist() == ["D", "D", "A"]


def test_holdout_check_names_inverted_and_empty_grades_with_the_evidence():
    y = np.r_[np.ones(79), np.zeros(921), np.ones(27), np.zeros(973), np.ones(50), np.zeros(950), np.ones(90)]
    y = np.r_[y, np.zeros(910)]
    grades = np.repeat(np.array(["A", "B", "C", "D"]), 1000)
    check = check_grades(grade_table(y, grades, list(GRADES)))
    assert not check["ok"]
    assert check["empty"] == ["E"]
    assert check["inversions"] == [{"better": "A", "worse": "B", "better_bad_rate": 0.079, "worse_bad_rate": 0.027}]
    assert "grade A has a higher bad rate (7.90%) than grade B (2.70%)" in check["messages"][1]


def test_report_says_no_when_grades_are_not_monotone_and_never_true_with_an_empty_grade(tmp_path):
    model = train(make_generic_loans(1200, seed=2), "status", positive="bad", id_col="application_id", cv=2)
    card = model.card
    card["metrics"]["grades"][0]["bad_rate"] = 0.5  # A now worse than B
    card["metrics"].pop("grade_check")
    text = format_card(card)
    assert "monotone A..E: NO" in text
    assert "WARNING: grade A has a higher bad rate (50.00%)" in text
    card["metrics"]["grades"][0]["bad_rate"] = 0.0
    card["metrics"]["grades"][4].update(n=0, share=0.0, bad_rate=None)
    text = format_card(card)
    assert "monotone A..E: not assessable, empty grade(s) E" in text
    assert "True" not in text.split("Per grade")[1].split("Calibration")[0]


def test_trained_card_records_unclamped_cutoffs_intended_shares_and_decile_calibration():
    model = train(make_generic_loans(1500, seed=4), "status", positive="bad", id_col="application_id", cv=3)
    card = model.card
    assert card["grades"]["basis"] == "unclamped_score"
    assert card["grades"]["intended_shares"] == list(INTENDED_SHARES)
    table = card["metrics"]["grades"]
    assert [row["intended_share"] for row in table] == list(INTENDED_SHARES)
    assert all(row["n"] > 0 for row in table)
    assert card["grades"]["holdout_check"]["empty"] == []
    assert len(card["metrics"]["calibration_table"]) == 10
    chosen = card["calibration_selection"]
    assert chosen["method"] == card["calibration"]["method"]
    assert set(chosen["cv_log_loss"]) == {"platt", "isotonic"}
    text = format_card(card)
    assert "intended" in text and "predicted/observed" in text and chosen["reason"] in text


@pytest.mark.parametrize(("truth", "expected"), [("logistic", "platt"), ("step", "isotonic")])
def test_calibration_method_is_chosen_by_cross_validated_log_loss(truth, expected):
    rng = np.random.default_rng(3)
    raw = rng.normal(size=8000)
    p = 1 / (1 + np.exp(-(1.3 * raw - 2))) if truth == "logistic" else np.where(raw < 1.0, 0.005, 0.7)
    y = (rng.random(raw.size) < p).astype(float)
    fitted, record = select_calibration(raw, y, stratified_folds(y, 5, 0))
    assert record["method"] == expected == fitted["method"]
    loss = record["cv_log_loss"]
    assert loss[expected] < loss["isotonic" if expected == "platt" else "platt"]


def test_training_says_the_holdout_grade_warnings(monkeypatch):
    from risk_models import training

    said: list[str] = []
    inverted = {"ok": False, "monotone": False, "empty": ["E"], "inversions": [], "share_drift": []}
    inverted["messages"] = ["grade E is empty on the holdout"]
    monkeypatch.setattr(training, "check_grades", lambda table: inverted)
    train(
        make_generic_loans(800, seed=6), "status", positive="bad", id_col="application_id", cv=2, progress=said.append
    )
    assert "warning: grade E is empty on the holdout" in said
