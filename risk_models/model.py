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

import hashlib
import json
import shutil
import tempfile
from collections.abc import Hashable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from risk_models.calibration import apply_calibration
from risk_models.coercion import parse_numbers
from risk_models.compiled import CompiledForest, cache_dir_for
from risk_models.contrib import contributions, tree_keys
from risk_models.exceptions import MissingColumnsError, ModelFormatError
from risk_models.explain import reason_columns, reason_frame, reasons_as_lists
from risk_models.grades import grade_pd
from risk_models.logistic import MODEL_TYPE as LOGISTIC
from risk_models.logistic import logistic_contrib, logistic_raw
from risk_models.metrics import psi, score_distribution
from risk_models.scorecard import pd_to_score

if TYPE_CHECKING:
    # Imported where a booster is read or checked: LightGBM (and scikit-learn, which it
    # loads) costs about a second, paid otherwise by every process that imports this
    # module, e.g. each manage.py command through the back office's hooks.
    import lightgbm as lgb

CARD_FORMAT = "loanhub-risk-model/1"
MODEL_FILE = "model.txt"
CARD_FILE = "model_card.json"
METRICS_FILE = "metrics.json"
#: Rows explained at a time: TreeSHAP output and reason tables stay this size.
REASON_CHUNK = 50_000


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
    if x.shape[0] == 0:  # LightGBM divides by the row count
        return np.zeros((0, x.shape[1] + 1) if pred_contrib else 0, dtype=np.float64)
    out = booster.predict(x, raw_score=raw_score, pred_contrib=pred_contrib)
    if not isinstance(out, np.ndarray):
        raise TypeError(f"expected a dense prediction, got {type(out).__name__}")
    return out


