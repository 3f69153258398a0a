"""Shared small data for risk_models tests: one sandbox, one model, trained once."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from risk_models import sandbox
from risk_models.bundled import train_sandbox
from risk_models.features import build_features


@pytest.fixture(scope="session")
def sandbox_data() -> sandbox.SandboxData:
    return sandbox.generate(4000, seed=11)


@pytest.fixture(scope="session")
def sandbox_model(sandbox_data):
    return train_sandbox(sandbox_data, seed=0)


@pytest.fixture(scope="session")
def current_features(sandbox_data) -> pd.DataFrame:
    return build_features(sandbox_data.enterprises, sandbox_data.records, sandbox_data.as_of)


def make_generic_loans(n: int = 3000, seed: int = 5) -> pd.DataFrame:
    """A bank-style labelled CSV frame with numbers and text columns."""
    rng = np.random.default_rng(seed)
    sector = rng.choice(["零售", "制造", "餐饮", "物流", "软件", "建筑"], size=n)
    city = rng.choice(["广州", "深圳", "佛山", "东莞"], size=n)
    income = np.exp(rng.normal(4, 0.7, n)).round(1)
    debt_ratio = rng.uniform(0, 1.2, n).round(3)
    collateral = rng.choice(["yes", "no"], size=n)
    sector_eff = pd.Series(sector).map({"零售": 0.3, "制造": 0.0, "餐饮": 0.8, "物流": 0.2, "软件": -0.5, "建筑": 0.6})
    logit = -3.2 + 2.2 * debt_ratio - 0.6 * (np.log(income) - 4) + sector_eff.to_numpy() - 0.5 * (collateral == "yes")
    bad = rng.random(n) < 1 / (1 + np.exp(-logit))
    return pd.DataFrame(
        {
            "application_id": [f"APP{i:05d}" for i in range(n)],
            "sector": sector,
            "city": city,
            "monthly_income": income,
            "debt_ratio": debt_ratio,
            "collateral": collateral,
            "status": np.where(bad, "bad", "good"),
        }
    )
