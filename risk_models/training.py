"""Train a LightGBM PD model on any labelled frame, validate, calibrate, grade.

Validation:

* with ``time_col``: the latest ``oot_fraction`` of rows by time form the
  out-of-time (OOT) test set; the earlier rows are split 80/20 (stratified,
  seeded) into a fitting set and a validation set used for early stopping,
  calibration and grade cut-offs. Reported metrics are on the OOT set and the
  shipped booster is exactly the one evaluated.
* without: stratified ``cv``-fold cross-validation; each fold model stops early
  on 10% of its training part; calibration, cut-offs and metrics use the
  out-of-fold predictions; the shipped booster is refitted on all rows with
  the median best iteration.
"""

from __future__ import annotations

import difflib
import hashlib
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd

from risk_models import __version__, guards, monotone
from risk_models.calibration import apply_calibration, fit_isotonic, fit_platt, select_calibration
from risk_models.coercion import parse_dates, prepare_training_frame
from risk_models.exceptions import DataError
from risk_models.feature_dictionary import direction_of
from risk_models.grades import INTENDED_SHARES, check_grades, grade_pd, grades_section, set_cutoffs
from risk_models.logistic import MODEL_TYPE as LOGISTIC
from risk_models.logistic import fit_logistic, logistic_raw
from risk_models.metrics import (
    SCORE_BIN_EDGES,
    auc,
    bootstrap_auc_std,
    brier,
    calibration_table,
    grade_table,
    is_monotone_increasing,
    ks,
    score_distribution,
)
from risk_models.model import CARD_FORMAT, RiskModel, encode_features, predict_dense
from risk_models.scorecard import DEFAULT_SCORECARD, GRADES, pd_to_score
from risk_models.selection import SCREEN_FOLDS, Candidate, candidates, choose, prune

Progress = Callable[[str], None] | None

DEFAULT_PARAMS: dict[str, Any] = {
    "objective": "binary",
    "learning_rate": 0.05,
    "num_leaves": 15,
    "min_data_in_leaf": 40,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "cat_smooth": 10.0,
    "max_cat_to_onehot": 8,
    "verbosity": -1,
    "deterministic": True,
    "force_row_wise": True,
    "num_threads": 2,
}
MAX_ROUNDS = 1000
EARLY_STOPPING_ROUNDS = 50
#: Above this many fitting rows the learning rate grows and the round cap with it.
LARGE_DATA_ROWS = 200_000
#: Folds of the model selection on the in-time rows of an out-of-time split (bounds its cost).
OOT_SELECTION_FOLDS = 3
MAX_LEVELS = 200
MIN_CLASS_COUNT = 10


@dataclass
class _Columns:
    """Feature columns chosen from a frame, with the reasons for dropped ones."""

    features: list[dict[str, Any]]
    dropped: dict[str, str]


# --------------------------------------------------------------------------- #
# parameter checks


def _check_parameters(
    data: object,
    target: object,
    time_col: object,
    id_col: object,
    cv: object,
    oot_fraction: object,
    calibration: object,
    exclude: object,
) -> None:
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    if not isinstance(target, str):
        raise TypeError(f"target must be a column name (str), got {target!r}")
    names = {"target": target, "time_col": time_col, "id_col": id_col}
    for label, column in names.items():
        if column is not None and column not in data.columns:
            raise ValueError(f"{label} {column!r} is not a column of the data; columns are {list(data.columns)[:20]}")
    if isinstance(cv, bool) or not isinstance(cv, (int, np.integer)) or not 2 <= cv <= 20:
        raise ValueError(f"cv must be an int between 2 and 20, got {cv!r}")
    if not isinstance(oot_fraction, (int, float)) or not 0.05 <= oot_fraction <= 0.5:
        raise ValueError(f"oot_fraction must lie in [0.05, 0.5], got {oot_fraction!r}")
    if calibration not in ("auto", "platt", "isotonic"):
        raise ValueError(f"calibration must be 'auto', 'platt' or 'isotonic', got {calibration!r}")
    if isinstance(exclude, str) or not isinstance(exclude, Sequence):
        raise TypeError("exclude must be a list of column names")


# --------------------------------------------------------------------------- #
# target and columns


