"""The bundled stand-in for a provincial public credit platform (synthetic data)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import pandas as pd
from django.conf import settings

from risk_models import sandbox

SANDBOX_AS_OF = date(2026, 10, 31)


@lru_cache(maxsize=4)
def sandbox_data(n_enterprises: int, seed: int, as_of: date = SANDBOX_AS_OF) -> sandbox.SandboxData:
    return sandbox.generate(n_enterprises, seed=seed, as_of=as_of)


@dataclass(frozen=True)
class Newcomer:
    """An enterprise registered in the demo, outside the generated population."""

    registered: date | None = None
    capital_wan: float | None = None


class SandboxProvider:
    """The generated population's records; with ``newcomers``, also deterministic
    records for those codes (keyed by code and seed), so that an enterprise
    registered in the demo gets a profile of its own. Synthetic either way."""

    kind = "sandbox"
    code = "sandbox"

    def __init__(
        self, n_enterprises: int | None = None, seed: int | None = None, newcomers: Mapping[str, Newcomer] | None = None
    ) -> None:
        self.n_enterprises = n_enterprises or settings.LOANHUB_SANDBOX_ENTERPRISES
        self.seed = settings.LOANHUB_SANDBOX_SEED if seed is None else seed
        self.newcomers = dict(newcomers or {})

    @property
    def data(self) -> sandbox.SandboxData:
        return sandbox_data(self.n_enterprises, self.seed)

    def enterprises(self) -> pd.DataFrame:
        return self.data.enterprises

    def fetch(
        self, usccs: Iterable[str], categories: Iterable[str], since: date | None = None
    ) -> dict[str, pd.DataFrame]:
        wanted = set(usccs)
        categories = list(categories)
        newcomers = sorted(wanted & set(self.newcomers) - set(self.enterprises()["uscc"]))
        result: dict[str, pd.DataFrame] = {}
        if wanted - set(newcomers):  # codes of the generated population (or unknown: nothing)
            for category in categories:
                frame = self.data.records.get(category)
                if frame is None:
                    continue
                frame = frame[frame["uscc"].isin(wanted)]
                if since is not None:
                    frame = frame[frame["record_date"] >= pd.Timestamp(since)]
                result[category] = frame
        for uscc in newcomers:
            self._add_newcomer(result, uscc, categories, since)
        return result

    def _add_newcomer(
        self, result: dict[str, pd.DataFrame], uscc: str, categories: list[str], since: date | None
    ) -> None:
        about = self.newcomers[uscc]
        frames = sandbox.records_for_code(
            uscc, seed=self.seed, as_of=SANDBOX_AS_OF, registered=about.registered, capital_wan=about.capital_wan
        )
        for category in categories:
            frame = frames.get(category)
            if frame is None:
                continue
            if since is not None:
                frame = frame[frame["record_date"] >= pd.Timestamp(since)]
            if frame.empty:
                continue  # no empty import batch for a category the newcomer has nothing in
            before = result.get(category)
            result[category] = frame if before is None or before.empty else pd.concat([before, frame])
