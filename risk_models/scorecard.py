"""PD → score (300-900, PDO 50) → grade (A-E).

``score = base_score + pdo / ln 2 * ln(odds / base_odds)`` with
``odds = (1 - pd) / pd`` (good:bad), anchored at 600 points for odds of 50:1 and
rounded, then clamped to 300..900. Every 50 points doubles the odds. Grades
use score cut-offs stored in the model card: A if ``score >= cutoffs[0]``, B if
``>= cutoffs[1]``, C if ``>= cutoffs[2]``, D if ``>= cutoffs[3]``, else E.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

GRADES: tuple[str, ...] = ("A", "B", "C", "D", "E")
DEFAULT_SCORECARD: dict[str, float] = {
    "base_score": 600.0,
    "base_odds": 50.0,
    "pdo": 50.0,
    "min_score": 300.0,
    "max_score": 900.0,
}
#: Shares of the reference population per grade used to set cut-offs.
GRADE_SHARES: tuple[float, ...] = (0.20, 0.25, 0.25, 0.20, 0.10)


def pd_to_score(pd_: np.ndarray, scorecard: Mapping[str, float] = DEFAULT_SCORECARD, clamp: bool = True) -> np.ndarray:
    """Convert PDs to integer scores (higher is safer).

    Parameters
    ----------
    pd_ : array-like of float in (0, 1)
    scorecard : mapping
        ``base_score, base_odds, pdo, min_score, max_score``.
    clamp : bool, default True
        Clamp to ``min_score..max_score`` (the displayed score); without it the
        rounded score keeps ordering PDs beyond the clamp (grades use this).

    Returns
    -------
    numpy.ndarray of int64
    """
    p = np.clip(np.asarray(pd_, dtype=np.float64), 1e-12, 1 - 1e-12)
    factor = scorecard["pdo"] / np.log(2.0)
    score: np.ndarray = scorecard["base_score"] + factor * np.log((1 - p) / p / scorecard["base_odds"])
    score = np.round(score)
    if clamp:
        score = np.clip(score, scorecard["min_score"], scorecard["max_score"])
    return score.astype(np.int64)


def score_to_pd(score: np.ndarray, scorecard: Mapping[str, float] = DEFAULT_SCORECARD) -> np.ndarray:
    """Inverse of :func:`pd_to_score` (before rounding and clamping)."""
    factor = scorecard["pdo"] / np.log(2.0)
    odds = scorecard["base_odds"] * np.exp((np.asarray(score, dtype=np.float64) - scorecard["base_score"]) / factor)
    pd_: np.ndarray = 1.0 / (1.0 + odds)
    return pd_


def grade_cutoffs(scores: np.ndarray, shares: Sequence[float] = GRADE_SHARES) -> list[int]:
    """Score cut-offs giving roughly ``shares`` of ``scores`` to grades A..E.

    Returns
    -------
    list of int
        Four strictly decreasing cut-offs.
    """
    s = np.asarray(scores, dtype=np.float64)
    if s.size == 0:
        raise ValueError("cannot set grade cut-offs from an empty score sample")
    tail = np.cumsum(shares)[:-1]
    cuts = [int(np.ceil(np.quantile(s, 1 - q))) for q in tail]
    for i in range(1, len(cuts)):
        cuts[i] = min(cuts[i], cuts[i - 1] - 1)
    return cuts


def assign_grades(scores: np.ndarray, cutoffs: Sequence[int]) -> np.ndarray:
    """Grade letters for scores given descending cut-offs (see module doc)."""
    s = np.asarray(scores, dtype=np.float64)
    ascending = np.asarray(cutoffs, dtype=np.float64)[::-1]
    idx = len(cutoffs) - np.searchsorted(ascending, s, side="right")
    return np.asarray(GRADES, dtype=object)[idx]