def make_target(values: pd.Series, positive: object = None, negative: object = None) -> np.ndarray:
    """Binary target (1 = event, e.g. default) from a label column.

    Parameters
    ----------
    values : pandas.Series
        Labels; missing labels give NaN.
    positive : object, optional
        The label meaning "bad". Without it the column must be boolean or
        contain only 0 and 1.
    negative : object or sequence, optional
        The label(s) meaning "good" (with ``positive``); rows with any other
        label give NaN (left out). Without it every label but ``positive`` is
        good.

    Returns
    -------
    numpy.ndarray of float (0, 1 or NaN)
    """
    present = values.notna().to_numpy()
    if positive is not None and negative is not None:
        bad = _label_hits(values, [positive])
        goods = list(negative) if isinstance(negative, (list, tuple, set)) else [negative]
        good = _label_hits(values, goods) & ~bad
        for label in goods:
            if not _label_hits(values, [label])[present].any():
                labels = sorted(map(str, values.dropna().unique()))[:10]
                raise ValueError(f"negative label {label!r} does not occur in {values.name!r}; labels are {labels}")
    if positive is not None:
        if pd.api.types.is_numeric_dtype(values) and _is_number(positive):
            # _is_number(positive) holds, so float(str(...)) is exactly the value it checked.
            hit: np.ndarray = values.to_numpy(dtype=np.float64, na_value=np.nan) == float(str(positive))
        else:
            hit = (values.astype(str).str.strip() == str(positive).strip()).to_numpy()
        if not hit[present].any():
            labels = sorted(map(str, values.dropna().unique()))[:10]
            raise ValueError(f"positive label {positive!r} does not occur in {values.name!r}; labels are {labels}")
        if negative is not None:
            return np.where(present & bad, 1.0, np.where(present & good, 0.0, np.nan))
        return np.where(present, hit.astype(np.float64), np.nan)
    numeric = pd.to_numeric(values, errors="coerce") if values.dtype != bool else values
    y = numeric.astype(np.float64).to_numpy()
    observed = set(np.unique(y[~np.isnan(y)]).tolist())
    if numeric.notna().sum() != values.notna().sum() or not observed <= {0.0, 1.0}:
        labels = sorted(map(str, values.dropna().unique()))[:10]
        raise ValueError(
            f"target {values.name!r} is not 0/1 (labels {labels}); pass positive=LABEL "
            "(CLI: --positive LABEL) to say which label is the bad outcome"
        )
    return y


def _label_hits(values: pd.Series, labels: Sequence[object]) -> np.ndarray:
    """Rows whose label is one of ``labels`` (numbers compared as numbers, text stripped)."""
    out = np.zeros(len(values), dtype=bool)
    for label in labels:
        if pd.api.types.is_numeric_dtype(values) and _is_number(label):
            out |= values.to_numpy(dtype=np.float64, na_value=np.nan) == float(str(label))
        else:
            out |= (values.astype(str).str.strip() == str(label).strip()).to_numpy()
    return out


def _is_number(value: object) -> bool:
    try:
        float(str(value))
    except ValueError:
        return False
    return True


def infer_columns(frame: pd.DataFrame, directions: Mapping[str, int] | None = None) -> _Columns:
    """Choose features: numbers stay numeric, text becomes categorical.

    Dates, constant columns and identifier-like text (more than half the rows
    distinct, over 50 distinct values) are dropped; a categorical keeps at most
    200 levels (the most frequent; the rest read as missing).
    """
    directions = dict(directions or {})
    features: list[dict[str, Any]] = []
    dropped: dict[str, str] = {}
    for name in frame.columns:
        column = frame[name]
        kind = _column_kind(column)
        if kind.startswith("drop:"):
            dropped[str(name)] = kind[5:]
            continue
        spec: dict[str, Any] = {"name": str(name), "type": kind}
        if kind == "categorical":
            spec["levels"] = _levels(column)
            spec["direction"] = 0
            outside = _outside_share(column, spec["levels"])
            if outside > 0:  # levels beyond the kept ones score as missing; the coercion report allows for it
                spec["outside_levels_share"] = outside
        else:
            spec["direction"] = int(directions.get(str(name), direction_of(str(name))))
        features.append(spec)
    if not features:
        raise ValueError(f"no usable feature columns (all were dropped: {dropped})")
    return _Columns(features, dropped)


def _column_kind(column: pd.Series) -> str:
    if pd.api.types.is_datetime64_any_dtype(column):
        return "drop:date column"
    if column.nunique(dropna=True) <= 1:
        return "drop:constant"
    if pd.api.types.is_bool_dtype(column) or pd.api.types.is_numeric_dtype(column):
        return "numeric"
    distinct = column.nunique(dropna=True)
    if distinct > 50 and distinct > 0.5 * column.notna().sum():
        return "drop:identifier-like text (too many distinct values)"
    return "categorical"


def _outside_share(column: pd.Series, levels: list[str]) -> float:
    """Share of rows whose (present) category is not among the kept levels."""
    text = column.dropna().astype(str).str.strip()
    return round(float((~text.isin(levels)).sum()) / max(len(column), 1), 6)


def _levels(column: pd.Series) -> list[str]:
    text = column.dropna().astype(str).str.strip()
    counts = text.value_counts()
    keep = counts.sort_values(ascending=False, kind="stable").index[:MAX_LEVELS]
    return sorted(str(v) for v in keep)


def data_hash(frame: pd.DataFrame) -> str:
    """SHA-256 of a frame's column names and values (row order matters)."""
    digest = hashlib.sha256("\x1f".join(map(str, frame.columns)).encode())
    hashed = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    digest.update(hashed.tobytes())
    return digest.hexdigest()


