"""Partitioned batch work on Dask: features, scores and training past one process.

The unit of work is a **partition**: the enterprises whose USCC falls in one
bucket of a stable hash (:func:`partition_of`: the first 32 bits of the MD5 of
the upper-case code, modulo the number of partitions), with all their records.
An enterprise's features and score depend only on its own records, so a
partition is computed by exactly the in-memory code
(:func:`risk_models.features.build_features`, :meth:`RiskModel.score`) and the
union of the partitions equals the in-memory result.

Input is a **Parquet export** (:func:`write_partitioned`, ``python -m
risk_models export-parquet`` or ``sandbox-parquet``)::

    <root>/manifest.json                       n_partitions, as_of, row counts
    <root>/enterprises/part-00007/*.parquet    one folder per partition
    <root>/records/<category>/part-00007/*.parquet
    <root>/loans/part-00007/*.parquet

or, on the platform, frames read from the database per partition and handed to
:func:`score_bundle` (``loanhub.scoring.batch``). Work runs on a
``dask.distributed`` cluster: ``scheduler="tcp://host:8786"`` connects to one,
``None`` or ``"local"`` starts a :class:`distributed.LocalCluster` in this
process (threads, so nothing is copied between processes on a small machine).

This module imports dask lazily: ``import risk_models`` stays as light as before.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from risk_models import catalog, sandbox
from risk_models.features import build_features, to_as_of

if TYPE_CHECKING:
    from distributed import Client

    from risk_models.model import RiskModel

Progress = Callable[[str], None] | None

DEFAULT_PARTITIONS = 16
MANIFEST = "manifest.json"
LAYOUT = "loanhub-partitioned-parquet/1"
#: The scheduler address that means "start a LocalCluster here".
LOCAL = "local"


# --------------------------------------------------------------------------- #
# partitions


def partition_of(usccs: Sequence[str] | np.ndarray | pd.Series, n_partitions: int) -> np.ndarray:
    """The partition of each USCC: MD5 of the upper-case code, first 32 bits, modulo ``n_partitions``.

    Stable across processes, machines and Python versions (unlike ``hash()``), and
    computable in SQL (``('x' || left(md5(upper(uscc)), 8))::bit(32)::bigint % n``
    on PostgreSQL), so a database can serve one partition's rows.

    Parameters
    ----------
    usccs : sequence of str
    n_partitions : int
        At least 1.

    Returns
    -------
    numpy.ndarray of int64
    """
    if isinstance(n_partitions, bool) or not isinstance(n_partitions, (int, np.integer)) or n_partitions < 1:
        raise ValueError(f"n_partitions must be an int >= 1, got {n_partitions!r}")
    codes = [str(code).upper() for code in usccs]
    out = np.fromiter(
        (int.from_bytes(hashlib.md5(c.encode("ascii", "replace")).digest()[:4], "big") for c in codes),  # noqa: S324 -- a bucket, not security
        dtype=np.int64,
        count=len(codes),
    )
    return out % int(n_partitions)


def _split(frame: pd.DataFrame, parts: np.ndarray) -> Iterator[tuple[int, pd.DataFrame]]:
    if frame.empty:
        return
    order = np.argsort(parts, kind="stable")
    bounds = np.flatnonzero(np.diff(parts[order])) + 1
    for idx in np.split(order, bounds):
        yield int(parts[idx[0]]), frame.iloc[idx].reset_index(drop=True)


# --------------------------------------------------------------------------- #
# Parquet layout


def _part_dir(root: Path, table: str, part: int) -> Path:
    return root / table / f"part-{part:05d}"


def _write_part(root: Path, table: str, part: int, frame: pd.DataFrame, name: str) -> None:
    folder = _part_dir(root, table, part)
    folder.mkdir(parents=True, exist_ok=True)
    frame.to_parquet(folder / f"{name}.parquet", index=False, engine="pyarrow")


def write_partitioned(
    root: str | Path,
    enterprises: pd.DataFrame,
    records: Mapping[str, pd.DataFrame],
    loans: pd.DataFrame | None,
    n_partitions: int,
    *,
    chunk_name: str = "chunk-00000",
) -> dict[str, int]:
    """Append one chunk of enterprises, records and loans to a partitioned Parquet export.

    Each frame is split by :func:`partition_of` of its ``uscc`` and written as
    ``<table>/part-NNNNN/<chunk_name>.parquet``. Call it once per chunk (with a
    new ``chunk_name``) to export more rows than fit in memory, then
    :func:`write_manifest`.

    Returns
    -------
    dict of str to int
        Rows written per table (``enterprises``, ``loans``, each category).
    """
    out = Path(root)
    counts: dict[str, int] = {}
    tables: list[tuple[str, pd.DataFrame | None]] = [("enterprises", enterprises), ("loans", loans)]
    tables += [(f"records/{code}", frame) for code, frame in records.items()]
    for table, frame in tables:
        if frame is None:
            continue
        parts = partition_of(frame["uscc"].to_numpy(), n_partitions)
        for part, piece in _split(frame, parts):
            _write_part(out, table, part, piece, chunk_name)
        counts[table.removeprefix("records/")] = len(frame)
    return counts


def write_manifest(root: str | Path, n_partitions: int, as_of: date, counts: Mapping[str, int], **extra: Any) -> Path:
    """Write ``manifest.json``: layout, partitions, as-of date, row counts and ``extra``."""
    path = Path(root) / MANIFEST
    manifest = {"layout": LAYOUT, "n_partitions": int(n_partitions), "as_of": as_of.isoformat(), "rows": dict(counts)}
    manifest.update(extra)
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def read_manifest(root: str | Path) -> dict[str, Any]:
    """The manifest of a partitioned export; ``FileNotFoundError`` if ``root`` is not one."""
    path = Path(root) / MANIFEST
    if not path.is_file():
        raise FileNotFoundError(f"{root} is not a partitioned Parquet export: no {MANIFEST}")
    manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if manifest.get("layout") != LAYOUT:
        raise ValueError(f"{path}: unknown layout {manifest.get('layout')!r}, expected {LAYOUT!r}")
    return manifest


def _add(counts: dict[str, int], more: Mapping[str, int]) -> None:
    for key, value in more.items():
        counts[key] = counts.get(key, 0) + int(value)


def export_sandbox(data: sandbox.SandboxData, root: str | Path, n_partitions: int = DEFAULT_PARTITIONS) -> Path:
    """Write an in-memory sandbox as a partitioned Parquet export (``export-parquet``)."""
    counts = write_partitioned(root, data.enterprises, data.records, data.loans, n_partitions)
    write_manifest(root, n_partitions, data.as_of, counts, synthetic=True, source=sandbox.SOURCE, seed=data.seed)
    return Path(root)


def chunk_seed(seed: int, chunk: int) -> int:
    """The sandbox seed of one generation chunk (a stable function of the run's seed)."""
    digest = hashlib.sha256(f"loanhub-sandbox-chunk:{int(seed)}:{int(chunk)}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def generate_partitioned(
    root: str | Path,
    n_enterprises: int,
    *,
    seed: int = 0,
    as_of: date = sandbox.DEFAULT_AS_OF,
    n_partitions: int = DEFAULT_PARTITIONS,
    chunk_size: int = 50_000,
    progress: Progress = None,
    on_chunk: Callable[[int, dict[str, int]], None] | None = None,
) -> dict[str, Any]:
    """Generate a large sandbox chunk by chunk straight into a partitioned Parquet export.

    Memory is that of one chunk. Chunk ``i`` is ``sandbox.generate(chunk_size,
    chunk_seed(seed, i))``; a USCC drawn again by a later chunk (rare: 9 random
    characters) is dropped from it with its records and loans, so codes stay
    unique. Loan ids get the chunk number.

    Returns
    -------
    dict
        The manifest written.
    """
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be >= 1, got {chunk_size}")
    out = Path(root)
    out.mkdir(parents=True, exist_ok=True)
    seen: set[str] = set()
    counts: dict[str, int] = {}
    dropped = 0
    for chunk, start in enumerate(range(0, int(n_enterprises), chunk_size)):
        size = min(chunk_size, int(n_enterprises) - start)
        if progress is not None:
            progress(f"sandbox chunk {chunk}: {size:,} enterprises from {start:,}")
        data = sandbox.generate(size, chunk_seed(seed, chunk), as_of)
        codes = data.enterprises["uscc"].astype(str)
        fresh = ~codes.isin(seen)
        dropped += int((~fresh).sum())
        keep = set(codes[fresh])
        seen.update(keep)
        enterprises = data.enterprises.loc[fresh.to_numpy()].reset_index(drop=True)
        records = {code: frame[frame["uscc"].isin(keep)] for code, frame in data.records.items()}
        loans = data.loans[data.loans["uscc"].isin(keep)].copy()
        loans["loan_id"] = f"SBX-C{chunk:04d}-" + loans["loan_id"].astype(str)
        written = write_partitioned(out, enterprises, records, loans, n_partitions, chunk_name=f"chunk-{chunk:05d}")
        _add(counts, written)
        if on_chunk is not None:
            on_chunk(chunk, written)
        del data, records, loans, enterprises
    extra = {"synthetic": True, "source": sandbox.SOURCE, "seed": int(seed), "chunk_size": int(chunk_size)}
    write_manifest(out, n_partitions, as_of, counts, duplicate_codes_dropped=dropped, **extra)
    return read_manifest(out)


def _read_folder(folder: Path, columns: Sequence[str] | None = None) -> pd.DataFrame | None:
    files = sorted(folder.glob("*.parquet")) if folder.is_dir() else []
    if not files:
        return None
    frames = [pd.read_parquet(f, engine="pyarrow", columns=list(columns) if columns else None) for f in files]
    return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)


