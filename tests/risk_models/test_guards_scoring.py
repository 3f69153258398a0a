"""Scoring guards (issue 18): coercion report, values as the model used them, empty files,
model folders saved atomically and checked, file encodings."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from risk_models.cli import EXIT_GUARD, main
from risk_models.coercion import coercion_report, parse_numbers
from risk_models.exceptions import ModelFormatError
from risk_models.model import RiskModel
from risk_models.training import train

from .conftest import make_generic_loans

ROOT = Path(__file__).resolve().parents[2]


def _book(n: int = 1200, seed: int = 4) -> pd.DataFrame:
    data = make_generic_loans(n, seed=seed)
    data["loan_amount"] = (data["monthly_income"] * 1500).round()
    return data


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("guards") / "model"
    # select=False: the LightGBM model (the tests below damage its model.txt)
    model = train(_book(), "status", positive="bad", id_col="application_id", cv=3, seed=0, select=False)
    model.save(folder)
    return folder


@pytest.fixture(scope="module")
def model(model_dir) -> RiskModel:
    return RiskModel.load(model_dir)


def _score(model_dir: Path, data: Path, out: Path, *extra: str) -> int:
    return main(["--quiet", "score", "--model", str(model_dir), "--data", str(data), "--out", str(out), *extra])


# -- coercion report ----------------------------------------------------------------- #


def test_drifted_values_fail_the_run_with_a_per_column_report(model_dir, tmp_path, capsys):
    data = _book(200, seed=9)
    data["loan_amount"] = data["loan_amount"].map(lambda v: f"{v:,.0f}")  # "129,000": parsed, not lost
    data.loc[data.index[:60], "sector"] = "新能源"  # unseen category, 30% of rows
    data["debt_ratio"] = data["debt_ratio"].astype(object)
    data.loc[data.index[:3], "debt_ratio"] = "n/a?"
    path = tmp_path / "drift.csv"
    data.to_csv(path, index=False)
    report_file = tmp_path / "coercion.json"
    code = _score(model_dir, path, tmp_path / "x.csv", "--coercion-report", str(report_file))
    err = capsys.readouterr().err
    assert code == EXIT_GUARD
    assert "sector" in err and "60 of 200" in err and "新能源" in err and "--max-coercion-rate" in err
    assert not (tmp_path / "x.csv").exists()
    report = json.loads(report_file.read_text())
    columns = {c["column"]: c for c in report["columns"]}
    assert columns["sector"]["problem"] == "unseen category" and columns["sector"]["n_coerced"] == 60
    assert columns["debt_ratio"]["problem"] == "unparseable number" and columns["debt_ratio"]["examples"] == ["n/a?"]
    assert "loan_amount" not in columns  # thousands separators are read, not lost
    assert report["numbers_read_with_thousands_separators"]["loan_amount"] == 200
    # below the threshold the run goes on and the same report is written
    assert _score(model_dir, path, tmp_path / "x.csv", "--max-coercion-rate", "0.5") == 0
    assert len(pd.read_csv(tmp_path / "x.csv")) == 200


def test_thousands_separators_score_like_the_numbers(model, tmp_path, model_dir):
    data = _book(200, seed=9)
    text = data.assign(loan_amount=data["loan_amount"].map(lambda v: f"{v:,.0f}"))
    assert text["loan_amount"].str.contains(",").sum() > 150
    np.testing.assert_allclose(model.predict_pd(text), model.predict_pd(data))
    # through the CLI as well (the CSV cell reads "129,000")
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    data.to_csv(a, index=False)
    text.to_csv(b, index=False)
    assert _score(model_dir, a, tmp_path / "sa.csv", "--no-reasons") == 0
    assert _score(model_dir, b, tmp_path / "sb.csv", "--no-reasons") == 0
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "sa.csv"), pd.read_csv(tmp_path / "sb.csv"))


def test_parse_numbers_reads_grouped_digits_only():
    got = parse_numbers(pd.Series(["1,234", "129,000.5", "-2,500", "12", " 7 ", "1,5", "abc", None]))
    expected = [1234, 129000.5, -2500, 12, 7, np.nan, np.nan, np.nan]
    np.testing.assert_array_equal(got.to_numpy(), np.asarray(expected, dtype=float))


def test_coercion_report_counts_missing_columns(model):
    data = _book(50).drop(columns=["city"])
    report = coercion_report(data, model.card["features"])
    assert [(c.column, c.problem, c.rate) for c in report.columns] == [("city", "missing column", 1.0)]


def test_reasons_quote_the_value_the_model_used(model):
    data = _book(40, seed=2)
    data["sector"] = "新能源"  # unseen: the model reads it as missing
    reasons = model.explain(data, top_n=len(model.feature_names))
    sector = reasons[reasons["feature"] == "sector"]
    assert len(sector) > 0
    assert sector["value"].isna().all()
    assert (sector["text_en"] == "sector=missing").all()
    assert not reasons["text_zh"].str.contains("新能源").any()
    income = reasons[reasons["feature"] == "monthly_income"].iloc[0]
    row = data.loc[income["index"]]
    assert income["value"] == pytest.approx(float(row["monthly_income"]))


# -- empty input ------------------------------------------------------------------------------ #


def test_header_only_file_gives_an_empty_result(model_dir, model, tmp_path, capsys):
    path = tmp_path / "empty.csv"
    _book(5).head(0).to_csv(path, index=False)
    out = tmp_path / "scores.csv"
    assert _score(model_dir, path, out) == 0
    assert "Traceback" not in capsys.readouterr().err
    scores = pd.read_csv(out)
    assert len(scores) == 0 and {"row", "pd", "score", "grade", "reason_1"} <= set(scores.columns)
    assert model.score(_book(5).head(0)).empty


# -- model folders -------------------------------------------------------------------------------- #


def test_card_holds_the_sha256_of_model_txt(model_dir):
    card = json.loads((model_dir / "model_card.json").read_text())
    assert card["model_sha256"] == hashlib.sha256((model_dir / "model.txt").read_bytes()).hexdigest()


def _load_in_subprocess(folder: Path) -> subprocess.CompletedProcess[str]:
    code = f"from risk_models.model import RiskModel; RiskModel.load({str(folder)!r})"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("damage", ["truncate", "alter", "truncate_legacy"])
def test_damaged_model_txt_is_a_clear_error_not_a_crash(model, tmp_path, damage):
    folder = tmp_path / "m"
    model.save(folder)
    text = (folder / "model.txt").read_bytes()
    if damage == "alter":
        (folder / "model.txt").write_bytes(text.replace(b"leaf_value=", b"leaf_value=9", 1))
    else:
        (folder / "model.txt").write_bytes(text[: len(text) // 3])
    if damage == "truncate_legacy":  # a card written before the digest existed
        card = json.loads((folder / "model_card.json").read_text())
        del card["model_sha256"]
        (folder / "model_card.json").write_text(json.dumps(card))
    with pytest.raises(ModelFormatError, match="model.txt"):
        RiskModel.load(folder)
    done = _load_in_subprocess(folder)  # no SIGABRT / segfault: a Python exception
    assert done.returncode == 1, done.stderr[-500:]
    assert "ModelFormatError" in done.stderr


def test_save_replaces_a_model_folder_atomically(model, tmp_path):
    folder = tmp_path / "m"
    model.save(folder)
    (folder / "model.txt").write_text("stale")
    model.save(folder)  # over an existing model folder: replaced as a whole
    assert RiskModel.load(folder).version == model.version
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]  # no staging or old folder left behind
    assert "model_sha256" not in model.card  # saving does not change the in-memory card
    other = tmp_path / "notes"
    other.mkdir()
    (other / "keep.txt").write_text("mine")
    with pytest.raises(ModelFormatError, match="other files"):
        model.save(other)
    assert (other / "keep.txt").read_text() == "mine"


# -- encodings ------------------------------------------------------------------------------------ #


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig"])
def test_file_encodings_are_detected(model_dir, tmp_path, encoding):
    data = _book(100, seed=5)
    utf8, other = tmp_path / "utf8.csv", tmp_path / f"{encoding}.csv"
    data.to_csv(utf8, index=False)
    data.to_csv(other, index=False, encoding=encoding)
    assert utf8.read_bytes() != other.read_bytes()
    assert _score(model_dir, utf8, tmp_path / "a.csv") == 0
    assert _score(model_dir, other, tmp_path / "b.csv") == 0  # 零售/制造… read as the model's levels
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "a.csv"), pd.read_csv(tmp_path / "b.csv"))


def test_encoding_can_be_named(model_dir, tmp_path, capsys):
    data = _book(100, seed=5)
    path = tmp_path / "gbk.csv"
    data.to_csv(path, index=False, encoding="gbk")
    assert _score(model_dir, path, tmp_path / "a.csv", "--encoding", "gbk") == 0
    assert _score(model_dir, path, tmp_path / "b.csv", "--encoding", "utf-8") == 2
    assert "utf-8" in capsys.readouterr().err
    assert _score(model_dir, path, tmp_path / "c.csv", "--encoding", "no-such-codec") == 2
    assert "no-such-codec" in capsys.readouterr().err


def test_training_reads_gb18030(tmp_path):
    data = _book(600, seed=6)
    path = tmp_path / "book.csv"
    data.to_csv(path, index=False, encoding="gb18030")
    argv = ["--quiet", "train", "--data", str(path), "--target", "status", "--positive", "bad"]
    assert main([*argv, "--id-col", "application_id", "--cv", "2", "--out", str(tmp_path / "m")]) == 0
    card = RiskModel.load(tmp_path / "m").card
    levels = {f["name"]: f.get("levels") for f in card["features"]}
    assert "零售" in levels["sector"]
    assert card["training"]["source"]["encoding"] == "gb18030"


def test_categories_beyond_the_kept_levels_do_not_fail_the_training_file_itself(tmp_path):
    data = _book(1500, seed=8)
    rng = np.random.default_rng(8)
    data["employer"] = [f"E{k:03d}" for k in rng.integers(0, 400, len(data))]  # 400 levels, 200 kept
    model = train(data, "status", positive="bad", id_col="application_id", cv=2, seed=0, select=False)
    spec = next(f for f in model.card["features"] if f["name"] == "employer")
    assert len(spec["levels"]) == 200 and 0.2 < spec["outside_levels_share"] < 0.5
    model.save(tmp_path / "m")
    path = tmp_path / "book.csv"
    data.to_csv(path, index=False)
    report = tmp_path / "coercion.json"
    assert _score(tmp_path / "m", path, tmp_path / "s.csv", "--coercion-report", str(report)) == 0
    employer = json.loads(report.read_text())["columns"][0]
    assert employer["column"] == "employer" and employer["rate"] == pytest.approx(spec["outside_levels_share"])
    # an employer never seen at training, on 30% of rows, is still drift
    data.loc[data.index[:450], "employer"] = "NEW"
    data.to_csv(path, index=False)
    assert _score(tmp_path / "m", path, tmp_path / "s.csv") == EXIT_GUARD