# --------------------------------------------------------------------------- #
# splits and boosting


def stratified_folds(y: np.ndarray, k: int, seed: int) -> np.ndarray:
    """Fold number (0..k-1) per row, classes spread evenly, seeded shuffle."""
    rng = np.random.default_rng(seed)
    folds = np.empty(y.size, dtype=np.int64)
    for cls in (0.0, 1.0):
        idx = np.flatnonzero(y == cls)
        idx = idx[rng.permutation(idx.size)]
        folds[idx] = np.arange(idx.size) % k
    return folds


def boosting_schedule(n_rows: int) -> dict[str, Any]:
    """Learning rate, round cap and early-stopping patience sized to the data.

    Up to :data:`LARGE_DATA_ROWS` rows: rate 0.05, at most 1,000 rounds, patience
    50 (the historical setting). Beyond, more rows support (and need) more
    boosting: the rate grows with the square root of the size (0.11 at 1M rows,
    at most 0.2) and the cap to 5,000 rounds, so a 1M-row book stops early
    instead of at the cap (at 0.05 and 1,000 rounds it hit the cap).

    Parameters
    ----------
    n_rows : int
        Rows the booster is fitted on.

    Returns
    -------
    dict
        ``learning_rate``, ``max_rounds``, ``early_stopping_rounds``.
    """
    if n_rows <= LARGE_DATA_ROWS:
        return {"learning_rate": 0.05, "max_rounds": MAX_ROUNDS, "early_stopping_rounds": EARLY_STOPPING_ROUNDS}
    rate = min(0.2, 0.05 * float(np.sqrt(n_rows / LARGE_DATA_ROWS)))
    return {
        "learning_rate": round(rate, 4),
        "max_rounds": 5 * MAX_ROUNDS,
        "early_stopping_rounds": EARLY_STOPPING_ROUNDS,
    }


