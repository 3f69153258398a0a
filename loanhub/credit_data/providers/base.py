from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Protocol

import pandas as pd


class RecordProvider(Protocol):
    kind: str
    code: str

    def fetch(
        self, usccs: Iterable[str], categories: Iterable[str], since: date | None = None
    ) -> dict[str, pd.DataFrame]:
        """Records of these enterprises in these categories, dated ``since`` or later."""
        ...
