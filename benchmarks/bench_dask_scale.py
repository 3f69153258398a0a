"""Benchmark: sandbox enterprises end to end on Dask — generate, load, features, score, rematch. Prints JSON.

    nice -n 19 .venv/bin/python benchmarks/bench_dask_scale.py --enterprises 1000000

Stages (each timed, with the peak RSS of this process and its children sampled every 0.2 s):

1. **generate**: ``risk_models.distributed.generate_partitioned`` — the sandbox in chunks straight
   into a partitioned Parquet export (USCC hash partitions), memory of one chunk.
2. **load**: the export's records into PostgreSQL on a scratch database (``--database-url``,
   default ``loanhub_bench_dask``, created if missing; never the test or app database): per
   partition and category, ``COPY`` of (uscc, record_date, payload JSON) into a staging table, then
   one ``INSERT … SELECT … ON CONFLICT DO NOTHING`` into a table with the record table's key
   columns, unique natural key and (uscc, category, record_date) index — PostgreSQL's raw bulk path.
   ``--load-partitions K`` loads only the first K partitions (a measured fraction) and projects the
   rest from the measured rows/s.
3. **features**: per partition on a Dask LocalCluster, ``build_features`` (the in-memory code) →
   ``features/part-N.parquet``.
4. **score**: per partition, the bundled model's ``score_chunks`` (PD, score, grade, knock-out,
   four reason codes with Chinese and English texts) → ``scores/part-N.parquet``.
5. **rematch**: per partition, one open need per enterprise (amount and term drawn with a fixed
   seed; region, industry, firm age from the enterprise; grade, PD and knock-out from its score)
   against ``--products`` synthetic products with ``loanhub.matching.engine.match`` (the platform's
   engine), chunk by chunk; counts eligible pairs.

Per-partition costs (seconds of one worker thread per partition) give the projection to
``--project-enterprises`` (default 8M: about 750M records at the sandbox's ≈94 per enterprise) and
to 1B records (about 10.6M enterprises) on clusters of several sizes: stage time ≈ enterprises ×
(measured worker seconds per enterprise) ÷ worker cores; load ≈ records ÷ (measured rows/s × loaders).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from risk_models import catalog, distributed  # noqa: E402

DEFAULT_URL = "postgres://loanhub:loanhub@127.0.0.1:5432/loanhub_bench_dask"
TABLE = "bench_creditrecord"
GiB = 2**30


# --------------------------------------------------------------------------- memory


class PeakRss:
    """Samples the RSS of this process and its children; ``peak`` since the last ``reset``."""

    def __init__(self, every: float = 0.2) -> None:
        import psutil

        self._proc = psutil.Process()
        self.every = every
        self.peak = 0
        self.overall = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def rss(self) -> int:
        import psutil

        total = self._proc.memory_info().rss
        for child in self._proc.children(recursive=True):
            try:
                total += child.memory_info().rss
            except psutil.Error:
                pass
        return int(total)

    def _run(self) -> None:
        while not self._stop.is_set():
            value = self.rss()
            self.peak = max(self.peak, value)
            self.overall = max(self.overall, value)
            self._stop.wait(self.every)

    def reset(self) -> None:
        self.peak = self.rss()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def process_cpu() -> float:
    """CPU seconds (user + system) of this process, every thread (LightGBM's and Arrow's pools too)."""
    import psutil

    times = psutil.Process().cpu_times()
    return float(times.user + times.system)


# --------------------------------------------------------------------------- stages on a worker


def features_part(root: str, out: str, part: int, as_of: str) -> dict[str, Any]:
    started, cpu = time.perf_counter(), time.thread_time()
    enterprises, records, _loans = distributed.read_partition(root, part)
    read = time.perf_counter() - started
    from risk_models.features import build_features

    table = build_features(enterprises, records, as_of)
    n_records = sum(len(f) for f in records.values())
    del records
    table.to_parquet(Path(out) / f"part-{part:05d}.parquet", engine="pyarrow")
    return {
        "part": part,
        "enterprises": len(table),
        "records": n_records,
        "read_s": read,
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.thread_time() - cpu,
    }


def score_part(features_dir: str, out: str, part: int, model_path: str) -> dict[str, Any]:
    started, cpu = time.perf_counter(), time.thread_time()
    features = pd.read_parquet(Path(features_dir) / f"part-{part:05d}.parquet", engine="pyarrow")
    for name in ("industry", "region"):
        features[name] = features[name].astype(object).where(features[name].notna(), None)
    scores = distributed.score_features(features, model_path, reasons=True, flat=True)
    scores.to_parquet(Path(out) / f"part-{part:05d}.parquet", engine="pyarrow")
    return {
        "part": part,
        "enterprises": len(scores),
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.thread_time() - cpu,
    }


def rematch_part(root: str, scores_dir: str, part: int, products: pd.DataFrame, as_of: str) -> dict[str, Any]:
    from loanhub.matching import engine

    started, cpu = time.perf_counter(), time.thread_time()
    engine.set_categories(catalog.CATEGORIES)
    table = engine.prepare_products(products)
    enterprises = distributed.read_partition(root, part)[0].set_index("uscc")
    scores = pd.read_parquet(Path(scores_dir) / f"part-{part:05d}.parquet", columns=["pd", "grade", "knockout"])
    firms = enterprises.loc[scores.index]
    rng = np.random.default_rng(1000 + part)
    n = len(scores)
    amount = rng.choice([2e5, 5e5, 1e6, 3e6], n)
    term = rng.choice([6.0, 12.0, 24.0, 36.0], n)
    years = ((pd.Timestamp(as_of) - pd.to_datetime(firms["registration_date"])).dt.days / 365.25).to_numpy()
    full = engine.category_mask(catalog.CATEGORIES)
    needs = [
        engine.NeedRow(
            amount=float(amount[i]), term_months=float(term[i]), region=str(region), industry=str(industry),
            years_in_business=float(years[i]), grade=str(grade), pd=float(pd_), knockout=bool(knock),
            product_types=frozenset(), collateral_offered=frozenset({"none"}), banks=frozenset(), consent={-1: full},
        )
        for i, (region, industry, grade, pd_, knock) in enumerate(
            zip(firms["region"], firms["industry"], scores["grade"], scores["pd"], scores["knockout"], strict=True)
        )
    ]  # fmt: skip
    eligible = 0
    for start in range(0, n, 256):
        eligible += int(engine.match(needs[start : start + 256], table).eligible.sum())
    return {
        "part": part,
        "needs": n,
        "eligible_pairs": eligible,
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.thread_time() - cpu,
    }


# --------------------------------------------------------------------------- load (PostgreSQL)


def ensure_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl().replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def _pg(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


def prepare_table(url: str) -> None:
    import psycopg

    with psycopg.connect(_pg(url), autocommit=True) as conn:
        conn.execute(f"DROP TABLE IF EXISTS {TABLE}")
        conn.execute(
            f"CREATE TABLE {TABLE} (id bigserial PRIMARY KEY, uscc varchar(18) NOT NULL, "
            "category varchar(20) NOT NULL, record_date date NOT NULL, payload jsonb NOT NULL, "
            "natural_key varchar(64) NOT NULL, payload_hash varchar(64) NOT NULL, "
            "created_at timestamptz NOT NULL DEFAULT now())"
        )
        conn.execute(f"CREATE UNIQUE INDEX {TABLE}_natural_key ON {TABLE} (uscc, natural_key)")
        conn.execute(f"CREATE INDEX {TABLE}_profile ON {TABLE} (uscc, category, record_date)")


def _copy_buffer(frame: pd.DataFrame) -> bytes:
    payload = frame.drop(columns=["uscc", "record_date"]).to_json(
        orient="records", lines=True, date_format="iso", force_ascii=False
    )
    lines = pd.Series(payload.splitlines(), index=frame.index) if len(frame) else pd.Series([], dtype=object)
    out = pd.DataFrame(
        {"uscc": frame["uscc"], "record_date": frame["record_date"].dt.strftime("%Y-%m-%d"), "payload": lines}
    )
    buffer = io.StringIO()
    out.to_csv(buffer, index=False, header=False)
    return buffer.getvalue().encode("utf-8")


def load_part(url: str, root: str, part: int) -> dict[str, Any]:
    import psycopg

    started = time.perf_counter()
    rows = 0
    with psycopg.connect(_pg(url)) as conn, conn.cursor() as cur:
        cur.execute(
            "CREATE TEMPORARY TABLE IF NOT EXISTS staging (uscc text, record_date text, payload text) "
            "ON COMMIT DELETE ROWS"
        )
        _enterprises, records, _loans = distributed.read_partition(root, part)
        for code, frame in records.items():
            with cur.copy("COPY staging (uscc, record_date, payload) FROM STDIN (FORMAT csv)") as copy:
                copy.write(_copy_buffer(frame))
            cur.execute(
                f"INSERT INTO {TABLE} (uscc, category, record_date, payload, natural_key, payload_hash) "  # noqa: S608
                "SELECT uscc, %s, record_date::date, payload::jsonb, "
                "encode(sha256(convert_to(%s || '|' || record_date || '|' || payload, 'UTF8')), 'hex'), "
                "encode(sha256(convert_to(payload, 'UTF8')), 'hex') FROM staging "
                "ON CONFLICT (uscc, natural_key) DO NOTHING",
                [code, code],
            )
            rows += cur.rowcount
            conn.commit()
    return {"part": part, "rows": rows, "seconds": time.perf_counter() - started}


# --------------------------------------------------------------------------- run


def _stage_summary(results: list[dict[str, Any]], wall: float, peak: int, unit: str) -> dict[str, Any]:
    per_part = [r["seconds"] for r in results]
    units = sum(int(r.get(unit, 0)) for r in results)
    return {
        "seconds": round(wall, 1),
        unit: units,
        f"{unit}_per_second": round(units / wall) if wall else None,
        "partitions": len(results),
        "partition_seconds_mean": round(float(np.mean(per_part)), 2) if per_part else None,
        "partition_seconds_max": round(float(np.max(per_part)), 2) if per_part else None,
        "worker_seconds_per_1k_enterprises": None,
        "peak_rss_gb": round(peak / GiB, 2),
    }


def _project(summary: dict[str, Any], n_enterprises: int, target: int, records_per_enterprise: float) -> dict[str, Any]:
    """Projection to ``target`` enterprises from the measured per-partition CPU seconds.

    The stage's CPU seconds (this process, every thread), not wall seconds: on this shared
    machine the wall time mostly measures the other processes. A cluster worker core is taken
    to do one CPU second per second; partitions are independent, so they divide by the cores.
    """
    out: dict[str, Any] = {"enterprises": target, "records": int(target * records_per_enterprise)}
    per_enterprise = {}
    for stage in ("generate", "features", "score", "rematch"):
        s = summary["stages"].get(stage)
        if not s:
            continue
        per_enterprise[stage] = s["cpu_seconds"] / n_enterprises
    out["cpu_seconds_per_enterprise"] = {k: round(v * 1e6, 1) for k, v in per_enterprise.items()}
    out["cpu_seconds_unit"] = "microseconds of CPU per enterprise (the stage's process CPU time / enterprises)"
    clusters = {}
    for cores in (8, 32, 64, 128):
        stages = {k: round(v * target / cores / 60, 1) for k, v in per_enterprise.items()}
        clusters[f"{cores}_worker_cores"] = {"minutes": stages, "total_minutes": round(sum(stages.values()), 1)}
    out["clusters"] = clusters
    load = summary["stages"].get("load")
    if load and load.get("rows_per_second"):
        rate = load["rows_per_second"]
        out["load_minutes"] = {f"{n}_parallel_loaders": round(out["records"] / (rate * n) / 60, 1) for n in (1, 4, 8)}
        out["load_note"] = (
            "PostgreSQL COPY + upsert rows/s measured here with one loader on 2 shared cores; parallel loaders"
            " assume a primary that scales with them (a partitioned record table, more cores and disks)"
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=50_000)
    parser.add_argument("--partitions", type=int, default=0, help="default: about 15,600 enterprises each")
    parser.add_argument("--chunk-size", type=int, default=100_000)
    parser.add_argument("--workdir", default=str(Path(tempfile.gettempdir()) / "loanhub_bench_dask"))
    parser.add_argument("--model", default=str(ROOT / "var" / "models" / "sandbox"))
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--load-partitions", type=int, default=-1, help="-1: all; 0: skip the load")
    parser.add_argument("--products", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--project-enterprises", type=int, default=8_000_000)
    parser.add_argument("--progress-file", default=None, help="write the JSON so far after each stage")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()
    n_parts = args.partitions or max(4, round(args.enterprises / 15_625))
    work = Path(args.workdir)
    shutil.rmtree(work, ignore_errors=True)
    root, feats, scores = work / "export", work / "features", work / "scores"
    for folder in (feats, scores):
        folder.mkdir(parents=True)
    as_of = date(2025, 12, 31)
    memory = PeakRss()
    summary: dict[str, Any] = {
        "benchmark": "dask_scale",
        "enterprises": args.enterprises,
        "partitions": n_parts,
        "threads": args.threads,
        "cpu_count": os.cpu_count(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / GiB, 1),
        "stages": {},
        "command": "benchmarks/bench_dask_scale.py " + " ".join(sys.argv[1:]),
    }

    def save() -> None:
        summary["peak_rss_gb"] = round(memory.overall / GiB, 2)
        if args.progress_file:
            Path(args.progress_file).write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n")

    def say(message: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    # 1. generate
    memory.reset()
    chunk_times: list[float] = []
    last = [time.perf_counter()]

    def on_chunk(_chunk: int, _written: dict[str, int]) -> None:
        now = time.perf_counter()
        chunk_times.append(now - last[0])
        last[0] = now

    started, cpu_started = time.perf_counter(), process_cpu()
    manifest = distributed.generate_partitioned(
        root, args.enterprises, n_partitions=n_parts, chunk_size=args.chunk_size, as_of=as_of,
        progress=say, on_chunk=on_chunk,
    )  # fmt: skip
    wall = time.perf_counter() - started
    rows = manifest["rows"]
    n_records = sum(v for k, v in rows.items() if k not in ("enterprises", "loans"))
    n_ent = int(rows["enterprises"])
    summary["records"] = n_records
    summary["records_per_enterprise"] = round(n_records / n_ent, 1)
    summary["export_gb"] = round(sum(f.stat().st_size for f in root.rglob("*.parquet")) / GiB, 2)
    summary["stages"]["generate"] = {
        "seconds": round(wall, 1),
        "records_per_second": round(n_records / wall),
        "chunks": len(chunk_times),
        "chunk_seconds_mean": round(float(np.mean(chunk_times)), 2),
        "worker_seconds": round(sum(chunk_times), 1),
        "cpu_seconds": round(process_cpu() - cpu_started, 1),
        "peak_rss_gb": round(memory.peak / GiB, 2),
        "note": "one process, chunk by chunk (the chunks are independent: a cluster runs them in parallel)",
    }
    save()
    say(f"generated {n_ent:,} enterprises, {n_records:,} records in {wall:.0f} s")

    # 2. load (PostgreSQL, scratch database)
    load_parts = n_parts if args.load_partitions < 0 else min(args.load_partitions, n_parts)
    if load_parts:
        memory.reset()
        ensure_database(args.database_url)
        prepare_table(args.database_url)
        started = time.perf_counter()
        loaded = []
        for part in range(load_parts):
            loaded.append(load_part(args.database_url, str(root), part))
            say(f"loaded partition {part}: {loaded[-1]['rows']:,} rows in {loaded[-1]['seconds']:.1f} s")
        wall = time.perf_counter() - started
        stage = _stage_summary(loaded, wall, memory.peak, "rows")
        stage["fraction_loaded"] = round(load_parts / n_parts, 3)
        stage["projected_full_load_seconds"] = (
            round(n_records / stage["rows_per_second"]) if stage["rows_per_second"] else None
        )
        stage["database"] = "postgresql (scratch database, table with the record table's key columns and indexes)"
        summary["stages"]["load"] = stage
        save()

    # 3-5. features, score, rematch on Dask
    import bench_matching

    products = bench_matching.products(args.products, np.random.default_rng(7))
    with distributed.connect(distributed.LOCAL, threads_per_worker=args.threads) as client:
        for name, fn, extra, unit in (
            ("features", features_part, lambda p: (str(root), str(feats), p, as_of.isoformat()), "enterprises"),
            ("score", score_part, lambda p: (str(feats), str(scores), p, args.model), "enterprises"),
            ("rematch", rematch_part, lambda p: (str(root), str(scores), p, products, as_of.isoformat()), "needs"),
        ):
            memory.reset()
            started, cpu_started = time.perf_counter(), process_cpu()
            futures = [client.submit(fn, *extra(p), key=f"{name}-{p}", pure=False) for p in range(n_parts)]
            results = client.gather(futures)
            wall = time.perf_counter() - started
            stage = _stage_summary(results, wall, memory.peak, unit)
            stage["worker_seconds"] = round(sum(r["seconds"] for r in results), 1)
            stage["cpu_seconds"] = round(process_cpu() - cpu_started, 1)
            stage["partition_thread_cpu_seconds_mean"] = round(float(np.mean([r["cpu_seconds"] for r in results])), 2)
            stage["cpu_seconds_per_1k_enterprises"] = round(1000 * stage["cpu_seconds"] / n_ent, 3)
            stage["worker_seconds_per_1k_enterprises"] = round(1000 * stage["worker_seconds"] / n_ent, 3)
            if name == "features":
                stage["records_per_second"] = round(n_records / wall)
            if name == "rematch":
                stage["eligible_pairs"] = sum(r["eligible_pairs"] for r in results)
                stage["products"] = args.products
            summary["stages"][name] = stage
            save()
            say(f"{name}: {wall:.0f} s, peak {memory.peak / GiB:.2f} GB")
    generate = summary["stages"]["generate"]
    generate["worker_seconds_per_1k_enterprises"] = round(1000 * generate["worker_seconds"] / n_ent, 3)
    generate["cpu_seconds_per_1k_enterprises"] = round(1000 * generate["cpu_seconds"] / n_ent, 3)
    summary["end_to_end_seconds"] = round(sum(s["seconds"] for s in summary["stages"].values()), 1)
    summary["projection"] = _project(summary, n_ent, args.project_enterprises, n_records / n_ent)
    summary["projection_1b_records"] = _project(summary, n_ent, round(1e9 / (n_records / n_ent)), n_records / n_ent)
    memory.stop()
    save()
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
