"""Reason codes from LightGBM TreeSHAP contributions, worded in Chinese and English.

A contribution is a feature's share of the raw log-odds of default for one
enterprise (``Booster.predict(pred_contrib=True)``): positive raises risk,
negative lowers it. For every row the ``top_n`` largest positive and the
``top_n`` most negative contributions become reasons.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Sequence
from typing import Any, SupportsFloat, SupportsIndex

import numpy as np
import pandas as pd

from risk_models import catalog
from risk_models.feature_dictionary import FEATURES, FeatureSpec

_TAX = {v: k for k, v in catalog.TAX_GRADE_RANK.items()}
_CUSTOMS_ZH = {v: k for k, v in catalog.CUSTOMS_GRADE_RANK.items()}
_CUSTOMS_EN = {1: "AEO advanced", 2: "general", 3: "dishonest"}
_ENV_ZH = {v: k for k, v in catalog.ENV_COLOUR_RANK.items()}
_ENV_EN = {1: "green", 2: "blue", 3: "yellow", 4: "red", 5: "black"}
_CARBON_ZH = {v: k for k, v in catalog.CARBON_RATING_RANK.items()}
_CARBON_EN = {1: "dark green", 2: "light green", 3: "yellow", 4: "red"}
_REGIONS = {r.code: r.name for r in catalog.REGIONS}
_INDUSTRIES = {i.code: i.name for i in catalog.INDUSTRIES}


def _money_zh(v: float) -> str:
    return f"{v / 1e4:,.1f}万元" if abs(v) >= 1e4 else f"{v:,.0f}元"


def _number(v: float) -> str:
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.3g}"


def _lookup(table: dict[int, str]) -> Callable[[float], str]:
    return lambda v: table.get(round(v), _number(v))


_FORMATS: dict[str, tuple[Callable[[float], str], Callable[[float], str]]] = {
    "count": (_number, _number),
    "months": (_number, _number),
    "float": (_number, _number),
    "money": (_money_zh, lambda v: f"CNY {v:,.0f}"),
    "wan": (lambda v: f"{v:,.1f}", lambda v: f"{v * 1e4:,.0f}"),
    "pct": (lambda v: f"{v:+.0%}", lambda v: f"{v:+.0%}"),
    "ratio": (lambda v: f"{v:.0%}", lambda v: f"{v:.0%}"),
    "signed": (lambda v: f"{v:+.0f}", lambda v: f"{v:+.0f}"),
    "tax_grade": (_lookup(_TAX), _lookup(_TAX)),
    "customs_grade": (_lookup(_CUSTOMS_ZH), _lookup(_CUSTOMS_EN)),
    "env_colour": (_lookup(_ENV_ZH), _lookup(_ENV_EN)),
    "carbon_rating": (_lookup(_CARBON_ZH), _lookup(_CARBON_EN)),
}


def _is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def describe(name: str, value: object) -> tuple[str, str]:
    """Chinese and English wording of one feature value.

    Parameters
    ----------
    name : str
        Feature name; features outside the dictionary get a generic wording.
    value : object
        The feature value (float, str or None).

    Returns
    -------
    tuple of str
        ``(text_zh, text_en)``.
    """
    spec = FEATURES.get(name)
    if spec is None:
        shown = "无数据" if _is_missing(value) else _generic(value)
        return f"{name}={shown}", f"{name}={'missing' if _is_missing(value) else shown}"
    if _is_missing(value):
        return f"{spec.meaning_zh}:无数据", f"{spec.meaning_en}: no data"
    return _describe_spec(spec, value)


def _generic(value: object) -> str:
    return _number(value) if isinstance(value, float) else str(value)


def _to_float(value: object) -> float:
    """``float(value)`` for what ``float`` accepts (numbers, numeric strings)."""
    if isinstance(value, (float, int, np.number, str, bytes, SupportsFloat, SupportsIndex)):
        return float(value)
    raise TypeError(f"expected a number, got {type(value).__name__}")


def _describe_spec(spec: FeatureSpec, value: object) -> tuple[str, str]:
    if spec.kind == "flag":
        yes = _to_float(value) > 0
        return (spec.text_zh, spec.text_en) if yes else (spec.text_zh_no, spec.text_en_no)
    if spec.kind == "category":
        text = str(value)
        names = _REGIONS if spec.name == "region" else _INDUSTRIES
        zh = f"{names[text]}({text})" if text in names else text
        return spec.text_zh.format(v=zh), spec.text_en.format(v=text)
    fmt_zh, fmt_en = _FORMATS.get(spec.kind, (_number, _number))
    v = _to_float(value)
    return spec.text_zh.format(v=fmt_zh(v)), spec.text_en.format(v=fmt_en(v))


def top_contributions(
    contrib: np.ndarray, top_n: int, lowering: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Select the strongest raising and lowering contributions per row.

    Parameters
    ----------
    contrib : numpy.ndarray, shape (n_rows, n_features)
        Contributions without the bias column.
    top_n : int
    lowering : bool, default True
        Also select the lowering reasons (False: raising ones only).

    Returns
    -------
    tuple of numpy.ndarray
        ``row, rank, feature_index, contribution`` of the selected reasons, sorted
        by row, then raising reasons (largest first), then lowering ones (most
        negative first); ``rank`` counts from 1 within each direction.
    """
    n, f = contrib.shape
    k = min(top_n, f)
    if n == 0 or k == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty, np.zeros(0)
    up = np.argsort(-contrib, axis=1, kind="stable")[:, :k]
    sides = 2 if lowering else 1
    feat = np.concatenate([up, np.argsort(contrib, axis=1, kind="stable")[:, :k]], axis=1) if lowering else up
    value = np.take_along_axis(contrib, feat, axis=1)
    rank = np.tile(np.tile(np.arange(1, k + 1), sides), (n, 1))
    raising = np.zeros((n, sides * k), dtype=bool)
    raising[:, :k] = True
    keep = np.where(raising, value > 0, value < 0)
    rows = np.repeat(np.arange(n), sides * k).reshape(n, sides * k)
    return rows[keep], rank[keep], feat[keep], value[keep]


