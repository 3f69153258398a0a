"""Training guards (issue 18): inputs that used to go in silently now stop the run or are read as meant."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from risk_models import guards
from risk_models.cli import EXIT_GUARD, main
from risk_models.coercion import parse_dates
from risk_models.exceptions import DataError
from risk_models.model import RiskModel
from risk_models.monotone import suggest_directions
from risk_models.training import make_target

from .conftest import make_generic_loans

N = 800


def _loans(n: int = N, seed: int = 3) -> pd.DataFrame:
    return make_generic_loans(n, seed=seed)


def _csv(tmp_path: Path, frame: pd.DataFrame, name: str = "loans.csv") -> Path:
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def _train(tmp_path: Path, data: Path, *extra: str, out: str = "model") -> int:
    argv = ["--quiet", "train", "--data", str(data), "--target", "status", "--positive", "bad"]
    argv += ["--id-col", "application_id", "--cv", "3", "--out", str(tmp_path / out), *extra]
    return main(argv)


def _card(tmp_path: Path, out: str = "model") -> dict:
    return RiskModel.load(tmp_path / out).card


# -- exclude and protected --------------------------------------------------------- #


def test_protected_column_is_never_a_feature_nor_a_reason(tmp_path):
    data = _loans()
    bad = data["status"].eq("bad").to_numpy()
    rng = np.random.default_rng(0)
    # a protected attribute that tracks the outcome: it would be a top reason if used
    data["race"] = np.where(rng.random(len(data)) < np.where(bad, 0.8, 0.2), "group_a", "group_b")
    data["branch"] = rng.choice(["north", "south"], size=len(data))
    path = _csv(tmp_path, data)
    assert _train(tmp_path, path, "--protected", "race", "--exclude", "branch") == 0
    card = _card(tmp_path)
    names = [f["name"] for f in card["features"]]
    assert "race" not in names and "branch" not in names
    assert card["training"]["protected"] == ["race"]
    assert card["training"]["excluded"] == ["branch"]
    out = tmp_path / "scores.csv"
    argv = ["--quiet", "score", "--model", str(tmp_path / "model"), "--data", str(path), "--out", str(out)]
    assert main(argv) == 0
    scores = pd.read_csv(out)
    reason_cols = [c for c in scores.columns if c.startswith("reason_")]
    assert not scores[reason_cols].astype(str).apply(lambda c: c.str.contains("race|group_a|RACE")).any().any()
    # without the flag the same column would have been a feature
    assert _train(tmp_path, path, out="unprotected") == 0
    assert "race" in [f["name"] for f in _card(tmp_path, "unprotected")["features"]]


def test_misspelt_protected_or_excluded_column_is_an_error(tmp_path, capsys):
    path = _csv(tmp_path, _loans(300))
    assert _train(tmp_path, path, "--protected", "sectr") == 2
    err = capsys.readouterr().err
    assert "sectr" in err and "sector" in err
    assert _train(tmp_path, path, "--exclude", "nope") == 2
    assert "nope" in capsys.readouterr().err


# -- dates and numbers ----------------------------------------------------------------- #


def test_date_columns_are_dropped_not_categoricals(tmp_path):
    data = _loans()
    days = pd.Timestamp("2022-01-01") + pd.to_timedelta(np.arange(len(data)) % 700, unit="D")
    data["opened_iso"] = days.strftime("%Y-%m-%d")
    data["opened_dmy"] = days.strftime("%d/%m/%Y")
    data["first_month"] = days.strftime("%Y-%m")
    data["signed_zh"] = days.strftime("%Y年%m月%d日")
    assert _train(tmp_path, _csv(tmp_path, data)) == 0
    card = _card(tmp_path)
    names = {f["name"] for f in card["features"]}
    for column in ("opened_iso", "opened_dmy", "first_month", "signed_zh"):
        assert column not in names
        assert "date column" in card["dropped_columns"][column]


def test_thousands_separators_are_read_as_numbers(tmp_path):
    data = _loans()
    data["monthly_income"] = (data["monthly_income"] * 1000).round().map(lambda v: f"{v:,.0f}")
    assert data["monthly_income"].str.contains(",").any()
    assert _train(tmp_path, _csv(tmp_path, data)) == 0
    kinds = {f["name"]: f["type"] for f in _card(tmp_path)["features"]}
    assert kinds["monthly_income"] == "numeric"


def _dated(n: int, fmt: str, seed: int = 1) -> tuple[pd.DataFrame, pd.DatetimeIndex]:
    data = make_generic_loans(n, seed=seed)
    days = pd.Timestamp("2023-01-01") + pd.to_timedelta(np.arange(n) * 365 // n, unit="D")
    data["opened"] = days.strftime(fmt)
    return data, days


def test_day_first_time_column_is_not_swapped(tmp_path):
    data, days = _dated(N, "%d/%m/%Y")
    path = _csv(tmp_path, data)
    assert _train(tmp_path, path, "--time-col", "opened") == 0
    card = _card(tmp_path)
    # the out-of-time part starts at the latest quarter of the real dates
    expected = days.sort_values()[int(N * 0.75)]
    assert card["metrics"]["oot_from"] == str(expected.date())
    assert card["metrics"]["n_oot"] == int((days >= expected).sum())


def test_ambiguous_day_month_needs_a_flag(tmp_path, capsys):
    data, days = _dated(N, "%d/%m/%Y")
    keep = days.day <= 12  # every value could be read either way
    data, days = data[keep], days[keep]
    path = _csv(tmp_path, data)
    assert _train(tmp_path, path, "--time-col", "opened") == 2
    assert "--dayfirst" in capsys.readouterr().err
    assert _train(tmp_path, path, "--time-col", "opened", "--dayfirst") == 0
    expected = days.sort_values()[int(len(days) * 0.75)]
    assert _card(tmp_path)["metrics"]["oot_from"] == str(expected.date())
    assert _train(tmp_path, path, "--time-col", "opened", "--date-format", "%d/%m/%Y", out="m2") == 0
    assert _card(tmp_path, "m2")["metrics"]["oot_from"] == str(expected.date())


def test_parse_dates_rules():
    assert parse_dates(pd.Series(["13/02/2024", "01/03/2024"]))[1] == pd.Timestamp("2024-03-01")
    assert parse_dates(pd.Series(["02/13/2024", "03/01/2024"]))[1] == pd.Timestamp("2024-03-01")
    assert parse_dates(pd.Series(["2024-03", "2024-11"]))[1] == pd.Timestamp("2024-11-01")
    with pytest.raises(DataError, match="mixes"):
        parse_dates(pd.Series(["13/02/2024", "02/13/2024"]))
    with pytest.raises(DataError, match="not dates"):
        parse_dates(pd.Series(["2024-03-01", "2024-02-30"]), date_format="%Y-%m-%d")


# -- warnings that stop the run ---------------------------------------------------------- #


def test_single_feature_leak_stops_unless_forced(tmp_path, capsys):
    data = _loans()
    rng = np.random.default_rng(1)
    data["max_days_past_due"] = np.where(data["status"] == "bad", 90, 0) + rng.integers(0, 5, len(data))
    path = _csv(tmp_path, data)
    assert _train(tmp_path, path) == EXIT_GUARD
    err = capsys.readouterr().err
    assert "max_days_past_due" in err and "AUC" in err and "--force" in err
    assert not (tmp_path / "model").exists()
    assert _train(tmp_path, path, "--force") == 0
    forced = _card(tmp_path)["guards"]["forced"]
    assert [(w["code"], w["column"]) for w in forced] == [("leak", "max_days_past_due")]
    assert forced[0]["evidence"]["auc"] > 0.95


def test_sequential_numeric_id_stops(tmp_path, capsys):
    data = _loans().sample(frac=1.0, random_state=0).reset_index(drop=True)
    data["loan_no"] = 100_000 + np.arange(len(data))
    data = data.sample(frac=1.0, random_state=1)  # not in row order: caught by the gaps
    assert _train(tmp_path, _csv(tmp_path, data)) == EXIT_GUARD
    err = capsys.readouterr().err
    assert "[id_like]" in err and "loan_no" in err


def test_third_label_is_not_silently_good(tmp_path, capsys):
    data = _loans()
    third = data.sample(frac=0.1, random_state=2).index
    data.loc[third, "status"] = "indeterminate"
    path = _csv(tmp_path, data)
    assert _train(tmp_path, path) == EXIT_GUARD
    err = capsys.readouterr().err
    assert "indeterminate" in err and "--negative" in err
    assert _train(tmp_path, path, "--negative", "good") == 0
    card = _card(tmp_path)
    assert card["training"]["n_rows"] == N - len(third)
    assert card["training"]["n_unlabelled_dropped"] == len(third)


def test_make_target_with_negative_leaves_other_labels_out():
    y = make_target(pd.Series(["bad", "good", "indeterminate", None, "good"]), "bad", ["good"])
    np.testing.assert_array_equal(np.isnan(y), [False, False, True, True, False])
    assert y[0] == 1 and y[1] == 0
    assert guards.check_labels(pd.Series(["bad", "good", "x"], name="s"), "bad", None)[0].code == "target_labels"


def test_tiny_data_stops(tmp_path, capsys):
    data = _loans(2000)
    tiny = pd.concat([data[data.status == "bad"].head(10), data[data.status == "good"].head(10)])
    assert _train(tmp_path, _csv(tmp_path, tiny), "--cv", "2") == EXIT_GUARD
    err = capsys.readouterr().err
    assert "[tiny_data]" in err and "20 labelled rows" in err
    assert not (tmp_path / "model").exists()


def test_low_cross_validated_auc_stops(tmp_path, capsys):
    rng = np.random.default_rng(7)
    n = 600
    noise = pd.DataFrame(
        {
            "application_id": [f"A{i}" for i in range(n)],
            "x1": rng.normal(size=n).round(4),
            "x2": rng.normal(size=n).round(4),
            "status": rng.choice(["bad", "good"], size=n, p=[0.3, 0.7]),
        }
    )
    path = _csv(tmp_path, noise)
    assert _train(tmp_path, path) == EXIT_GUARD
    assert "[low_auc]" in capsys.readouterr().err
    assert not (tmp_path / "model").exists()
    assert _train(tmp_path, path, "--force") == 0
    assert [w["code"] for w in _card(tmp_path)["guards"]["forced"]] == ["low_auc"]


# -- monotone directions -------------------------------------------------------------------- #


def test_monotone_rejects_unknown_and_text_columns(tmp_path, capsys):
    path = _csv(tmp_path, _loans(300))
    assert _train(tmp_path, path, "--monotone", "debt_ratoi=+1") == 2
    err = capsys.readouterr().err
    assert "debt_ratoi" in err and "did you mean 'debt_ratio'" in err
    assert _train(tmp_path, path, "--monotone", "sector=+1") == 2
    assert "text (categorical)" in capsys.readouterr().err
    assert _train(tmp_path, path, "--monotone", "application_id=+1") == 2
    assert "id column" in capsys.readouterr().err


def test_suggested_directions_follow_the_data_with_a_confidence_rule():
    rng = np.random.default_rng(0)
    n = 3000
    x_up = rng.normal(size=n)
    x_down = rng.normal(size=n)
    noise = rng.normal(size=n)
    y = (rng.random(n) < 1 / (1 + np.exp(-(x_up - x_down - 1.5)))).astype(float)
    frame = pd.DataFrame({"x_up": x_up, "x_down": x_down, "noise": noise})
    specs = [{"name": c, "type": "numeric"} for c in frame.columns]
    got = suggest_directions(frame, specs, y)
    assert got["x_up"]["direction"] == 1 and got["x_down"]["direction"] == -1
    assert got["noise"]["direction"] == 0
    assert got["x_up"]["z"] >= 3


def test_monotone_auto_applies_directions_and_report_shows_violations(tmp_path, capsys):
    path = _csv(tmp_path, _loans(1500))
    assert _train(tmp_path, path) == 0
    free = _card(tmp_path)["monotone"]
    assert free["violations"]["debt_ratio"]["source"] == "suggested, not applied"
    assert free["violations"]["debt_ratio"]["rows_violating"] > 0  # unconstrained, PD moves the wrong way somewhere
    assert main(["report", "--model", str(tmp_path / "model")]) == 0
    text = capsys.readouterr().out
    assert "Monotonicity" in text and "debt_ratio" in text and "suggested, not applied" in text

    assert _train(tmp_path, path, "--monotone", "auto", out="auto") == 0
    card = _card(tmp_path, "auto")
    directions = {f["name"]: f["direction"] for f in card["features"]}
    assert directions["debt_ratio"] == 1 and directions["monthly_income"] == -1
    assert card["params"]["monotone_constraints"] == [f["direction"] for f in card["features"]]
    assert card["monotone"]["violations"]["debt_ratio"] == {
        "direction": 1,
        "rows_checked": 300,
        "rows_violating": 0,
        "share": 0.0,
        "source": "auto",
    }
    assert json.dumps(card)  # JSON-safe


def test_given_direction_wins_over_auto(tmp_path):
    path = _csv(tmp_path, _loans(600))
    assert _train(tmp_path, path, "--monotone", "auto", "--monotone", "monthly_income=0") == 0
    directions = {f["name"]: f["direction"] for f in _card(tmp_path)["features"]}
    assert directions["monthly_income"] == 0 and directions["debt_ratio"] == 1