def _restore_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Parquet gives text back as pandas' string dtype; the in-memory frames hold objects."""
    for name in frame.columns:
        if pd.api.types.is_string_dtype(frame[name]) and not pd.api.types.is_object_dtype(frame[name]):
            frame[name] = frame[name].astype(object).where(frame[name].notna(), None)
    return frame


def read_partition(root: str | Path, part: int) -> tuple[pd.DataFrame, dict[str, pd.DataFrame], pd.DataFrame]:
    """One partition of an export: (enterprises, records by category, loans), empty frames if none."""
    base = Path(root)
    enterprises = _read_folder(_part_dir(base, "enterprises", part))
    if enterprises is None:
        enterprises = pd.DataFrame({"uscc": pd.Series([], dtype=object)})
    records: dict[str, pd.DataFrame] = {}
    for code in catalog.CATEGORIES:
        frame = _read_folder(_part_dir(base, f"records/{code}", part))
        if frame is not None:
            records[code] = _restore_text(frame)
    loans = _read_folder(_part_dir(base, "loans", part))
    return _restore_text(enterprises), records, pd.DataFrame() if loans is None else _restore_text(loans)


# --------------------------------------------------------------------------- #
# the work of one partition (runs on a worker; plain pandas, the in-memory code)


_models: dict[str, RiskModel] = {}
_models_lock = threading.Lock()