def encode_features(frame: pd.DataFrame, features: Sequence[Mapping[str, Any]]) -> np.ndarray:
    """Turn a frame into the float matrix the booster expects.

    Numeric features are read with :func:`risk_models.coercion.parse_numbers`
    (``"129,000"`` is 129000; unparseable → NaN, counted by
    :func:`risk_models.coercion.coercion_report`).
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
            out[:, j] = parse_numbers(column).to_numpy(dtype=np.float64, na_value=np.nan)
    return out


def used_values(x: np.ndarray, features: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """The values the model used, per feature: numbers as read, levels by name (None = missing).

    Reasons quote these, so a value scoring could not read (``"129,000x"``, an
    unseen category) is worded as missing, as the model saw it.
    """
    columns: dict[str, np.ndarray] = {}
    for j, spec in enumerate(features):
        if spec["type"] == "categorical":
            levels = np.asarray([*spec["levels"], None], dtype=object)
            codes = x[:, j]
            columns[str(spec["name"])] = levels[np.where(np.isnan(codes), len(levels) - 1, codes).astype(np.int64)]
        else:
            columns[str(spec["name"])] = x[:, j]
    return pd.DataFrame(columns)


def encode_categorical(column: pd.Series, levels: list[str]) -> np.ndarray:
    """Codes 0..len(levels)-1 of ``column`` as strings; NaN when unknown/missing.

    Vectorised: the column is factorised once and only its distinct values are
    turned into stripped strings and looked up among the levels.
    """
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    cleaned = pd.Index([str(v).strip() for v in uniques], dtype=object)
    lookup = pd.Index(levels, dtype=object).get_indexer(cleaned).astype(np.float64)
    lookup[lookup < 0] = np.nan
    out = np.full(codes.size, np.nan)
    present = codes >= 0
    out[present] = lookup[codes[present]]
    return out


class RiskModel:
    """A LightGBM booster (or a logistic scorecard) with its model card.

    Parameters
    ----------
    booster : lightgbm.Booster or None
        None exactly when the card's ``model_type`` is ``"logistic_scorecard"``
        (its coefficients are in the card's ``logistic`` section).
    card : dict
        The model card (see module docstring and docs/risk_models.md).
    folder : pathlib.Path, optional
        The folder the model was loaded from (holds the compile cache).
    """

    def __init__(self, booster: lgb.Booster | None, card: dict[str, Any], folder: Path | None = None) -> None:
        _check_card(card)
        if is_logistic(card):
            if booster is not None:
                raise TypeError("a logistic scorecard card takes no booster")
            if len(card["logistic"]["features"]) != len(card["features"]):
                raise ModelFormatError("the card's logistic section and feature list differ in length")
        elif not isinstance(booster, _lightgbm().Booster):
            raise TypeError(f"booster must be a lightgbm.Booster, got {type(booster)}")
        elif booster.num_feature() != len(card["features"]):
            raise ModelFormatError(f"booster has {booster.num_feature()} features, card lists {len(card['features'])}")
        self.booster = booster
        self.card = card
        self.folder = folder
        self._forest = None if booster is None else CompiledForest(booster, cache_dir_for(folder))
        self._tree_keys: list[Any] | None = None

    @property
    def forest(self) -> CompiledForest | None:
        """The (possibly compiled) tree scorer; None for a logistic scorecard."""
        return self._forest

    def _raw(self, x: np.ndarray, compiled: bool | None = None) -> np.ndarray:
        if x.shape[0] == 0:  # a header-only file: nothing to score (LightGBM divides by the row count)
            return np.zeros(0, dtype=np.float64)
        if self._forest is None:
            return logistic_raw(x, self.card["logistic"])
        return self._forest.raw(x, compiled)

    def _contrib(self, x: np.ndarray) -> np.ndarray:
        """Contributions plus the expected value (last column), as ``pred_contrib`` gives them."""
        if self.booster is None:
            return logistic_contrib(x, self.card["logistic"])
        if self._tree_keys is None:
            try:
                self._tree_keys = tree_keys(self.booster)
            except (ValueError, KeyError):  # a tree this grouping does not cover: LightGBM's own TreeSHAP
                self._tree_keys = []
        if not self._tree_keys or x.shape[0] < 2 * len(self._tree_keys):
            return predict_dense(self.booster, x, pred_contrib=True)
        return contributions(self.booster, x, self._tree_keys)

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
        if not (folder / CARD_FILE).is_file():
            raise ModelFormatError(
                f"{folder} is not a model folder: no {CARD_FILE} (a model folder holds {MODEL_FILE} and {CARD_FILE})"
            )
        try:
            card = json.loads((folder / CARD_FILE).read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ModelFormatError(f"{folder / CARD_FILE} is not valid JSON: {exc}") from exc
        if isinstance(card, dict) and is_logistic(card):
            return cls(None, card, folder)  # coefficients live in the card: no model.txt
        if not (folder / MODEL_FILE).is_file():
            raise ModelFormatError(f"{folder} is not a model folder: no {MODEL_FILE}")
        booster = _read_booster(folder / MODEL_FILE, card)
        return cls(booster, card, folder)

    def save(self, path: str | Path) -> Path:
        """Write ``model.txt``, ``model_card.json`` and ``metrics.json`` to a folder.

        Parameters
        ----------
        path : str or pathlib.Path
            A new folder, an empty one or a model folder (replaced as a
            whole). The files are written to a staging folder beside it, which
            is then renamed into place, so a reader sees the old model or the
            new one, never a mix or a half-written file. ``model.txt``'s
            SHA-256 goes into the card (``model_sha256``), which :meth:`load`
            checks before LightGBM parses the file (``load`` takes it out of
            the card again; ``self.card`` is not changed by saving).

        Returns
        -------
        pathlib.Path
        """
        return _save_atomically(Path(path), self.booster, self.card)

    # -- scoring ---------------------------------------------------------- #

    def matrix(self, features: pd.DataFrame) -> np.ndarray:
        """The encoded feature matrix (see :func:`encode_features`)."""
        if not isinstance(features, pd.DataFrame):
            raise TypeError(f"features must be a DataFrame, got {type(features).__name__}")
        return encode_features(features, self.card["features"])

    def predict_raw(self, features: pd.DataFrame) -> np.ndarray:
        """Raw log-odds margins of the model."""
        return self._raw(self.matrix(features))

    def predict_pd(self, features: pd.DataFrame) -> np.ndarray:
        """Calibrated probabilities of default."""
        return apply_calibration(self.predict_raw(features), self.card["calibration"])

    def score(
        self,
        features: pd.DataFrame,
        reasons: bool = True,
        top_n: int = 4,
        compiled: bool | None = None,
    ) -> pd.DataFrame:
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
        compiled : bool, optional
            Score trees with the compiled model (see :mod:`risk_models.compiled`);
            None compiles for large batches or when a cached object exists.

        Returns
        -------
        pandas.DataFrame
            Columns ``pd`` (float), ``score`` (int, 300-900), ``grade`` (A-E),
            ``knockout`` (bool: live dishonest-debtor listing, a policy
            knock-out whatever the score) and ``reasons`` if asked.
        """
        _check_top_n(top_n)
        x = self.matrix(features)
        out = self._scored(features.index, self._raw(x, compiled), features)
        if reasons:
            lists: list[list[dict[Hashable, Any]]] = []
            for start in range(0, len(features), REASON_CHUNK):
                part = slice(start, start + REASON_CHUNK)
                long = self._reason_frame(x[part], features.iloc[part], top_n)
                lists.extend(reasons_as_lists(long, x[part].shape[0]))
            out["reasons"] = pd.Series(lists, index=out.index, dtype=object)
        return out

    def _reason_frame(self, x: np.ndarray, features: pd.DataFrame, top_n: int, lowering: bool = True) -> pd.DataFrame:
        contrib = self._contrib(x)[:, : x.shape[1]]
        values = used_values(x, self.card["features"])  # quote what the model used, not the raw text
        return reason_frame(contrib, self.feature_names, values, top_n, lowering=lowering)

    def score_chunks(
        self,
        features: pd.DataFrame,
        *,
        reasons: bool = True,
        top_n: int = 4,
        chunk_size: int = REASON_CHUNK,
        compiled: bool | None = None,
    ) -> Iterator[pd.DataFrame]:
        """Score in chunks with flat-table reasons, for files too large to hold as lists of dicts.

        Yields one frame per chunk: ``pd, score, grade, knockout`` and, with
        ``reasons``, ``reason_1..top_n`` (codes), ``reason_k_zh`` and
        ``reason_k_en`` of the factors raising risk, largest first (blank when
        fewer raise it). Memory stays proportional to ``chunk_size``.
        """
        _check_top_n(top_n)
        if chunk_size < 1:
            raise ValueError(f"chunk_size must be >= 1, got {chunk_size}")
        x_all = self.matrix(features)
        raw_all = self._raw(x_all, compiled)
        for start in range(0, max(len(features), 1), chunk_size):
            part = slice(start, start + chunk_size)
            rows = features.iloc[part]
            out = self._scored(rows.index, raw_all[part], rows)
            if reasons:
                long = self._reason_frame(x_all[part], rows, top_n, lowering=False)
                for name, column in reason_columns(long, len(rows), top_n).items():
                    out[name] = column
            yield out

    def explain(self, features: pd.DataFrame, top_n: int = 4) -> pd.DataFrame:
        """Reasons as a long table (one row per enterprise and reason).

        Returns
        -------
        pandas.DataFrame
            Columns ``<index name or 'index'>, rank, code, feature, value,
            contribution, direction, text_zh, text_en``.
        """
        _check_top_n(top_n)
        long = self._reason_frame(self.matrix(features), features, top_n)
        key = features.index.name or "index"
        long.insert(0, key, features.index.to_numpy()[long["row"].to_numpy()])
        return long.drop(columns=["row"])

    def _scored(self, index: pd.Index, raw: np.ndarray, features: pd.DataFrame) -> pd.DataFrame:
        pd_ = apply_calibration(raw, self.card["calibration"])
        score = pd_to_score(pd_, self.card["scorecard"])
        grade = grade_pd(pd_, self.card["scorecard"], self.card["grades"])
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


def is_logistic(card: Mapping[str, Any]) -> bool:
    """Whether a card describes a logistic scorecard (no LightGBM booster)."""
    return card.get("model_type") == LOGISTIC


def _check_card(card: object) -> None:
    if not isinstance(card, dict):
        raise ModelFormatError("the model card must be a JSON object")
    missing = [k for k in _CARD_KEYS if k not in card]
    if missing:
        raise ModelFormatError(f"the model card lacks {', '.join(missing)}")
    if card["format"] != CARD_FORMAT:
        raise ModelFormatError(f"unsupported model card format {card['format']!r}; expected {CARD_FORMAT!r}")


_MODEL_FOLDER_FILES = {MODEL_FILE, CARD_FILE, METRICS_FILE, "compiled"}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _save_atomically(folder: Path, booster: lgb.Booster | None, card: dict[str, Any]) -> Path:
    """Write a model folder through a staging folder and a rename (see :meth:`RiskModel.save`)."""
    if folder.exists() and not folder.is_dir():
        raise ModelFormatError(f"cannot save a model to {folder}: it is a file")
    if folder.is_dir():
        other = sorted(p.name for p in folder.iterdir() if p.name not in _MODEL_FOLDER_FILES)
        if other:
            raise ModelFormatError(
                f"cannot save a model to {folder}: it holds other files ({', '.join(other[:5])}); "
                "give a new or empty folder, or a model folder to replace"
            )
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.saving-", dir=folder.parent))
    old: Path | None = None
    try:
        staging.chmod(0o755)
        written = {k: v for k, v in card.items() if k != "model_sha256"}
        if booster is not None:
            booster.save_model(str(staging / MODEL_FILE))
            written["model_sha256"] = _sha256(staging / MODEL_FILE)
        _write_json(staging / CARD_FILE, written)
        _write_json(staging / METRICS_FILE, card.get("metrics", {}))
        if folder.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{folder.name}.old-", dir=folder.parent))
            old.rmdir()
            folder.rename(old)
        staging.rename(folder)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
        if old is not None:
            if folder.exists():
                shutil.rmtree(old, ignore_errors=True)
            else:
                old.rename(folder)  # the new folder did not land: put the old model back
    return folder


def _lightgbm() -> Any:
    import lightgbm

    return lightgbm


def _read_booster(path: Path, card: object) -> lgb.Booster:
    """Parse ``model.txt`` after checking it against the card's SHA-256.

    LightGBM aborts the process (SIGABRT, sometimes a segfault) on some
    truncated or altered files, so the bytes are checked first: against
    ``model_sha256`` when the card has one, else (older cards) for the
    ``end of trees`` marker every complete file has. The checked digest is
    taken out of the card (the in-memory card equals the one saved).
    """
    data = path.read_bytes()
    expected = card.pop("model_sha256", None) if isinstance(card, dict) else None
    if expected is not None:
        actual = hashlib.sha256(data).hexdigest()
        if actual != expected:
            raise ModelFormatError(
                f"{path} does not match the model card (SHA-256 {actual[:12]}… != {str(expected)[:12]}…): "
                "the file was altered or truncated; restore the model folder or retrain"
            )
    elif b"end of trees" not in data:
        raise ModelFormatError(f"{path} is incomplete (no 'end of trees' line): truncated or not a LightGBM model")
    lightgbm = _lightgbm()
    try:
        booster: lgb.Booster = lightgbm.Booster(model_str=data.decode("utf-8"))
        return booster
    except (lightgbm.basic.LightGBMError, UnicodeDecodeError) as exc:
        raise ModelFormatError(f"{path} cannot be read: {exc}") from exc


def _write_json(path: Path, data: object) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False)
    path.write_text(text + "\n", encoding="utf-8")
