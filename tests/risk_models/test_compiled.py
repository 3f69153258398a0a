"""Compiled scoring (lleaves): same margins as LightGBM, cached per model version, fallback."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from risk_models import compiled
from risk_models import model as model_module
from risk_models.contrib import contributions, tree_keys
from risk_models.model import RiskModel, encode_categorical
from risk_models.training import train
from tests.risk_models.conftest import make_generic_loans


@pytest.fixture(scope="module")
def saved_model(tmp_path_factory):
    data = make_generic_loans(1500, seed=3)
    model = train(data, "status", positive="bad", id_col="application_id", cv=2, seed=0, select=False)
    return model.save(tmp_path_factory.mktemp("compiled") / "model")


def _drifted(n: int = 3000) -> pd.DataFrame:
    frame = make_generic_loans(n, seed=8).drop(columns=["status", "application_id"])
    frame.loc[frame.index[::7], "sector"] = "未知行业"  # unseen level
    frame.loc[frame.index[::5], "debt_ratio"] = np.nan
    frame.loc[frame.index[::11], "city"] = None
    return frame


def test_compiled_margins_equal_lightgbm_and_are_cached_by_model_hash(saved_model):
    model = RiskModel.load(saved_model)
    x = model.matrix(_drifted())
    expected = model.booster.predict(x, raw_score=True)
    got = model.forest.raw(x, compile_now=True)
    assert model.forest.is_compiled, model.forest.fallback_reason
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-9)
    objects = list((saved_model / "compiled").glob("*.so"))
    key = compiled.model_key(model.booster.model_to_string())
    assert [p.name for p in objects] == [f"{key}.so"]
    assert key.startswith(__import__("hashlib").sha256(model.booster.model_to_string().encode()).hexdigest()[:32])
    stamp = objects[0].stat().st_mtime_ns
    again = RiskModel.load(saved_model)
    assert again.forest.cached_object() == objects[0]
    np.testing.assert_allclose(again.forest.raw(x[:10]), expected[:10], rtol=0, atol=1e-9)
    assert again.forest.is_compiled  # a cached object is used even for a small batch
    assert objects[0].stat().st_mtime_ns == stamp  # loaded, not compiled again


def test_score_is_identical_with_and_without_compilation(saved_model):
    frame = _drifted(500)
    fast = RiskModel.load(saved_model).score(frame, reasons=False, compiled=True)
    plain = RiskModel.load(saved_model).score(frame, reasons=False, compiled=False)
    pd.testing.assert_frame_equal(fast, plain, check_exact=False, rtol=0, atol=1e-12)


def test_missing_lleaves_falls_back_to_lightgbm(saved_model, monkeypatch, tmp_path):
    monkeypatch.setenv(compiled.CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.setattr(compiled, "available", lambda: False)
    model = RiskModel.load(saved_model)
    x = model.matrix(_drifted(200))
    np.testing.assert_array_equal(model.forest.raw(x, compile_now=True), model.booster.predict(x, raw_score=True))
    assert not model.forest.is_compiled
    assert model.forest.fallback_reason == "lleaves is not installed"
    assert not (tmp_path / "cache").exists()


def test_a_compiled_model_that_disagrees_is_not_used(saved_model, monkeypatch, tmp_path):
    monkeypatch.setenv(compiled.CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.setattr(compiled, "TOLERANCE", -1.0)  # every comparison now "fails"
    model = RiskModel.load(saved_model)
    x = model.matrix(_drifted(200))
    np.testing.assert_array_equal(model.forest.raw(x, compile_now=True), model.booster.predict(x, raw_score=True))
    assert not model.forest.is_compiled
    assert "differ from LightGBM" in model.forest.fallback_reason


def test_a_compiler_error_falls_back(saved_model, monkeypatch, tmp_path):
    monkeypatch.setenv(compiled.CACHE_ENV, str(tmp_path / "cache"))

    def broken(self):
        raise RuntimeError("LLVM exploded")

    monkeypatch.setattr(compiled.CompiledForest, "_load_or_compile", broken)
    model = RiskModel.load(saved_model)
    x = model.matrix(_drifted(100))
    np.testing.assert_array_equal(model.forest.raw(x, compile_now=True), model.booster.predict(x, raw_score=True))
    assert "LLVM exploded" in model.forest.fallback_reason


def test_small_batches_without_a_cached_object_are_not_compiled(saved_model, monkeypatch, tmp_path):
    monkeypatch.setenv(compiled.CACHE_ENV, str(tmp_path / "cache"))
    model = RiskModel.load(saved_model)
    model.score(_drifted(50), reasons=False)
    assert not model.forest.is_compiled
    assert not (tmp_path / "cache").exists()


def test_vectorised_categorical_encoding_matches_the_row_by_row_rule():
    column = pd.Series([" 零售", "制造 ", None, np.nan, 3, "3", "x", "零售"], dtype=object)
    levels = ["3", "制造", "零售"]
    expected = [2, 1, np.nan, np.nan, 0, 0, np.nan, 2]
    np.testing.assert_array_equal(encode_categorical(column, levels), np.array(expected, dtype=float))
    as_str = pd.Series(["零售", None, "制造"], dtype="str")
    np.testing.assert_array_equal(encode_categorical(as_str, levels), np.array([2, np.nan, 1]))


# -- reasons: TreeSHAP per distinct path pattern ----------------------------------- #


def test_grouped_tree_shap_equals_lightgbm_pred_contrib(saved_model):
    model = RiskModel.load(saved_model)
    frame = _drifted(4000)
    frame.loc[frame.index[::13], "monthly_income"] = 0.0  # zeros: LightGBM may route them as missing
    x = model.matrix(frame)
    keys = tree_keys(model.booster)
    assert any(k.categorical for k in keys)  # the model splits on text columns too
    expected = model.booster.predict(x, pred_contrib=True)
    np.testing.assert_allclose(contributions(model.booster, x, keys), expected, rtol=0, atol=1e-9)


def test_reasons_in_chunks_match_the_full_path(saved_model, monkeypatch):
    model = RiskModel.load(saved_model)
    frame = _drifted(1200)
    full = model.score(frame, reasons=True, top_n=3)
    monkeypatch.setattr(model_module, "REASON_CHUNK", 500)
    chunked = pd.concat(list(model.score_chunks(frame, reasons=True, top_n=3, chunk_size=500)))
    pd.testing.assert_frame_equal(chunked[["pd", "score", "grade"]], full[["pd", "score", "grade"]])
    for i, reasons in enumerate(full["reasons"]):
        raising = [r for r in reasons if r["direction"] == "raises"]
        for k in range(3):
            assert chunked[f"reason_{k + 1}"].iloc[i] == (raising[k]["code"] if k < len(raising) else "")
            assert chunked[f"reason_{k + 1}_zh"].iloc[i] == (raising[k]["text_zh"] if k < len(raising) else "")


def test_cli_compile_then_score_in_chunks_writes_the_same_file(saved_model, tmp_path, monkeypatch, capsys):
    from risk_models.cli import main

    monkeypatch.setenv(compiled.CACHE_ENV, str(tmp_path / "cache"))
    data = tmp_path / "in.csv"  # drifted on purpose: let the coercion guard through
    lenient = ["--max-coercion-rate", "1"]
    _drifted(700).to_csv(data, index=False)
    assert main(["compile", "--model", str(saved_model)]) == 0
    assert "compiled model" in capsys.readouterr().err
    assert len(list((tmp_path / "cache").glob("*.so"))) == 1
    out_a, out_b = tmp_path / "a.csv", tmp_path / "b.csv"
    assert (
        main(
            [
                "score",
                "--model",
                str(saved_model),
                "--data",
                str(data),
                "--out",
                str(out_a),
                "--chunk-size",
                "64",
                *lenient,
            ]
        )
        == 0
    )
    assert (
        main(["score", "--model", str(saved_model), "--data", str(data), "--out", str(out_b), "--no-compile", *lenient])
        == 0
    )
    a, b = pd.read_csv(out_a), pd.read_csv(out_b)
    assert len(a) == 700 and list(a.columns[:5]) == ["row", "pd", "score", "grade", "knockout"]
    assert "reason_4_en" in a.columns
    pd.testing.assert_frame_equal(a, b)
