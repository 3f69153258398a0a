from __future__ import annotations

import json

from risk_models.bundled import ensure_sandbox_model
from risk_models.metrics import is_monotone_increasing
from risk_models.model import RiskModel


def test_bundled_model_meets_the_quality_bar_and_is_not_retrained(tmp_path):
    messages: list[str] = []
    path = ensure_sandbox_model(tmp_path / "bundled", progress=messages.append)
    card = RiskModel.load(path).card
    metrics = card["metrics"]
    assert card["synthetic"] is True
    assert metrics["validation"] == "out_of_time"
    assert metrics["auc"] >= 0.75
    assert is_monotone_increasing([g["bad_rate"] for g in metrics["grades"]])
    assert all(g["n"] > 0 for g in metrics["grades"])
    assert messages
    stamp = (path / "model.txt").stat().st_mtime_ns
    messages.clear()
    ensure_sandbox_model(path)
    assert (path / "model.txt").stat().st_mtime_ns == stamp


def test_an_invalid_or_different_model_folder_is_replaced(tmp_path):
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "model_card.json").write_text("{not json")
    (folder / "model.txt").write_text("junk")
    ensure_sandbox_model(folder, n_enterprises=3000, seed=5)
    card = json.loads((folder / "model_card.json").read_text())
    assert card["training"]["source"]["n_enterprises"] == 3000
    ensure_sandbox_model(folder, n_enterprises=3000, seed=6)
    card = json.loads((folder / "model_card.json").read_text())
    assert card["training"]["source"]["seed"] == 6