def load_model(path: str | Path) -> RiskModel:
    """A model folder loaded once per worker thread (kept by resolved path and card mtime).

    One instance per thread: a ``RiskModel`` keeps lazily built state (tree keys for
    reasons, the compiled forest) and LightGBM's booster is not shared safely between
    threads scoring at once — two threads on one instance gave wrong PDs for some rows.
    """
    from risk_models.model import RiskModel

    folder = Path(path).resolve()
    key = f"{folder}@{(folder / 'model_card.json').stat().st_mtime_ns}@{threading.get_ident()}"
    with _models_lock:
        if key not in _models:
            _models[key] = RiskModel.load(folder)
        return _models[key]


def partition_features(root: str, part: int, as_of: date | str | pd.Timestamp) -> pd.DataFrame:
    """Features of one partition of an export (``build_features``, unchanged)."""
    enterprises, records, _loans = read_partition(root, part)
    return build_features(enterprises, records, as_of)


def score_features(
    features: pd.DataFrame, model_path: str, *, reasons: bool = True, flat: bool = True, compiled: bool | None = None
) -> pd.DataFrame:
    """Scores of a feature partition with the model at ``model_path``.

    ``flat=True`` gives the file layout of ``python -m risk_models score``
    (``reason_1..4`` codes and texts); ``flat=False`` the ``reasons`` lists of
    :meth:`RiskModel.score` (what the platform stores).
    """
    model = load_model(model_path)
    if flat:
        chunks = list(
            model.score_chunks(features, reasons=reasons, top_n=4, chunk_size=max(len(features), 1), compiled=compiled)
        )
        return pd.concat(chunks) if len(chunks) > 1 else chunks[0]
    return model.score(features, reasons=reasons, top_n=4, compiled=compiled)


