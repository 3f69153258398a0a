"""A trained risk model: LightGBM booster + JSON model card, scored and explained.

A model is a folder::

    model.txt          LightGBM native text format (Booster.save_model)
    model_card.json    version, data hash, features (type, categorical levels,
                       monotone direction), parameters, calibration, scorecard,
                       grade cut-offs, metrics, PSI baseline
    metrics.json       the card's metrics, for quick reading

Nothing is pickled.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd

from risk_models.calibration import apply_calibration
from risk_models.exceptions import MissingColumnsError, ModelFormatError
from risk_models.explain import reason_frame, reasons_as_lists
from risk_models.metrics import psi, score_distribution
from risk_models.scorecard import assign_grades, pd_to_score

CARD_FORMAT = "loanhub-risk-model/1"
MODEL_FILE = "model.txt"
CARD_FILE = "model_card.json"
METRICS_FILE = "metrics.json"


def predict_dense(
    booster: lgb.Booster,
    x: np.ndarray,
    *,
    raw_score: bool = False,
    pred_contrib: bool = False,
) -> np.ndarray:
    """``Booster.predict`` on a dense matrix, which always answers a dense array.

    (LightGBM's signature also allows sparse results, for sparse input only.)
    """
    out = booster.predict(x, raw_score=raw_score, pred_contrib=pred_contrib)
    if not isinstance(out, np.ndarray):
        raise TypeError(f"expected a dense prediction, got {type(out).__name__}")
    return out


def encode_features(frame: pd.DataFrame, features: Sequence[Mapping[str, Any]]) -> np.ndarray:
    """Turn a frame into the float matrix the booster expects.

    Numeric features are coerced with ``pandas.to_numeric`` (unparseable → NaN).
    Categorical features are matched as strings against the levels stored in
    the card; unknown levels and missing values become NaN (LightGBM's
    "missing" branch).

    Parameters
    ----------
    frame : pandas.DataFrame
        Must contain every feature column.
    features : list of mapping
        The card's ``features`` entries (``name``, ``type``, ``levels``).

    Returns
    -------
    numpy.ndarray, shape (len(frame), len(features)), float64
    """
    missing = [f["name"] for f in features if f["name"] not in frame.columns]
    if missing:
        raise MissingColumnsError(missing, "the data to score")
    out = np.empty((len(frame), len(features)), dtype=np.float64)
    for j, spec in enumerate(features):
        column = frame[spec["name"]]
        if spec["type"] == "categorical":
            out[:, j] = encode_categorical(column, spec["levels"])
        elif pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
            out[:, j] = column.to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            out[:, j] = pd.to_numeric(column, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    return out


def encode_categorical(column: pd.Series, levels: list[str]) -> np.ndarray:
    """Codes 0..len(levels)-1 of ``column`` as strings; NaN when unknown/missing."""
    text = column.astype(object).where(column.notna(), None)
    text = text.map(lambda v: None if v is None else str(v).strip())
    codes = pd.Index(levels, dtype=object).get_indexer(pd.Index(text)).astype(np.float64)
    codes[codes < 0] = np.nan
    return codes


class RiskModel:
    """A LightGBM booster with its model card.

    Parameters
    ----------
    booster : lightgbm.Booster
    card : dict
        The model card (see module docstring and docs/risk_models.md).
    """

    def __init__(self, booster: lgb.Booster, card: dict[str, Any]) -> None:
        if not isinstance(booster, lgb.Booster):
            raise TypeError(f"booster must be a lightgbm.Booster, got {type(booster)}")
        _check_card(card)
        if booster.num_feature() != len(card["features"]):
            raise ModelFormatError(f"booster has {booster.num_feature()} features, card lists {len(card['features'])}")
        self.booster = booster
        self.card = card

    # -- properties ------------------------------------------------------- #

    @property
    def version(self) -> str:
        """The model version string from the card."""
        return str(self.card["version"])

    @property
    def feature_names(self) -> list[str]:
        """Feature columns the model needs, in booster order."""
        return [f["name"] for f in self.card["features"]]

    @property
    def metrics(self) -> dict[str, Any]:
        """Validation metrics from the card."""
        return dict(self.card.get("metrics", {}))

    # -- persistence ------------------------------------------------------ #

    @classmethod
    def load(cls, path: str | Path) -> RiskModel:
        """Load a model folder written by :meth:`save`.

        Parameters
        ----------
        path : str or pathlib.Path
            The folder holding ``model.txt`` and ``model_card.json``.

        Returns
        -------
        RiskModel
        """
        folder = Path(path)
        for name in (MODEL_FILE, CARD_FILE):
            if not (folder / name).is_file():
                raise ModelFormatError(f"{folder} is not a model folder: no {name}")
        try:
            card = json.loads((folder / CARD_FILE).read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ModelFormatError(f"{folder / CARD_FILE} is not valid JSON: {exc}") from exc
        try:
            booster = lgb.Booster(model_file=str(folder / MODEL_FILE))
        except lgb.basic.LightGBMError as exc:
            raise ModelFormatError(f"{folder / MODEL_FILE} cannot be read: {exc}") from exc
        return cls(booster, card)

    def save(self, path: str | Path) -> Path:
        """Write ``model.txt``, ``model_card.json`` and ``metrics.json`` to a folder.

        Parameters
        ----------
        path : str or pathlib.Path
            Created if needed; the three files are overwritten.

        Returns
        -------
        pathlib.Path
        """
        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        self.booster.save_model(str(folder / MODEL_FILE))
        _write_json(folder / CARD_FILE, self.card)
        _write_json(folder / METRICS_FILE, self.card.get("metrics", {}))
        return folder

    # -- scoring ---------------------------------------------------------- #

    def matrix(self, features: pd.DataFrame) -> np.ndarray:
        """The encoded feature matrix (see :func:`encode_features`)."""
        if not isinstance(features, pd.DataFrame):
            raise TypeError(f"features must be a DataFrame, got {type(features).__name__}")
        return encode_features(features, self.card["features"])

    def predict_raw(self, features: pd.DataFrame) -> np.ndarray:
        """Raw log-odds margins of the booster."""
        return predict_dense(self.booster, self.matrix(features), raw_score=True)

    def predict_pd(self, features: pd.DataFrame) -> np.ndarray:
        """Calibrated probabilities of default."""
        return apply_calibration(self.predict_raw(features), self.card["calibration"])

    def score(self, features: pd.DataFrame, reasons: bool = True, top_n: int = 4) -> pd.DataFrame:
        """Score enterprises: PD, score, grade and (optionally) reasons.

        Parameters
        ----------
        features : pandas.DataFrame
            One row per enterprise with every column in :attr:`feature_names`
            (extra columns are ignored); the index is kept.
        reasons : bool, default True
            Add a ``reasons`` column: a list of dicts ``{code, feature, value,
            contribution, direction, text_zh, text_en}`` — the ``top_n`` factors
            raising risk (largest first), then the ``top_n`` lowering it.
        top_n : int, default 4

        Returns
        -------
        pandas.DataFrame
            Columns ``pd`` (float), ``score`` (int, 300-900), ``grade`` (A-E),
            ``knockout`` (bool: live dishonest-debtor listing, a policy
            knock-out whatever the score) and ``reasons`` if asked.
        """
        _check_top_n(top_n)
        x = self.matrix(features)
        raw = predict_dense(self.booster, x, raw_score=True)
        out = self._scored(features.index, raw, features)
        if reasons:
            contrib = predict_dense(self.booster, x, pred_contrib=True)[:, : x.shape[1]]
            long = reason_frame(contrib, self.feature_names, features, top_n)
            out["reasons"] = pd.Series(reasons_as_lists(long, len(features)), index=out.index, dtype=object)
        return out

    def explain(self, features: pd.DataFrame, top_n: int = 4) -> pd.DataFrame:
        """Reasons as a long table (one row per enterprise and reason).

        Returns
        -------
        pandas.DataFrame
            Columns ``<index name or 'index'>, rank, code, feature, value,
            contribution, direction, text_zh, text_en``.
        """
        _check_top_n(top_n)
        x = self.matrix(features)
        contrib = predict_dense(self.booster, x, pred_contrib=True)[:, : x.shape[1]]
        long = reason_frame(contrib, self.feature_names, features, top_n)
        key = features.index.name or "index"
        long.insert(0, key, features.index.to_numpy()[long["row"].to_numpy()])
        return long.drop(columns=["row"])

    def _scored(self, index: pd.Index, raw: np.ndarray, features: pd.DataFrame) -> pd.DataFrame:
        pd_ = apply_calibration(raw, self.card["calibration"])
        score = pd_to_score(pd_, self.card["scorecard"])
        grade = assign_grades(score, self.card["grades"]["cutoffs"])
        out = pd.DataFrame({"pd": pd_, "score": score, "grade": grade}, index=index)
        if "dishonest_listed" in features.columns:
            listed = pd.to_numeric(features["dishonest_listed"], errors="coerce")
            out["knockout"] = (listed.fillna(0) > 0).to_numpy()
        else:
            out["knockout"] = False
        return out

    def psi(self, scores: np.ndarray) -> float:
        """Population stability index of new scores against the card's baseline."""
        baseline = self.card["psi_baseline"]
        return psi(baseline["shares"], score_distribution(scores, tuple(baseline["edges"])))


def _check_top_n(top_n: object) -> None:
    if isinstance(top_n, bool) or not isinstance(top_n, (int, np.integer)):
        raise TypeError(f"top_n must be an int, got {type(top_n).__name__}")
    if top_n < 1:
        raise ValueError(f"top_n must be >= 1, got {top_n}")


_CARD_KEYS = ("format", "version", "features", "calibration", "scorecard", "grades")


def _check_card(card: object) -> None:
    if not isinstance(card, dict):
        raise ModelFormatError("the model card must be a JSON object")
    missing = [k for k in _CARD_KEYS if k not in card]
    if missing:
        raise ModelFormatError(f"the model card lacks {', '.join(missing)}")
    if card["format"] != CARD_FORMAT:
        raise ModelFormatError(f"unsupported model card format {card['format']!r}; expected {CARD_FORMAT!r}")


def _write_json(path: Path, data: object) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False)
    path.write_text(text + "\n", encoding="utf-8")
