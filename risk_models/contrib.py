"""Exact TreeSHAP contributions, computed once per distinct path pattern of each tree.

``Booster.predict(pred_contrib=True)`` runs TreeSHAP for every row and every
tree, which made reasons about 50 times slower than scoring. A tree's SHAP
values for a row depend only on the row's decision at each split of that tree,
and those are fixed by a few things per feature: for a numeric feature, where
the value falls among the tree's thresholds on it (and whether it is missing or
zero, which LightGBM may route separately); for a categorical one, which of
the tree's category sets hold its code (and whether it is missing).
Rows sharing that key get the same values, so each tree is explained for one
representative row per key (``pred_contrib`` with ``start_iteration=t,
num_iteration=1``) and the result is spread back. A tree has a few hundred
keys where a batch has tens of thousands of rows. TreeSHAP is additive over
trees, so the sum equals LightGBM's own output (to float rounding, ~1e-15).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import lightgbm as lgb

#: LightGBM treats |value| <= this as zero (kZeroThreshold).
ZERO = 1e-35


@dataclass(frozen=True)
class _TreeKey:
    numeric: dict[int, np.ndarray]  # feature -> sorted thresholds used in the tree
    categorical: dict[int, tuple[np.ndarray, int]]  # feature -> (bits of the sets each code is in, number of sets)


def _walk(node: dict[str, Any], numeric: dict[int, set[float]], categorical: dict[int, set[str]]) -> None:
    if "split_feature" not in node:
        return
    feature = int(node["split_feature"])
    if node.get("decision_type") == "==":
        categorical.setdefault(feature, set()).add(str(node["threshold"]))
    else:
        numeric.setdefault(feature, set()).add(float(node["threshold"]))
    _walk(node["left_child"], numeric, categorical)
    _walk(node["right_child"], numeric, categorical)


def tree_keys(booster: lgb.Booster) -> list[_TreeKey]:
    """Per tree: the thresholds of each numeric feature and the categorical features it splits on."""
    keys = []
    for info in booster.dump_model()["tree_info"]:
        numeric: dict[int, set[float]] = {}
        categorical: dict[int, set[str]] = {}
        _walk(info["tree_structure"], numeric, categorical)
        if set(categorical) & set(numeric):
            raise ValueError("a feature is split both as numeric and categorical")
        sets = {
            f: _membership([[int(c) for c in text.split("||")] for text in sorted(texts)])
            for f, texts in categorical.items()
        }
        keys.append(_TreeKey({f: np.asarray(sorted(v), dtype=np.float64) for f, v in numeric.items()}, sets))
    return keys


def _membership(sets: list[list[int]]) -> tuple[np.ndarray, int]:
    """Per category code, a bit per set holding it."""
    table = np.zeros(max(max(s) for s in sets) + 2, dtype=np.int64)
    for j, members in enumerate(sets):
        table[np.asarray(members, dtype=np.int64)] |= 1 << j
    return table, len(sets)


def _row_keys(xt: np.ndarray, key: _TreeKey) -> np.ndarray:
    """One int64 per row, equal for rows that take the same decision at every split of the tree.

    ``xt`` is the feature matrix transposed (one contiguous row per feature).
    """
    combined = np.zeros(xt.shape[1], dtype=np.int64)
    bound = 1
    for feature, thresholds in key.numeric.items():
        v = xt[feature]
        nan = np.isnan(v)
        interval = np.searchsorted(thresholds, np.where(nan, 0.0, v), side="left")
        code = np.where(nan, 1, interval * 3 + np.where(np.abs(v) <= ZERO, 2, 0))
        combined, bound = _push(combined, bound, code, 3 * (thresholds.size + 1))
    for feature, (table, n_sets) in key.categorical.items():
        v = xt[feature]
        nan = np.isnan(v)
        codes = np.where(nan, 0, v).astype(np.int64)
        # The sets holding the code (codes beyond the table are in none), then missing and negative apart.
        bits = table[np.clip(codes, 0, table.size - 1)]
        code = bits * 3 + np.where(nan, 1, np.where(codes < 0, 2, 0))
        combined, bound = _push(combined, bound, code, 3 << n_sets)
    return combined


def _push(combined: np.ndarray, bound: int, code: np.ndarray, radix: int) -> tuple[np.ndarray, int]:
    """Append a mixed-radix digit; renumber the keys densely first if int64 could overflow."""
    if bound * radix >= 2**62:
        _, dense = np.unique(combined, return_inverse=True)
        combined, bound = dense.ravel().astype(np.int64), int(dense.max(initial=0)) + 1
    return combined * radix + code, bound * radix


def contributions(booster: lgb.Booster, x: np.ndarray, keys: list[_TreeKey] | None = None) -> np.ndarray:
    """``booster.predict(x, pred_contrib=True)`` computed per distinct path pattern (see module doc).

    Parameters
    ----------
    booster : lightgbm.Booster
    x : numpy.ndarray, shape (n_rows, n_features)
    keys : list, optional
        :func:`tree_keys` of the booster (computed if not given; cache it).

    Returns
    -------
    numpy.ndarray, shape (n_rows, n_features + 1)
        Contributions and, last, the expected value.
    """
    keys = tree_keys(booster) if keys is None else keys
    out = np.zeros((x.shape[0], x.shape[1] + 1), dtype=np.float64)
    if x.shape[0] == 0:
        return out
    xt = np.ascontiguousarray(x.T)
    for t, key in enumerate(keys):
        first, inverse = _groups(_row_keys(xt, key))
        part = booster.predict(x[first], pred_contrib=True, start_iteration=t, num_iteration=1)
        out += np.asarray(part, dtype=np.float64)[inverse]
    return out


def _groups(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A representative row per distinct key, and each row's group: by a dense table when keys are small."""
    n = keys.size
    top = int(keys.max(initial=0)) + 1
    if top > 8 * n:
        _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
        return first, inverse.ravel()
    representative = np.full(top, -1, dtype=np.int64)
    representative[keys] = np.arange(n)  # any row of a group represents it (the last one written)
    present = np.flatnonzero(representative >= 0)
    group = np.empty(top, dtype=np.int64)
    group[present] = np.arange(present.size)
    return representative[present], group[keys]