def score_bundle(
    enterprises: pd.DataFrame,
    records: Mapping[str, pd.DataFrame],
    as_of: date | str | pd.Timestamp,
    model_path: str,
    *,
    reasons: bool = True,
    compiled: bool | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Features and scores (``RiskModel.score`` layout) of one partition given as frames."""
    features = build_features(enterprises, records, as_of)
    return features, score_features(features, model_path, reasons=reasons, flat=False, compiled=compiled)


def partition_loan_features(root: str, part: int) -> pd.DataFrame:
    """The training rows (``bundled.loan_features``) of one partition's loans."""
    from risk_models.bundled import loan_features

    enterprises, records, loans = read_partition(root, part)
    if loans.empty:
        return pd.DataFrame()
    manifest = read_manifest(root)
    data = sandbox.SandboxData(
        enterprises, records, loans, int(manifest.get("seed", 0)), date.fromisoformat(manifest["as_of"]), manifest
    )
    return loan_features(data)


# --------------------------------------------------------------------------- #
# cluster


@contextmanager
def connect(
    scheduler: str | None = None, *, n_workers: int = 1, threads_per_worker: int = 2, processes: bool = False
) -> Iterator[Client]:
    """A ``distributed.Client``: to ``scheduler`` (``tcp://host:8786``) or to a LocalCluster.

    ``None`` or ``"local"`` starts a LocalCluster in this process (``processes=False``
    by default: worker threads share this process's memory, nothing is pickled),
    closed on exit. No dashboard is started.
    """
    dist: Any = importlib.import_module("distributed")

    if scheduler and scheduler != LOCAL:
        with dist.Client(scheduler) as client:
            yield client
        return
    with (
        dist.LocalCluster(
            n_workers=n_workers,
            threads_per_worker=threads_per_worker,
            processes=processes,
            dashboard_address=None,
        ) as cluster,
        dist.Client(cluster) as client,
    ):
        yield client


def _no_string_conversion() -> Any:
    """Keep text columns as objects in Dask frames, exactly as the in-memory path returns them."""
    import dask

    return dask.config.set({"dataframe.convert-string": False})


def _features_meta() -> pd.DataFrame:
    from risk_models.feature_dictionary import FEATURE_NAMES

    empty = build_features(pd.DataFrame({"uscc": pd.Series([], dtype=object)}), {}, "2025-12-31")
    # build_features documents float64 numbers; an empty table can come out with integer columns.
    return empty[list(FEATURE_NAMES)].astype({n: np.float64 for n in FEATURE_NAMES if n not in ("industry", "region")})


def features_frame(root: str | Path, as_of: object | None = None) -> Any:
    """A ``dask.dataframe`` of the features of every partition of an export (index: uscc).

    Lazy: compute it, write it (``to_parquet``) or map it (:func:`scores_frame`) on a client.
    """
    dd: Any = importlib.import_module("dask.dataframe")
    manifest = read_manifest(root)
    day = to_as_of(as_of if as_of is not None else manifest["as_of"])
    parts = list(range(int(manifest["n_partitions"])))
    with _no_string_conversion():
        return dd.from_map(
            partition_features,
            [str(root)] * len(parts),
            parts,
            [day] * len(parts),
            meta=_features_meta(),
            enforce_metadata=False,
            label="features",
        )


def _scores_meta(model_path: str, reasons: bool, flat: bool) -> pd.DataFrame:
    """The empty frame of a partition's scores: one all-missing row scored, then dropped."""
    meta = _features_meta()
    cells = {c: [None] if pd.api.types.is_object_dtype(meta[c]) else [np.nan] for c in meta.columns}
    probe = pd.DataFrame(cells, index=pd.Index(["0"], name="uscc"))
    probe = probe.astype({c: object if pd.api.types.is_object_dtype(meta[c]) else np.float64 for c in meta.columns})
    return score_features(probe, model_path, reasons=reasons, flat=flat, compiled=False).iloc[:0]


def scores_frame(features: Any, model_path: str | Path, *, reasons: bool = True, compiled: bool | None = None) -> Any:
    """A ``dask.dataframe`` of scores (flat reason columns) mapped over a features frame."""
    path = str(Path(model_path).resolve())
    with _no_string_conversion():
        return features.map_partitions(
            score_features,
            path,
            reasons=reasons,
            flat=True,
            compiled=compiled,
            meta=_scores_meta(path, reasons, True),
            enforce_metadata=False,
        )


def to_parquet(frame: Any, path: str | Path) -> None:
    """Write a Dask frame of features or scores to a Parquet folder (one file per partition).

    Text columns (object dtype in memory) are declared as Arrow strings: Dask cannot infer
    their type from its placeholder metadata.
    """
    pa: Any = importlib.import_module("pyarrow")
    meta = frame._meta
    fields = [pa.field(meta.index.name or "index", pa.string())]
    for name, dtype in meta.dtypes.items():
        if pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype):
            fields.append(pa.field(str(name), pa.string()))
        else:
            fields.append(pa.field(str(name), pa.from_numpy_dtype(dtype)))
    frame.to_parquet(str(path), engine="pyarrow", write_index=True, schema=pa.schema(fields), compute=True)


