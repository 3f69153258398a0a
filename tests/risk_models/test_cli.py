from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from risk_models.cli import main
from risk_models.model import RiskModel

from .conftest import make_generic_loans

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def generic_csv(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "loans.csv"
    make_generic_loans(2000, seed=8).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def trained(generic_csv) -> Path:
    out = generic_csv.parent / "model"
    code = main(
        [
            "--quiet",
            "train",
            "--data",
            str(generic_csv),
            "--target",
            "status",
            "--positive",
            "bad",
            "--id-col",
            "application_id",
            "--cv",
            "3",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    return out


def test_generic_csv_with_text_columns_trains(trained, capsys):
    metrics = json.loads((trained / "metrics.json").read_text())
    for key in ("auc", "auc_std", "ks", "brier", "n_rows", "bad_rate"):
        assert key in metrics
    assert metrics["n_rows"] == 2000
    assert metrics["auc"] > 0.6
    card = RiskModel.load(trained).card
    types = {f["name"]: f["type"] for f in card["features"]}
    assert types["sector"] == "categorical" and types["collateral"] == "categorical"
    assert types["debt_ratio"] == "numeric"


def test_generic_csv_scores_with_reasons(trained, generic_csv, tmp_path):
    out = tmp_path / "scores.csv"
    code = main(
        [
            "--quiet",
            "score",
            "--model",
            str(trained),
            "--data",
            str(generic_csv),
            "--id-col",
            "application_id",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    scores = pd.read_csv(out, dtype={"application_id": str})
    source = pd.read_csv(generic_csv, dtype={"application_id": str})
    assert list(scores["application_id"]) == list(source["application_id"])
    assert scores["score"].between(300, 900).all()
    assert set(scores["grade"]) <= set("ABCDE")
    assert {"pd", "reason_1", "reason_2", "reason_3", "reason_4", "reason_1_zh"} <= set(scores.columns)
    assert scores["reason_1"].notna().mean() > 0.9


def test_score_without_reasons_writes_no_reason_columns(trained, generic_csv, tmp_path):
    out = tmp_path / "fast.csv"
    assert (
        main(
            [
                "--quiet",
                "score",
                "--model",
                str(trained),
                "--data",
                str(generic_csv),
                "--out",
                str(out),
                "--no-reasons",
            ]
        )
        == 0
    )
    scores = pd.read_csv(out)
    assert "reason_1" not in scores.columns
    assert list(scores["row"]) == list(range(1, 2001))


def test_missing_column_is_named_with_exit_code_2(trained, generic_csv, tmp_path, capsys):
    data = pd.read_csv(generic_csv).drop(columns=["debt_ratio"])
    path = tmp_path / "partial.csv"
    data.to_csv(path, index=False)
    code = main(
        [
            "score",
            "--model",
            str(trained),
            "--data",
            str(path),
            "--out",
            str(tmp_path / "x.csv"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "debt_ratio" in err and "Traceback" not in err


def test_unreadable_file_gives_a_clear_error(trained, tmp_path, capsys):
    garbage = tmp_path / "garbage.csv"
    garbage.write_bytes(b"\xff\xfe\x00\x81\x82" * 100)
    code = main(
        [
            "score",
            "--model",
            str(trained),
            "--data",
            str(garbage),
            "--out",
            str(tmp_path / "x.csv"),
        ]
    )
    assert code == 2
    assert "garbage.csv" in capsys.readouterr().err
    code = main(
        [
            "score",
            "--model",
            str(trained),
            "--data",
            str(tmp_path / "none.csv"),
            "--out",
            str(tmp_path / "x.csv"),
        ]
    )
    assert code == 2
    assert "none.csv" in capsys.readouterr().err


def test_missing_target_column_is_named(generic_csv, tmp_path, capsys):
    code = main(
        [
            "train",
            "--data",
            str(generic_csv),
            "--target",
            "outcome",
            "--out",
            str(tmp_path / "m"),
        ]
    )
    assert code == 2
    assert "outcome" in capsys.readouterr().err


def test_not_a_model_folder_is_reported(tmp_path, generic_csv, capsys):
    code = main(
        [
            "score",
            "--model",
            str(tmp_path),
            "--data",
            str(generic_csv),
            "--out",
            str(tmp_path / "x.csv"),
        ]
    )
    assert code == 2
    assert "model.txt" in capsys.readouterr().err


def test_report_prints_the_card(trained, capsys):
    assert main(["report", "--model", str(trained)]) == 0
    text = capsys.readouterr().out
    card = RiskModel.load(trained).card
    assert card["version"] in text
    assert "cut-offs" in text and "debt_ratio" in text


def test_sandbox_then_train_then_score_from_the_command_line(tmp_path, sandbox_data):
    sbx, model, feats = tmp_path / "sbx", tmp_path / "model", tmp_path / "f.csv"
    assert (
        main(
            [
                "--quiet",
                "sandbox",
                "--enterprises",
                "2500",
                "--seed",
                "4",
                "--out",
                str(sbx),
            ]
        )
        == 0
    )
    manifest = json.loads((sbx / "manifest.json").read_text())
    assert manifest["synthetic"] is True and manifest["enterprises"] == 2500
    assert len(list((sbx / "records").glob("*.csv"))) == 15
    assert main(["--quiet", "train", "--sandbox", str(sbx), "--out", str(model)]) == 0
    assert main(["--quiet", "features", "--sandbox", str(sbx), "--out", str(feats)]) == 0
    out = tmp_path / "s.csv"
    assert (
        main(
            [
                "--quiet",
                "score",
                "--model",
                str(model),
                "--data",
                str(feats),
                "--id-col",
                "uscc",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert len(pd.read_csv(out)) == 2500


def test_module_entry_point_exits_2_without_traceback(tmp_path):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "risk_models",
            "score",
            "--model",
            str(tmp_path),
            "--data",
            str(tmp_path / "missing.csv"),
            "--out",
            str(tmp_path / "o.csv"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("error:")
    assert "Traceback" not in proc.stderr
