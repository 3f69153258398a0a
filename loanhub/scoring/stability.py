"""Population stability of the active model's scores on this platform (reads only).

The reference is the model's own: the scores it gave when it started here (each
enterprise's first score under the version, from the day of its first scoring run),
not the synthetic training book, whose population differs from the enterprises a
platform actually serves. So a freshly activated model reads as stable (PSI 0) and the
index grows only as the scores move. Shares are smoothed (half a count per bin) and
the index is withheld below a minimum sample: with a few dozen scores an empty bin
alone would read as a "significant shift".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import pandas as pd

from risk_models.metrics import SCORE_BIN_EDGES, psi

from .models import ModelVersion, ScoreRecord

REFERENCE_WINDOW = timedelta(days=1)  # the first scoring run of a version
MIN_SAMPLE = 30  # scores on each side before a PSI is worth reading


@dataclass(frozen=True)
class Stability:
    psi: float | None  # None: too few scores to say
    reference_count: int
    current_count: int
    min_sample: int = MIN_SAMPLE


def _smoothed_shares(scores: np.ndarray) -> list[float]:
    inner = np.asarray(SCORE_BIN_EDGES[1:-1])
    counts = np.bincount(np.searchsorted(inner, scores, side="right"), minlength=len(SCORE_BIN_EDGES) - 1)
    smoothed = counts + 0.5
    shares: list[float] = (smoothed / smoothed.sum()).tolist()
    return shares


def score_stability(*, version: ModelVersion) -> Stability:
    """PSI of each enterprise's latest score against the version's first scoring run."""
    rows = ScoreRecord.objects.filter(scope="full", model_version=version).values_list(
        "enterprise_id", "score", "created_at", "pk"
    )
    frame = pd.DataFrame(list(rows), columns=["enterprise", "score", "created_at", "pk"]).sort_values("pk")
    if frame.empty:
        return Stability(None, 0, 0)
    first = frame.drop_duplicates("enterprise", keep="first")
    reference = first[first["created_at"] <= first["created_at"].min() + REFERENCE_WINDOW]
    current = frame.drop_duplicates("enterprise", keep="last")
    if min(len(reference), len(current)) < MIN_SAMPLE:
        return Stability(None, len(reference), len(current))
    value = psi(
        _smoothed_shares(reference["score"].to_numpy(dtype=float)),
        _smoothed_shares(current["score"].to_numpy(dtype=float)),
    )
    return Stability(float(value), len(reference), len(current))