def read_features(path: str | Path) -> Any:
    """A features Parquet folder written by ``features`` as a ``dask.dataframe`` (index: uscc)."""
    dd: Any = importlib.import_module("dask.dataframe")
    with _no_string_conversion():
        return dd.read_parquet(str(path), engine="pyarrow", index="uscc")


# --------------------------------------------------------------------------- #
# distributed training


@dataclass
class DaskFitter:
    """Fits the booster of :func:`risk_models.training.train` with ``lightgbm.dask``.

    LightGBM's Dask estimators do not stop early; the booster is trained to the
    round cap with the validation set as an ``eval_set`` and cut at the round of
    the best validation log-loss (the same rule as ``lgb.early_stopping``), so
    the shipped booster is the best one seen. Each worker holds its share of the
    rows (``chunks`` rows per Dask block).
    """

    client: Client
    max_rounds: int | None = None
    chunks: int | None = None

    def __call__(
        self,
        params: dict[str, Any],
        x: np.ndarray,
        y: np.ndarray,
        cats: list[int],
        valid: tuple[np.ndarray, np.ndarray] | None,
        rounds: int | None,
    ) -> Any:
        da: Any = importlib.import_module("dask.array")
        import lightgbm as lgb
        from lightgbm.dask import DaskLGBMClassifier

        from risk_models.training import boosting_schedule

        schedule = boosting_schedule(y.size)
        n_rounds = int(rounds or self.max_rounds or schedule["max_rounds"])
        workers = max(1, len(self.client.scheduler_info().get("workers", {})))
        rows = int(self.chunks or max(1000, -(-y.size // workers)))
        # The Dask estimator sets the threads of each worker itself.
        booster_params = {
            k: v for k, v in params.items() if k not in ("objective", "num_threads", "n_jobs", "verbose", "verbosity")
        }
        model = DaskLGBMClassifier(
            client=self.client, n_estimators=n_rounds, objective="binary", verbose=-1, **booster_params
        )
        dx = da.from_array(np.ascontiguousarray(x), chunks=(rows, x.shape[1]))
        dy = da.from_array(y, chunks=(rows,))
        fit_args: dict[str, Any] = {"categorical_feature": cats or "auto"}
        if valid is not None:
            vrows = max(1000, -(-valid[1].size // workers))
            fit_args["eval_X"] = (da.from_array(np.ascontiguousarray(valid[0]), chunks=(vrows, x.shape[1])),)
            fit_args["eval_y"] = (da.from_array(valid[1], chunks=(vrows,)),)
            fit_args["eval_metric"] = "binary_logloss"
        model.fit(dx, dy, **fit_args)
        booster = model.booster_
        best = booster.current_iteration()
        history = (model.evals_result_ or {}).get("valid_0", {}).get("binary_logloss") if valid is not None else None
        if history:
            best = int(np.argmin(history)) + 1
        return lgb.Booster(model_str=booster.model_to_string(num_iteration=best))


def train_distributed(
    data: pd.DataFrame, target: str, client: Client, *, max_rounds: int | None = None, **kwargs: Any
) -> RiskModel:
    """:func:`risk_models.training.train` with the booster fitted by ``lightgbm.dask`` on ``client``.

    Same columns, encoding, monotone constraints, calibration, evaluation and model
    folder; the card's ``training.distributed`` says so (scheduler, workers, rounds).
    Model selection is not run (``select=False``): the default LightGBM setting is fitted.
    """
    from risk_models.training import train

    kwargs["select"] = False
    model = train(data, target, fitter=DaskFitter(client, max_rounds=max_rounds), **kwargs)
    info = client.scheduler_info()
    model.card["training"]["distributed"] = {
        "engine": "lightgbm.dask.DaskLGBMClassifier",
        "scheduler": str(info.get("address", "")),
        "workers": len(info.get("workers", {})),
        "early_stopping": "best validation log-loss round of the full run",
    }
    return model


def train_sandbox_book(
    book: pd.DataFrame,
    client: Client,
    *,
    source: Mapping[str, Any] | None = None,
    seed: int = 0,
    max_rounds: int | None = None,
    progress: Progress = None,
) -> RiskModel:
    """The sandbox model (``bundled.train_sandbox``'s settings) trained on a loan book with ``lightgbm.dask``."""
    provenance = {"kind": "sandbox", "synthetic": True, **dict(source or {})}
    return train_distributed(
        book,
        "defaulted",
        client,
        max_rounds=max_rounds,
        time_col="origination_date",
        id_col="loan_id",
        exclude=["uscc"],
        seed=seed,
        source=provenance,
        progress=progress,
    )


def book_from_export(root: str | Path, client: Any) -> pd.DataFrame:
    """The training rows of every partition's loans, computed on the cluster and gathered."""
    dask: Any = importlib.import_module("dask")
    manifest = read_manifest(root)
    tasks = [dask.delayed(partition_loan_features)(str(root), p) for p in range(int(manifest["n_partitions"]))]
    parts: list[pd.DataFrame] = [p for p in client.compute(tasks, sync=True) if not p.empty]
    frame = pd.concat(parts, ignore_index=True)
    return frame.sort_values(["origination_date", "loan_id"], kind="stable").reset_index(drop=True)


def default_workers() -> int:
    """Worker threads for a LocalCluster: the CPU count, at most 2 (``RISK_MODELS_DASK_THREADS`` overrides)."""
    configured = os.environ.get("RISK_MODELS_DASK_THREADS")
    if configured:
        return max(1, int(configured))
    return max(1, min(2, os.cpu_count() or 1))
