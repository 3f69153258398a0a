"""Registering a model folder: a LightGBM model needs model.txt, a logistic scorecard only its card."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError

from loanhub.scoring.services import validate_model_dir
from risk_models.logistic import MODEL_TYPE as LOGISTIC


def _card(folder, **card):
    folder.mkdir()
    (folder / "model_card.json").write_text(json.dumps(card), encoding="utf-8")
    return folder


def test_a_logistic_scorecard_folder_needs_no_model_txt(tmp_path):
    folder = _card(tmp_path / "m", model_type=LOGISTIC, logistic={"features": []}, features=[])
    assert validate_model_dir(str(folder)) == folder


def test_a_lightgbm_folder_without_model_txt_is_refused(tmp_path):
    folder = _card(tmp_path / "m", model_type="lightgbm", features=[])
    with pytest.raises(ValidationError, match="model.txt"):
        validate_model_dir(str(folder))


def test_a_folder_without_a_card_or_with_a_broken_card_is_refused(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValidationError, match="model_card.json"):
        validate_model_dir(str(tmp_path / "empty"))
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "model_card.json").write_text("{not json", encoding="utf-8")
    (broken / "model.txt").write_text("tree", encoding="utf-8")
    with pytest.raises(ValidationError, match="无法读取"):
        validate_model_dir(str(broken))
