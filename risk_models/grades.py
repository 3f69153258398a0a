"""The grade scale A-E: cut-offs on the unclamped score, and checks on a holdout.

The displayed score is clamped to 300..900, so a cut-off set on it can land on
the floor (every applicant below it scores 300, and grade E is empty while D
holds the worst third). Cut-offs are therefore set on the *unclamped* score
(the same formula, rounded, without the clamp), which is a strictly decreasing
function of PD: grading on it is grading on PD. They are placed at quantiles
of the training (out-of-fold or validation) distribution so that the grades
hold the intended shares :data:`INTENDED_SHARES` of applicants:

====  =====
A     20 %
B     25 %
C     25 %
D     20 %
E     10 %
====  =====

:func:`check_grades` then compares the shares and bad rates of a holdout
(out-of-time rows, or out-of-fold predictions) with those intentions and
names any empty grade and any pair of grades whose bad rates run the wrong way.
Old model cards (without ``"basis"``) keep grading on the clamped score.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from risk_models.scorecard import DEFAULT_SCORECARD, GRADE_SHARES, GRADES, assign_grades, grade_cutoffs, pd_to_score

INTENDED_SHARES: tuple[float, ...] = GRADE_SHARES
BASIS = "unclamped_score"
#: A grade's holdout share may differ from its intended share by this much before a warning.
SHARE_TOLERANCE = 0.5


def grading_scores(pd_: np.ndarray, scorecard: Mapping[str, float], grades: Mapping[str, Any]) -> np.ndarray:
    """The scores grades are assigned on: unclamped for new cards, clamped for old ones."""
    return pd_to_score(pd_, scorecard, clamp=grades.get("basis") != BASIS)


def grade_pd(pd_: np.ndarray, scorecard: Mapping[str, float], grades: Mapping[str, Any]) -> np.ndarray:
    """Grade letters for PDs under a card's ``scorecard`` and ``grades`` sections."""
    return assign_grades(grading_scores(pd_, scorecard, grades), grades["cutoffs"])


def set_cutoffs(pd_: np.ndarray, shares: Sequence[float] = INTENDED_SHARES) -> list[int]:
    """Cut-offs on the unclamped score giving roughly ``shares`` of ``pd_`` to A..E.

    Parameters
    ----------
    pd_ : array-like of float
        Calibrated PDs of the reference sample (validation or out-of-fold).
    shares : sequence of five floats summing to 1

    Returns
    -------
    list of int
        Four strictly decreasing cut-offs (they may lie outside 300..900).
    """
    if len(shares) != len(GRADES) or abs(sum(shares) - 1) > 1e-9:
        raise ValueError(f"shares must be {len(GRADES)} numbers summing to 1, got {list(shares)}")
    return grade_cutoffs(pd_to_score(pd_, DEFAULT_SCORECARD, clamp=False), shares)


def grades_section(cutoffs: Sequence[int], shares: Sequence[float] = INTENDED_SHARES) -> dict[str, Any]:
    """The card's ``grades`` section for cut-offs on the unclamped score."""
    return {
        "labels": list(GRADES),
        "basis": BASIS,
        "cutoffs": [int(c) for c in cutoffs],
        "intended_shares": [float(s) for s in shares],
        "rule": (
            "on the unclamped score (PD mapped to points without the 300..900 clamp): "
            "A if >= cutoffs[0], B if >= cutoffs[1], C if >= cutoffs[2], D if >= cutoffs[3], else E"
        ),
    }


def check_grades(table: Sequence[Mapping[str, Any]], shares: Sequence[float] = INTENDED_SHARES) -> dict[str, Any]:
    """Empty grades, inverted bad rates and share drift on a holdout grade table.

    Parameters
    ----------
    table : sequence of mapping
        :func:`risk_models.metrics.grade_table` rows (``grade, n, share, bad_rate``), A first.
    shares : sequence of float
        The intended shares, A first.

    Returns
    -------
    dict
        ``ok`` (bool), ``monotone`` (bool), ``empty`` (grades), ``inversions``
        (``{better, worse, better_bad_rate, worse_bad_rate}``: a safer grade with
        a higher bad rate than a riskier one), ``share_drift`` (grades whose
        share is off by more than half its intended share) and ``messages``.
    """
    rows = list(table)
    empty = [str(r["grade"]) for r in rows if not r["n"]]
    inversions = []
    filled = [r for r in rows if r["n"] and r["bad_rate"] is not None]
    for better, worse in zip(filled, filled[1:], strict=False):
        if worse["bad_rate"] < better["bad_rate"]:
            inversions.append(
                {
                    "better": better["grade"],
                    "worse": worse["grade"],
                    "better_bad_rate": better["bad_rate"],
                    "worse_bad_rate": worse["bad_rate"],
                }
            )
    drift = [
        {"grade": r["grade"], "share": r["share"], "intended": float(s)}
        for r, s in zip(rows, shares, strict=False)
        if abs(r["share"] - s) > SHARE_TOLERANCE * s
    ]
    messages = [f"grade {g} is empty on the holdout" for g in empty]
    messages += [
        f"grade {i['better']} has a higher bad rate ({i['better_bad_rate']:.2%}) than grade "
        f"{i['worse']} ({i['worse_bad_rate']:.2%}) on the holdout"
        for i in inversions
    ]
    messages += [
        f"grade {d['grade']} holds {d['share']:.1%} of the holdout, intended {d['intended']:.0%}" for d in drift
    ]
    return {
        "ok": not empty and not inversions,
        "monotone": not inversions,
        "empty": empty,
        "inversions": inversions,
        "share_drift": drift,
        "messages": messages,
    }