def reason_frame(
    contrib: np.ndarray,
    feature_names: Sequence[str],
    values: pd.DataFrame,
    top_n: int,
    lowering: bool = True,
) -> pd.DataFrame:
    """Long table of reasons: one row per (input row, selected feature).

    Parameters
    ----------
    contrib : numpy.ndarray, shape (n_rows, n_features)
        Contributions without the bias column.
    feature_names : sequence of str
    values : pandas.DataFrame
        The feature values shown in the texts, columns ``feature_names``.
    top_n : int
    lowering : bool, default True
        Include the reasons lowering risk.

    Returns
    -------
    pandas.DataFrame
        Columns ``row, rank, code, feature, value, contribution, direction,
        text_zh, text_en``.
    """
    rows, rank, feat, contribution = top_contributions(contrib, top_n, lowering)
    names = np.asarray(feature_names, dtype=object)[feat]
    shown = np.empty(rows.size, dtype=object)
    zh = np.empty(rows.size, dtype=object)
    en = np.empty(rows.size, dtype=object)
    for j in np.unique(feat):
        sel = np.flatnonzero(feat == j)
        column = values[feature_names[j]].iloc[rows[sel]]
        codes, uniques = pd.factorize(column, use_na_sentinel=False)
        cells = [_plain(v) for v in uniques]  # word each distinct value once
        texts = [describe(feature_names[j], v) for v in cells]
        shown[sel] = np.asarray([*cells, None], dtype=object)[codes]
        zh[sel] = np.asarray([t[0] for t in texts], dtype=object)[codes]
        en[sel] = np.asarray([t[1] for t in texts], dtype=object)[codes]
    return pd.DataFrame(
        {
            "row": rows,
            "rank": rank,
            "code": [name.upper() for name in names],
            "feature": names,
            "value": shown,
            "contribution": np.round(contribution, 6),
            "direction": np.where(contribution > 0, "raises", "lowers"),
            "text_zh": zh,
            "text_en": en,
        }
    )


def _plain(value: object) -> object:
    """JSON-friendly cell: float, str or None."""
    if value is None:
        return None
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else float(value)
    if isinstance(value, (int, np.integer)):
        return float(value)
    return str(value)


def reasons_as_lists(reasons: pd.DataFrame, n_rows: int) -> list[list[dict[Hashable, Any]]]:
    """Group a :func:`reason_frame` into one list of dicts per input row."""
    keys = [
        "code",
        "feature",
        "value",
        "contribution",
        "direction",
        "text_zh",
        "text_en",
    ]
    records = reasons[keys].to_dict("records")
    bounds = np.searchsorted(reasons["row"].to_numpy(), np.arange(n_rows + 1))
    return [records[bounds[i] : bounds[i + 1]] for i in range(n_rows)]


def reason_columns(reasons: pd.DataFrame, n_rows: int, top_n: int) -> dict[str, np.ndarray]:
    """The raising reasons of a :func:`reason_frame` as flat columns, without per-row dicts.

    Returns
    -------
    dict of str to numpy.ndarray
        ``reason_k``, ``reason_k_zh``, ``reason_k_en`` for k = 1..top_n (object
        arrays of length ``n_rows``; "" where a row has fewer raising reasons).
    """
    raising = reasons[reasons["direction"].to_numpy() == "raises"]
    rows = raising["row"].to_numpy()
    ranks = raising["rank"].to_numpy()
    out: dict[str, np.ndarray] = {}
    for k in range(1, top_n + 1):
        at = ranks == k
        for suffix, source in (("", "code"), ("_zh", "text_zh"), ("_en", "text_en")):
            column = np.full(n_rows, "", dtype=object)
            column[rows[at]] = raising[source].to_numpy()[at]
            out[f"reason_{k}{suffix}"] = column
    return out
