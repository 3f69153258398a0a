"""The bundled sandbox model: trained deterministically from sandbox data.

``ensure_sandbox_model`` is what ``seed_demo`` calls: it leaves a valid model of
the requested sandbox parameters alone and otherwise trains one (about 10-20 s
on 2 cores for the default 20,000 enterprises).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pandas as pd

from risk_models import sandbox
from risk_models.exceptions import ModelFormatError
from risk_models.features import build_features
from risk_models.model import RiskModel
from risk_models.training import train

Progress = Callable[[str], None] | None

DEFAULT_ENTERPRISES = 20_000
DEFAULT_SEED = 20251231


def loan_features(data: sandbox.SandboxData, progress: Progress = None) -> pd.DataFrame:
    """Features of every sandbox loan as of the day before its origination month.

    One :func:`build_features` call per origination month (all loans of the
    month share the as-of date: the last day of the previous month), so no
    record dated after the application is used.

    Parameters
    ----------
    data : SandboxData
    progress : callable, optional

    Returns
    -------
    pandas.DataFrame
        ``loan_id, uscc, origination_date, defaulted`` plus every feature.
    """
    loans = data.loans
    as_of = loans["origination_date"].dt.to_period("M").dt.start_time - pd.Timedelta(days=1)
    parts = []
    for day, group in loans.groupby(as_of, sort=True):
        if progress is not None:
            progress(f"features as of {day.date()} for {len(group):,} loans")
        firms = data.enterprises.set_index("uscc").loc[group["uscc"]].reset_index()
        feats = build_features(firms, data.records, day)
        cols = ["loan_id", "uscc", "origination_date", "defaulted"]
        parts.append(
            pd.concat(
                [group[cols].reset_index(drop=True), feats.reset_index(drop=True)],
                axis=1,
            )
        )
    return pd.concat(parts, ignore_index=True)


def train_sandbox(data: sandbox.SandboxData, *, seed: int = 0, progress: Progress = None) -> RiskModel:
    """Train the sandbox model: out-of-time validation on origination date.

    Parameters
    ----------
    data : SandboxData
    seed : int, default 0
    progress : callable, optional

    Returns
    -------
    RiskModel
    """
    frame = loan_features(data, progress)
    source = {
        "kind": "sandbox",
        "synthetic": True,
        "n_enterprises": len(data.enterprises),
        "seed": data.seed,
        "as_of": data.as_of.isoformat(),
    }
    return train(
        frame,
        "defaulted",
        time_col="origination_date",
        id_col="loan_id",
        exclude=["uscc"],
        select=False,  # the platform's model: the default LightGBM setting, monotone by the feature dictionary
        seed=seed,
        source=source,
        progress=progress,
    )


def _matches(model_dir: Path, n_enterprises: int, seed: int, as_of: date) -> bool:
    try:
        model = RiskModel.load(model_dir)
    except ModelFormatError:
        return False
    src = model.card.get("training", {}).get("source", {})
    return bool(
        src.get("kind") == "sandbox"
        and src.get("n_enterprises") == n_enterprises
        and src.get("seed") == seed
        and src.get("as_of") == as_of.isoformat()
    )


def ensure_sandbox_model(
    model_dir: str | Path,
    *,
    n_enterprises: int = DEFAULT_ENTERPRISES,
    seed: int = DEFAULT_SEED,
    as_of: date = sandbox.DEFAULT_AS_OF,
    progress: Progress = None,
) -> Path:
    """Make sure ``model_dir`` holds the sandbox model for these parameters.

    If the folder already holds a loadable model trained on the same sandbox
    (``n_enterprises``, ``seed``, ``as_of``) nothing happens; otherwise the
    sandbox is generated and a model trained (deterministically) and written
    there, replacing what was there.

    Parameters
    ----------
    model_dir : str or pathlib.Path
    n_enterprises : int, default 20,000
    seed : int, default 20251231
    as_of : datetime.date, default 2025-12-31
    progress : callable, optional
        Called with short progress messages.

    Returns
    -------
    pathlib.Path
        ``model_dir``.
    """
    target = Path(model_dir)
    if _matches(target, n_enterprises, seed, as_of):
        return target
    data = sandbox.generate(n_enterprises, seed, as_of, progress=progress)
    model = train_sandbox(data, seed=0, progress=progress)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".risk-model-", dir=target.parent))
    try:
        model.save(staging)
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return target
