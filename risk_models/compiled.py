"""Compiled tree scoring with lleaves, cached per model version, LightGBM as the fallback.

lleaves compiles a LightGBM model into native code with LLVM; its raw margins
equal ``Booster.predict(raw_score=True)`` to rounding (about 1e-14). The
compiled object is cached in a folder (by default ``compiled/`` inside the
model folder, or ``RISK_MODELS_COMPILE_CACHE``) under a name made of the
SHA-256 of the model text, the lleaves and llvmlite versions and the host CPU,
so a retrained model, an upgraded compiler or another machine never picks up a
stale object. Before a compiled model is used, its margins are compared with
``Booster.predict`` on a probe of the rows being scored; a difference above
:data:`TOLERANCE`, a missing lleaves, an unwritable cache folder or any
compilation error leaves scoring on ``Booster.predict``, and the reason is kept
in :attr:`CompiledForest.fallback_reason`.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import platform
import tempfile
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    # Only named in annotations: importing LightGBM (and scikit-learn with it) costs about a
    # second, which every manage.py command would pay through the back office's hooks.
    import lightgbm as lgb

CACHE_ENV = "RISK_MODELS_COMPILE_CACHE"
TOLERANCE = 1e-9
#: Without a cached object, compile only for batches at least this large (compiling takes seconds).
COMPILE_MIN_ROWS = 20_000
PROBE_ROWS = 512


def _module(name: str) -> Any:
    return importlib.import_module(name)


def available() -> bool:
    """Whether lleaves (and its llvmlite) can be imported."""
    try:
        _module("lleaves")
    except ImportError:
        return False
    return True


def model_key(model_text: str) -> str:
    """Cache key: model text SHA-256, compiler versions and the host CPU."""
    llvm = _module("llvmlite.binding")
    cpu = f"{llvm.get_host_cpu_name()}|{llvm.get_host_cpu_features().flatten()}"
    versions = f"lleaves {metadata.version('lleaves')}|llvmlite {metadata.version('llvmlite')}|{platform.machine()}"
    digest = hashlib.sha256(model_text.encode("utf-8")).hexdigest()
    host = hashlib.sha256(f"{versions}|{cpu}".encode()).hexdigest()[:12]
    return f"{digest[:32]}-{host}"


class CompiledForest:
    """Raw margins of a booster, compiled when possible.

    Parameters
    ----------
    booster : lightgbm.Booster
    cache_dir : path, optional
        Where compiled objects live; without it nothing is compiled.
    n_jobs : int, default 2
    """

    def __init__(self, booster: lgb.Booster, cache_dir: str | Path | None, n_jobs: int = 2) -> None:
        self.booster = booster
        self.cache_dir = None if cache_dir is None else Path(cache_dir)
        self.n_jobs = n_jobs
        self._compiled: Any = None
        self._tried = False
        self.fallback_reason: str | None = None if cache_dir is not None else "no compile cache folder"

    @property
    def is_compiled(self) -> bool:
        """Whether scoring runs on the compiled model."""
        return self._compiled is not None

    def cached_object(self) -> Path | None:
        """The compiled object for this model on this host, if it exists."""
        if self.cache_dir is None or not available():
            return None
        path = self.cache_dir / f"{model_key(self.booster.model_to_string())}.so"
        return path if path.is_file() else None

    def compile(self, probe: np.ndarray | None = None) -> bool:
        """Compile (or load the cached object) and verify it; False means the fallback is used."""
        if self._tried:
            return self.is_compiled
        self._tried = True
        if self.cache_dir is None:
            return False
        if not available():
            self.fallback_reason = "lleaves is not installed"
            return False
        try:
            model = self._load_or_compile()
        except Exception as exc:  # noqa: BLE001 -- any compiler failure means: score with LightGBM
            self.fallback_reason = f"compilation failed: {type(exc).__name__}: {exc}"
            return False
        return self._verify(model, probe)

    def _load_or_compile(self) -> Any:
        if self.cache_dir is None:
            raise ValueError("no compile cache folder")
        text = self.booster.model_to_string()
        key = model_key(text)
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        final = self.cache_dir / f"{key}.so"
        with tempfile.TemporaryDirectory(dir=self.cache_dir, prefix=".compile-") as tmp:
            model_file = Path(tmp) / "model.txt"
            model_file.write_text(text, encoding="utf-8")
            model = _module("lleaves").Model(model_file=str(model_file))
            if final.is_file():
                model.compile(cache=str(final), raw_score=True)
            else:
                staging = Path(tmp) / "forest.so"
                model.compile(cache=str(staging), raw_score=True)
                os.replace(staging, final)  # atomic: a concurrent reader sees all or nothing
        return model

    def _verify(self, model: Any, probe: np.ndarray | None) -> bool:
        n_feat = self.booster.num_feature()
        rows = np.full((1, n_feat), np.nan) if probe is None else probe[:PROBE_ROWS]
        rows = np.vstack([rows, np.full((1, n_feat), np.nan)])
        expected = _booster_raw(self.booster, rows)
        got = np.asarray(model.predict(np.ascontiguousarray(rows, dtype=np.float64), n_jobs=1), dtype=np.float64)
        worst = float(np.max(np.abs(expected - got)))
        if not worst <= TOLERANCE:
            self.fallback_reason = f"compiled margins differ from LightGBM by {worst:.3g} (> {TOLERANCE})"
            return False
        self._compiled = model
        self.fallback_reason = None
        return True

    def raw(self, x: np.ndarray, compile_now: bool | None = None) -> np.ndarray:
        """Raw margins of ``x``: compiled if compiled (or ``compile_now``), else ``Booster.predict``.

        ``compile_now=None`` compiles when a cached object exists or the batch has at
        least :data:`COMPILE_MIN_ROWS` rows; ``False`` scores with LightGBM.
        """
        if compile_now is None:
            compile_now = x.shape[0] >= COMPILE_MIN_ROWS or self.cached_object() is not None
        if compile_now and not self._tried:
            self.compile(x)
        if self._compiled is None or compile_now is False or x.shape[0] == 0:
            return _booster_raw(self.booster, x)
        data = np.ascontiguousarray(x, dtype=np.float64)
        out: np.ndarray = np.asarray(self._compiled.predict(data, n_jobs=self.n_jobs), dtype=np.float64)
        return out


def _booster_raw(booster: lgb.Booster, x: np.ndarray) -> np.ndarray:
    out = booster.predict(x, raw_score=True)
    if not isinstance(out, np.ndarray):
        raise TypeError(f"expected a dense prediction, got {type(out).__name__}")
    return out


def cache_dir_for(model_folder: Path | None) -> Path | None:
    """The compile cache: ``$RISK_MODELS_COMPILE_CACHE`` or ``<model folder>/compiled``."""
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured)
    return None if model_folder is None else model_folder / "compiled"