def _params(
    base: Mapping[str, Any] | None, n_fit: int, seed: int, override: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    params = dict(DEFAULT_PARAMS)
    params["min_data_in_leaf"] = int(min(40, max(5, n_fit // 100)))
    params["learning_rate"] = boosting_schedule(n_fit)["learning_rate"]
    params["seed"] = seed
    params.update(dict(override or {}))
    params.update(dict(base or {}))
    return params


def _dataset(x: np.ndarray, y: np.ndarray, cats: list[int], ref: lgb.Dataset | None = None) -> lgb.Dataset:
    return lgb.Dataset(x, label=y, categorical_feature=cats, reference=ref, free_raw_data=False)


def _boost(
    params: dict[str, Any],
    x: np.ndarray,
    y: np.ndarray,
    cats: list[int],
    valid: tuple[np.ndarray, np.ndarray] | None,
    rounds: int | None = None,
    fitter: Callable[..., lgb.Booster] | None = None,
) -> lgb.Booster:
    if fitter is not None:  # e.g. risk_models.distributed.DaskFitter: the same fit on a Dask cluster
        return fitter(params, x, y, cats, valid, rounds)
    schedule = boosting_schedule(y.size)
    train_set = _dataset(x, y, cats)
    if valid is None:
        return lgb.train(params, train_set, num_boost_round=rounds or schedule["max_rounds"])
    valid_set = _dataset(valid[0], valid[1], cats, ref=train_set)
    booster = lgb.train(
        params,
        train_set,
        num_boost_round=rounds or schedule["max_rounds"],
        valid_sets=[valid_set],
        valid_names=["valid"],
        callbacks=[lgb.early_stopping(schedule["early_stopping_rounds"], verbose=False)],
    )
    return lgb.Booster(model_str=booster.model_to_string(num_iteration=booster.best_iteration))


def _split_off(y: np.ndarray, fraction: float, seed: int) -> np.ndarray:
    """Boolean mask of a stratified random ``fraction`` of rows."""
    rng = np.random.default_rng(seed)
    mask = np.zeros(y.size, dtype=bool)
    for cls in (0.0, 1.0):
        idx = np.flatnonzero(y == cls)
        take = max(1, round(idx.size * fraction))
        mask[rng.choice(idx, size=min(take, idx.size), replace=False)] = True
    return mask


# --------------------------------------------------------------------------- #
# evaluation


def _evaluate(y: np.ndarray, raw: np.ndarray, calibration: dict[str, Any], cutoffs: list[int]) -> dict[str, Any]:
    pd_ = apply_calibration(raw, calibration)
    scores = pd_to_score(pd_, DEFAULT_SCORECARD)
    grades = grade_pd(pd_, DEFAULT_SCORECARD, grades_section(cutoffs))
    table = grade_table(y, grades, list(GRADES))
    for row, intended in zip(table, INTENDED_SHARES, strict=True):
        row["intended_share"] = intended
    value = auc(y, pd_)
    return {
        "auc": value,
        "gini": 2 * value - 1,
        "ks": ks(y, pd_),
        "brier": brier(y, pd_),
        "mean_pd": float(pd_.mean()),
        "observed_bad_rate": float(y.mean()),
        "calibration_table": calibration_table(y, pd_),
        "grades": table,
        "grade_bad_rates_monotone": is_monotone_increasing([g["bad_rate"] for g in table]),
        "grade_check": check_grades(table),
        "score_distribution": score_distribution(scores),
    }


def _fit_calibration(raw: np.ndarray, y: np.ndarray, method: str, seed: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The calibration, and how it was chosen (``auto``: Platt vs isotonic by 5-fold CV log-loss)."""
    if method == "auto":
        return select_calibration(raw, y, stratified_folds(y, 5, seed))
    fitted = fit_platt(raw, y) if method == "platt" else fit_isotonic(raw, y)
    return fitted, {"method": method, "chosen_by": "given (calibration argument)"}


@dataclass
class _Fit:
    booster: lgb.Booster | None
    calibration: dict[str, Any]
    cutoffs: list[int]
    metrics: dict[str, Any]
    reference_scores: np.ndarray
    calibration_record: dict[str, Any]
    selection: dict[str, Any] | None = None
    logistic: dict[str, Any] | None = None
    params: dict[str, Any] | None = None

    def raw(self, x: np.ndarray) -> np.ndarray:
        """Raw margins of the shipped model (booster or logistic scorecard)."""
        return _raw_of(self.booster, self.logistic, x)


def _fit_out_of_time(
    x: np.ndarray,
    y: np.ndarray,
    time: pd.Series,
    cats: list[int],
    options: dict[str, Any],
    say: Callable[[str], None],
) -> _Fit:
    order = np.argsort(time.to_numpy(), kind="stable")
    cut_value = time.to_numpy()[order[int(len(y) * (1 - options["oot_fraction"]))]]
    oot = (time >= cut_value).to_numpy()
    _require_classes(y[~oot], "the in-time rows")
    _require_classes(y[oot], f"the out-of-time rows (time >= {cut_value})")
    in_idx = np.flatnonzero(~oot)
    valid_mask = _split_off(y[in_idx], 0.2, options["seed"])
    fit_idx, val_idx = in_idx[~valid_mask], in_idx[valid_mask]
    record, winner = None, None
    if options["select"]:
        # Selection on the in-time rows only: the out-of-time rows stay an untouched test set.
        folds = stratified_folds(y[in_idx], min(options["cv"], OOT_SELECTION_FOLDS), options["seed"])
        say(f"train: model selection on {in_idx.size:,} in-time rows ({int(folds.max()) + 1} folds)")
        winner, record, _ = _cv_select(x[in_idx], y[in_idx], cats, folds, options, say)
    booster, logistic, params = None, None, {}
    if winner is not None and winner.kind == "logistic":
        say(f"train: fitting {winner.name} on {fit_idx.size:,} rows")
        logistic = fit_logistic(x[fit_idx], y[fit_idx], options["features"], float(winner.params["C"]))
    else:
        params = _params(options["params"], fit_idx.size, options["seed"], None if winner is None else winner.params)
        say(f"train: fitting on {fit_idx.size:,} rows, early stopping on {val_idx.size:,}")
        booster = _boost(params, x[fit_idx], y[fit_idx], cats, (x[val_idx], y[val_idx]), fitter=options.get("fitter"))
    val_raw = _raw_of(booster, logistic, x[val_idx])
    calibration, cal_record = _fit_calibration(val_raw, y[val_idx], options["calibration"], options["seed"])
    val_pd = apply_calibration(val_raw, calibration)
    cutoffs = set_cutoffs(val_pd)
    say(f"train: out-of-time evaluation on {int(oot.sum()):,} rows")
    oot_raw = _raw_of(booster, logistic, x[oot])
    metrics = _evaluate(y[oot], oot_raw, calibration, cutoffs)
    metrics["auc_std"] = bootstrap_auc_std(y[oot], oot_raw, seed=options["seed"])
    metrics["validation"] = "out_of_time"
    metrics["oot_auc"] = metrics["auc"]
    metrics["oot_from"] = (
        str(pd.Timestamp(cut_value).date()) if isinstance(cut_value, np.datetime64) else str(cut_value)
    )
    metrics["n_oot"] = int(oot.sum())
    metrics["in_time_validation_auc"] = auc(y[val_idx], val_raw)
    metrics["best_iteration"] = 0 if booster is None else booster.current_iteration()
    metrics.update(_round_cap(metrics["best_iteration"], fit_idx.size, params))
    _warn(metrics, say)
    return _Fit(booster, calibration, cutoffs, metrics, pd_to_score(val_pd), cal_record, record, logistic, params)


def _raw_of(booster: lgb.Booster | None, logistic: dict[str, Any] | None, x: np.ndarray) -> np.ndarray:
    if booster is not None:
        return predict_dense(booster, x, raw_score=True)
    if logistic is None:
        raise ValueError("neither a booster nor a logistic scorecard was fitted")
    return logistic_raw(x, logistic)


def _warn(metrics: Mapping[str, Any], say: Callable[[str], None]) -> None:
    """Say the holdout grade problems and a round cap reached (both are also in the card)."""
    for message in metrics["grade_check"]["messages"]:
        say(f"warning: {message}")
    if metrics.get("hit_round_cap"):
        say(f"warning: boosting stopped at the {metrics['max_rounds']}-round cap, not by early stopping")


def _round_cap(best: int, n_fit: int, params: Mapping[str, Any]) -> dict[str, Any]:
    """Whether boosting stopped at the round cap instead of by early stopping."""
    if not params:
        return {}
    schedule = boosting_schedule(n_fit)
    hit = best >= schedule["max_rounds"] - schedule["early_stopping_rounds"]
    return {"max_rounds": schedule["max_rounds"], "hit_round_cap": bool(hit)}


def _cv_select(
    x: np.ndarray,
    y: np.ndarray,
    cats: list[int],
    folds: np.ndarray,
    options: dict[str, Any],
    say: Callable[[str], None],
) -> tuple[Candidate, dict[str, Any], np.ndarray]:
    """Evaluate the candidates on shared folds (see :mod:`risk_models.selection`).

    Returns the winner, the card's ``selection`` section and the winner's
    out-of-fold raw margins. Without ``options["select"]`` the only candidate is
    the default LightGBM setting (the historical behaviour).
    """
    k, seed = int(folds.max()) + 1, options["seed"]
    n_train = int(np.sum(folds != 0))
    base = _params(options["params"], n_train, seed)
    constrained = any(int(f.get("direction", 0)) != 0 for f in options["features"])
    if options["select"]:
        pool = candidates(base, options["features"], logistic=not constrained)
    else:
        pool = [Candidate("lgb_default", "lightgbm", {})]
    for c in pool:
        if c.kind == "lightgbm":
            c.params.setdefault("learning_rate", base["learning_rate"])
    oof = {c.name: np.full(y.size, np.nan) for c in pool}
    for fold in range(k):
        if fold == SCREEN_FOLDS:
            prune(pool)
        train_idx, test = np.flatnonzero(folds != fold), folds == fold
        for c in pool:
            if c.pruned:
                continue
            start = time.perf_counter()
            oof[c.name][test] = _fit_fold(c, x, y, cats, train_idx, test, fold, options)
            c.seconds += time.perf_counter() - start
            c.fold_aucs.append(auc(y[test], oof[c.name][test]))
        shown = ", ".join(f"{c.name} {c.fold_aucs[-1]:.4f}" for c in pool if not c.pruned)
        say(f"train: fold {fold + 1}/{k} AUC {shown}")
    winner, record = choose(pool, k)
    if options["select"]:
        say(f"train: selected {winner.name}: {record['reason']}")
    return winner, record, oof[winner.name]


def _fit_fold(
    c: Candidate,
    x: np.ndarray,
    y: np.ndarray,
    cats: list[int],
    train_idx: np.ndarray,
    test: np.ndarray,
    fold: int,
    options: dict[str, Any],
) -> np.ndarray:
    seed = options["seed"]
    if c.kind == "logistic":
        section = fit_logistic(x[train_idx], y[train_idx], options["features"], float(c.params["C"]))
        return logistic_raw(x[test], section)
    stop = _split_off(y[train_idx], 0.1, seed + fold)
    fit_idx, es_idx = train_idx[~stop], train_idx[stop]
    params = _params(options["params"], train_idx.size, seed, c.params)
    booster = _boost(params, x[fit_idx], y[fit_idx], cats, (x[es_idx], y[es_idx]), fitter=options.get("fitter"))
    c.iterations.append(booster.current_iteration())
    return predict_dense(booster, x[test], raw_score=True)


def _fit_cross_validated(
    x: np.ndarray,
    y: np.ndarray,
    cats: list[int],
    options: dict[str, Any],
    say: Callable[[str], None],
) -> _Fit:
    k, seed = options["cv"], options["seed"]
    folds = stratified_folds(y, k, seed)
    winner, record, oof = _cv_select(x, y, cats, folds, options, say)
    booster, logistic, params, rounds = None, None, {}, 0
    if winner.kind == "lightgbm":
        rounds = max(1, int(np.median(winner.iterations)))
        say(f"train: refitting on all {y.size:,} rows for {rounds} rounds")
        params = _params(options["params"], y.size, seed, winner.params)
        booster = _boost(params, x, y, cats, None, rounds, fitter=options.get("fitter"))
    else:
        say(f"train: refitting {winner.name} on all {y.size:,} rows")
        logistic = fit_logistic(x, y, options["features"], float(winner.params["C"]))
    calibration, cal_record = _fit_calibration(oof, y, options["calibration"], seed)
    pd_ = apply_calibration(oof, calibration)
    cutoffs = set_cutoffs(pd_)
    metrics = _evaluate(y, oof, calibration, cutoffs)
    metrics.update(
        {
            "auc": float(np.mean(winner.fold_aucs)),
            "auc_std": float(np.std(winner.fold_aucs)),
            "fold_aucs": winner.fold_aucs,
            "oof_auc": auc(y, oof),
            "validation": "stratified_kfold",
            "cv": k,
            "best_iteration": rounds,
        }
    )
    metrics.update(_round_cap(max(winner.iterations, default=0), int(np.sum(folds != 0)), params))
    _warn(metrics, say)
    return _Fit(booster, calibration, cutoffs, metrics, pd_to_score(pd_), cal_record, record, logistic, params)


def _require_classes(y: np.ndarray, where: str) -> None:
    n_pos = int((y == 1).sum())
    n_neg = int((y == 0).sum())
    if min(n_pos, n_neg) < MIN_CLASS_COUNT:
        raise ValueError(
            f"{where} hold {n_pos} positive and {n_neg} negative rows; at least {MIN_CLASS_COUNT} of each are needed"
        )


# --------------------------------------------------------------------------- #
# public API


def train(
    data: pd.DataFrame,
    target: str,
    *,
    positive: object = None,
    time_col: str | None = None,
    id_col: str | None = None,
    exclude: Sequence[str] = (),
    cv: int = 5,
    oot_fraction: float = 0.25,
    directions: Mapping[str, int] | None = None,
    params: Mapping[str, Any] | None = None,
    calibration: str = "auto",
    select: bool = True,
    seed: int = 0,
    version: str | None = None,
    source: Mapping[str, Any] | None = None,
    progress: Progress = None,
    negative: object = None,
    protected: Sequence[str] = (),
    monotone_auto: bool = False,
    dayfirst: bool | None = None,
    date_format: str | None = None,
    force: bool = False,
    fitter: Callable[..., lgb.Booster] | None = None,
) -> RiskModel:
    """Train, validate and calibrate a PD model on a labelled frame.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per loan (or case): the target, optional time and id columns,
        and feature columns (numbers stay numeric; text becomes categorical
        with its levels stored in the card).
    target : str
        The label column.
    positive : object, optional
        The label value meaning "bad"; required unless the target is 0/1.
    time_col : str, optional
        A date (or sortable) column: enables out-of-time validation.
    id_col : str, optional
        An identifier column, never used as a feature.
    exclude : sequence of str
        Other columns not to use as features.
    cv : int, default 5
        Folds of stratified cross-validation (used without ``time_col``).
    oot_fraction : float, default 0.25
        Share of the latest rows held out as the out-of-time test set.
    directions : mapping of str to int, optional
        Monotone direction per feature (+1 raises risk, -1 lowers, 0 free);
        defaults to the feature dictionary's directions for known names.
    params : mapping, optional
        LightGBM parameters overriding :data:`DEFAULT_PARAMS`.
    calibration : {"auto", "platt", "isotonic"}, default "auto"
        ``auto`` chooses Platt or isotonic by cross-validated log-loss on the
        calibration sample (recorded in the card's ``calibration_selection``).
    select : bool, default True
        Choose the model among LightGBM settings and a logistic scorecard by
        cross-validated AUC on shared folds (:mod:`risk_models.selection`);
        False trains the default LightGBM setting only.
    seed : int, default 0
    version : str, optional
        Defaults to ``"<prefix>-<first 12 hex digits of the data hash>"``.
    source : mapping, optional
        Provenance recorded in the card's ``training`` section.
    progress : callable, optional
        Called with short progress messages.
    negative : object or sequence, optional
        The label(s) meaning "good"; rows with other labels are left out.
        Needed (unless ``force``) when the target has more than two labels.
    protected : sequence of str
        Protected attributes (e.g. sex, ethnicity): never features, hence
        never reasons; listed in the card (``training.protected``).
    monotone_auto : bool, default False
        Give each numeric feature without a direction (from ``directions`` or
        the feature dictionary) the one suggested by the data
        (:func:`risk_models.monotone.suggest_directions`).
    dayfirst, date_format : optional
        How to read a text ``time_col`` (see :func:`risk_models.coercion.parse_dates`).
    force : bool, default False
        Train despite guard warnings (:mod:`risk_models.guards`) instead of
        raising :class:`~risk_models.guards.GuardError`; the warnings are
        recorded in the card (``guards.forced``).
    fitter : callable, optional
        Fits the LightGBM booster instead of ``lgb.train``:
        ``fitter(params, x, y, categorical_indices, valid, rounds) -> Booster``
        (``valid`` is ``(x, y)`` for early stopping or None; ``rounds`` a fixed
        round count or None). :func:`risk_models.distributed.train_distributed`
        passes one that trains with ``lightgbm.dask``.

    Returns
    -------
    RiskModel
        With ``card["metrics"]`` holding ``auc``, ``auc_std``, ``ks``, ``gini``,
        ``brier``, ``n_rows``, ``bad_rate``, the calibration table and the
        per-grade default rates.
    """
    _check_parameters(data, target, time_col, id_col, cv, oot_fraction, calibration, exclude)
    say = progress or (lambda message: None)
    _check_names(data, {"exclude": exclude, "protected": protected})
    warnings = guards.check_labels(data[target], positive, negative)
    y_all = make_target(data[target], positive, negative)
    keep = ~np.isnan(y_all)
    frame, y = data.loc[keep].reset_index(drop=True), y_all[keep]
    _require_classes(y, "the labelled rows")
    skip = {target, time_col, id_col, *exclude, *protected} - {None}
    prepared = prepare_training_frame(frame.drop(columns=[c for c in frame.columns if c in skip]))
    feature_frame = prepared.frame
    columns = infer_columns(feature_frame, directions)
    columns.dropped = {**prepared.dropped, **columns.dropped}
    not_features = _not_features(columns.dropped, target, time_col, id_col, exclude, protected)
    monotone.check_directions(dict(directions or {}), data.columns, columns.features, not_features)
    suggested = monotone.suggest_directions(feature_frame, columns.features, y, seed)
    if monotone_auto:
        _apply_suggestions(columns.features, suggested, directions)
    warnings += guards.check_size(y) + guards.check_id_like(feature_frame, columns.features)
    warnings += guards.check_leaks(feature_frame, columns.features, y)
    forced = guards.enforce(warnings, force)
    n_feat = len(columns.features)
    say(f"train: {len(y):,} rows, {n_feat} features, bad rate {y.mean():.2%}")
    x = encode_features(feature_frame, columns.features)
    cats = [j for j, f in enumerate(columns.features) if f["type"] == "categorical"]
    options = {
        "cv": int(cv),
        "oot_fraction": float(oot_fraction),
        "params": _with_monotone(params, columns.features),
        "features": columns.features,
        "select": bool(select),
        "calibration": calibration,
        "seed": int(seed),
        "fitter": fitter,
    }
    if time_col is not None:
        time_values = _time_values(frame[time_col], dayfirst=dayfirst, date_format=date_format)
        fit = _fit_out_of_time(x, y, time_values, cats, options, say)
    else:
        fit = _fit_cross_validated(x, y, cats, options, say)
    forced += guards.enforce(guards.check_auc(float(fit.metrics["auc"]), str(fit.metrics["validation"])), force)
    digest = data_hash(pd.concat([feature_frame, frame[[target]]], axis=1))
    card = _card(
        fit,
        columns,
        options,
        digest,
        version,
        source,
        target,
        positive,
        time_col,
        id_col,
        y,
        int((~keep).sum()),
    )
    card["training"].update(
        {"excluded": [str(c) for c in exclude], "protected": [str(c) for c in protected], "negative": negative}
    )
    card["training"]["numbers_from_text"] = prepared.number_text
    card["guards"] = {"forced": forced, "force": bool(force)}
    card["monotone"] = _monotone_card(fit.raw, x, columns.features, suggested, monotone_auto, directions, seed)
    return RiskModel(fit.booster, _clean(card))


def _check_names(data: pd.DataFrame, lists: Mapping[str, Sequence[str]]) -> None:
    """Names given to ``exclude`` / ``protected`` must be columns (a typo would let a column through)."""
    for option, names in lists.items():
        if isinstance(names, str) or not isinstance(names, Sequence):
            raise TypeError(f"{option} must be a list of column names")
        unknown = [n for n in names if n not in data.columns]
        if unknown:
            hints = [difflib.get_close_matches(str(n), list(map(str, data.columns)), n=1) for n in unknown]
            said = ", ".join(
                f"{n!r}" + (f" (did you mean {h[0]!r}?)" if h else "") for n, h in zip(unknown, hints, strict=True)
            )
            raise DataError(f"--{option}: not a column of the data: {said}")


def _not_features(
    dropped: Mapping[str, str],
    target: str,
    time_col: str | None,
    id_col: str | None,
    exclude: Sequence[str],
    protected: Sequence[str],
) -> dict[str, str]:
    out = {str(k): f"dropped: {v}" for k, v in dropped.items()}
    out.update({str(c): "excluded" for c in exclude})
    out.update({str(c): "protected attribute" for c in protected})
    out[target] = "the target"
    if time_col:
        out[time_col] = "the time column"
    if id_col:
        out[id_col] = "the id column"
    return out


def _apply_suggestions(
    features: list[dict[str, Any]],
    suggested: Mapping[str, Mapping[str, Any]],
    directions: Mapping[str, int] | None,
) -> None:
    """Give suggested directions to numeric features that have none given or in the dictionary."""
    given = dict(directions or {})
    for spec in features:
        name = spec["name"]
        if name in given or spec["type"] != "numeric" or spec["direction"] != 0:
            continue
        spec["direction"] = int(suggested.get(name, {}).get("direction", 0))
        spec["direction_source"] = "auto"


def _monotone_card(
    raw: Callable[[np.ndarray], np.ndarray],
    x: np.ndarray,
    features: list[dict[str, Any]],
    suggested: Mapping[str, Mapping[str, Any]],
    auto: bool,
    directions: Mapping[str, int] | None,
    seed: int,
) -> dict[str, Any]:
    """Directions applied (and where from), suggestions, and violations measured on training rows."""
    given = dict(directions or {})
    source: dict[str, str] = {}
    checked: dict[str, int] = {}
    for spec in features:
        name, direction = str(spec["name"]), int(spec["direction"])
        if spec["type"] != "numeric":
            continue
        if direction != 0:
            source[name] = "given" if name in given else str(spec.get("direction_source", "dictionary"))
            checked[name] = direction
        elif name not in given and suggested.get(name, {}).get("direction", 0) != 0:
            source[name] = "suggested, not applied"
            checked[name] = int(suggested[name]["direction"])
    found = monotone.violations(raw, x, features, checked, seed)
    for name, row in found.items():
        row["source"] = source[name]
    return {
        "auto": bool(auto),
        "rule": f"sign of Spearman rho when |rho|*sqrt(n-1) >= {monotone.SUGGEST_Z} and the sign holds in each of "
        f"{monotone.SUGGEST_FOLDS} random folds",
        "suggested": dict(suggested),
        "violations": found,
    }


def _time_values(column: pd.Series, *, dayfirst: bool | None = None, date_format: str | None = None) -> pd.Series:
    if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_datetime64_any_dtype(column):
        values = column
    else:
        values = parse_dates(column, dayfirst=dayfirst, date_format=date_format)
    if values.isna().any():
        bad = column[values.isna()].iloc[0]
        raise ValueError(f"time column {column.name!r} has missing or unparseable values, e.g. {bad!r}")
    return values.reset_index(drop=True)


def _with_monotone(params: Mapping[str, Any] | None, features: list[dict[str, Any]]) -> dict[str, Any]:
    merged = dict(params or {})
    merged.setdefault("monotone_constraints", [int(f["direction"]) for f in features])
    return merged


def _card(
    fit: _Fit,
    columns: _Columns,
    options: dict[str, Any],
    digest: str,
    version: str | None,
    source: Mapping[str, Any] | None,
    target: str,
    positive: object,
    time_col: str | None,
    id_col: str | None,
    y: np.ndarray,
    n_unlabelled: int,
) -> dict[str, Any]:
    provenance = dict(source or {"kind": "dataframe"})
    prefix = str(provenance.get("kind", "model"))
    metrics = _clean(dict(fit.metrics, n_rows=int(y.size), bad_rate=float(y.mean())))
    params = _clean(fit.params) if fit.params else {"model": "logistic scorecard (see logistic)"}
    extra: dict[str, Any] = {"calibration_selection": fit.calibration_record}
    if fit.selection is not None:
        extra["selection"] = fit.selection
    if fit.logistic is not None:
        extra["model_type"] = LOGISTIC
        extra["logistic"] = fit.logistic
    grades = grades_section(fit.cutoffs)
    grades["holdout_check"] = fit.metrics["grade_check"]
    return extra | {
        "format": CARD_FORMAT,
        "version": version or f"{prefix}-{digest[:12]}",
        "created_with": {"risk_models": __version__, "lightgbm": lgb.__version__},
        "synthetic": bool(provenance.get("synthetic", False)),
        "training": {
            "source": provenance,
            "data_hash": digest,
            "target": target,
            "positive": None if positive is None else str(positive),
            "time_col": time_col,
            "id_col": id_col,
            "n_rows": int(y.size),
            "n_unlabelled_dropped": n_unlabelled,
            "bad_rate": float(y.mean()),
            "validation": fit.metrics["validation"],
            "calibration_fitted_on": "validation set" if time_col else "out-of-fold predictions",
        },
        "features": columns.features,
        "dropped_columns": columns.dropped,
        "params": dict(params, num_boost_round=int(fit.metrics["best_iteration"])),
        "calibration": _clean(fit.calibration),
        "scorecard": dict(DEFAULT_SCORECARD),
        "grades": grades,
        "psi_baseline": {
            "edges": list(SCORE_BIN_EDGES),
            "shares": score_distribution(fit.reference_scores),
        },
        "metrics": metrics,
    }


def _clean(value: Any) -> Any:
    """Make a structure JSON-safe: numpy scalars → Python, NaN → None."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if np.isnan(value) else float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value
