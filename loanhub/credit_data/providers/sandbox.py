"""The bundled stand-in for a provincial public credit platform (synthetic data)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import lru_cache

import pandas as pd
from django.conf import settings

from risk_models import sandbox

SANDBOX_AS_OF = date(2026, 10, 31)


@lru_cache(maxsize=4)
def sandbox_data(n_enterprises: int, seed: int, as_of: date = SANDBOX_AS_OF) -> sandbox.SandboxData:
    return sandbox.generate(n_enterprises, seed=seed, as_of=as_of)


class SandboxProvider:
    kind = "sandbox"
    code = "sandbox"

    def __init__(self, n_enterprises: int | None = None, seed: int | None = None) -> None:
        self.n_enterprises = n_enterprises or settings.LOANHUB_SANDBOX_ENTERPRISES
        self.seed = settings.LOANHUB_SANDBOX_SEED if seed is None else seed

    @property
    def data(self) -> sandbox.SandboxData:
        return sandbox_data(self.n_enterprises, self.seed)

    def enterprises(self) -> pd.DataFrame:
        return self.data.enterprises

    def fetch(
        self, usccs: Iterable[str], categories: Iterable[str], since: date | None = None
    ) -> dict[str, pd.DataFrame]:
        wanted = set(usccs)
        result = {}
        for category in categories:
            frame = self.data.records.get(category)
            if frame is None:
                continue
            frame = frame[frame["uscc"].isin(wanted)]
            if since is not None:
                frame = frame[frame["record_date"] >= pd.Timestamp(since)]
            result[category] = frame
        return result
