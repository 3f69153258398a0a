"""Command line: ``python -m risk_models {sandbox,features,train,score,report}``.

Progress goes to stderr; errors in the input (missing column, unreadable file,
bad argument) print one line ``error: …`` on stderr and exit with code 2.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from risk_models import coercion, sandbox
from risk_models.compiled import COMPILE_MIN_ROWS
from risk_models.exceptions import MissingColumnsError, RiskModelsError
from risk_models.guards import GuardError

EXIT_USAGE = 2
#: A guard stopped the run (training warnings without --force, too many values coerced at scoring).
EXIT_GUARD = 3


class _Progress:
    """Timestamped progress lines on stderr."""

    def __init__(self, quiet: bool = False) -> None:
        self.start = time.perf_counter()
        self.quiet = quiet

    def __call__(self, message: str) -> None:
        if not self.quiet:
            elapsed = time.perf_counter() - self.start
            print(f"[{elapsed:7.1f}s] {message}", file=sys.stderr, flush=True)


def _read_csv(path: str, encoding: str | None = None, **kwargs: Any) -> pd.DataFrame:
    """Read a CSV (UTF-8 with or without BOM, else GB18030, unless ``encoding`` names one).

    The encoding used is in ``frame.attrs["encoding"]``.
    """
    frame, used = coercion.read_csv(path, encoding, **kwargs)
    frame.attrs["encoding"] = used
    return frame


# --------------------------------------------------------------------------- #
# subcommands


def _cmd_sandbox(args: argparse.Namespace, say: _Progress) -> int:
    data = sandbox.generate(args.enterprises, args.seed, args.as_of, progress=say)
    out = data.write(args.out, progress=say)
    counts = {code: len(frame) for code, frame in data.records.items()}
    say(
        f"wrote {out}: {len(data.enterprises):,} enterprises, "
        f"{sum(counts.values()):,} records, {len(data.loans):,} loans "
        f"(default rate {data.loans['defaulted'].mean():.2%})"
    )
    return 0


def _cmd_features(args: argparse.Namespace, say: _Progress) -> int:
    from risk_models.features import build_features

    if args.records:
        return _features_dask(args, say)
    data = sandbox.read_sandbox(args.sandbox)
    as_of = args.as_of or data.as_of
    say(f"features as of {as_of} for {len(data.enterprises):,} enterprises")
    table = build_features(data.enterprises, data.records, as_of)
    table.to_csv(args.out)
    say(f"wrote {args.out}")
    return 0


def _cmd_train(args: argparse.Namespace, say: _Progress) -> int:
    from risk_models.bundled import train_sandbox
    from risk_models.training import train

    if args.scheduler:
        return _train_dask(args, say)
    if args.records:
        raise ValueError("train --records needs --scheduler (the book is built on the Dask cluster)")
    if args.sandbox:
        data = sandbox.read_sandbox(args.sandbox)
        model = train_sandbox(data, seed=args.seed, progress=say)
    else:
        frame = _read_csv(args.data, args.encoding, dtype=_text_columns(args))
        missing = [c for c in (args.target, args.time_col, args.id_col) if c and c not in frame]
        if missing:
            raise MissingColumnsError(missing, args.data)
        encoding = frame.attrs["encoding"]
        source = {"kind": "csv", "file": Path(args.data).name, "synthetic": False, "encoding": encoding}
        say(f"read {len(frame):,} rows from {args.data} ({encoding})")
        model = train(
            frame,
            args.target,
            positive=args.positive,
            negative=args.negative,
            time_col=args.time_col,
            id_col=args.id_col,
            exclude=args.exclude or [],
            protected=args.protected or [],
            cv=args.cv,
            directions=_directions(args.monotone),
            monotone_auto="auto" in (args.monotone or []),
            dayfirst=args.dayfirst,
            date_format=args.date_format,
            force=args.force,
            calibration=args.calibration,
            select=not args.no_select,
            seed=args.seed,
            source=source,
            progress=say,
        )
        for warning in model.card.get("guards", {}).get("forced", []):
            say(f"forced past warning [{warning['code']}]: {warning['message']}")
    model.save(args.out)
    m = model.card["metrics"]
    say(f"saved model {model.version} to {args.out}")
    print(
        json.dumps(
            {k: m.get(k) for k in ("auc", "auc_std", "ks", "brier", "n_rows", "bad_rate")},
            indent=2,
        )
    )
    return 0


def _text_columns(args: argparse.Namespace) -> dict[str, str]:
    return {args.id_col: "str"} if args.id_col else {}


def _directions(pairs: Sequence[str] | None) -> dict[str, int]:
    out: dict[str, int] = {}
    for pair in pairs or ():
        if pair == "auto":
            continue
        name, sep, value = pair.partition("=")
        if not sep or value.strip() not in ("+1", "1", "-1", "0"):
            raise ValueError(f"--monotone expects NAME=+1, NAME=-1, NAME=0 or auto, got {pair!r}")
        out[name.strip()] = int(value)
    return out


def _cmd_score(args: argparse.Namespace, say: _Progress) -> int:
    from risk_models.model import RiskModel

    if args.scheduler or args.records or args.features:
        return _score_dask(args, say)
    if not args.data:
        raise ValueError("score needs --data (CSV), --features (Parquet) or --records (Parquet export)")
    model = RiskModel.load(args.model)
    cats = {f["name"]: "str" for f in model.card["features"] if f["type"] == "categorical"}
    if args.id_col:
        cats[args.id_col] = "str"
    frame = _read_csv(args.data, args.encoding, dtype=cats)
    if args.id_col and args.id_col not in frame:
        raise MissingColumnsError([args.id_col], args.data)
    missing = [n for n in model.feature_names if n not in frame.columns]
    if missing:
        raise MissingColumnsError(missing, args.data)
    _check_coercion(model.card["features"], frame, args, say)
    say(f"scoring {len(frame):,} rows with model {model.version}")
    compiled = False if args.no_compile else None
    chunks = model.score_chunks(
        frame, reasons=not args.no_reasons, top_n=4, chunk_size=args.chunk_size, compiled=compiled
    )
    ids = frame[args.id_col].to_numpy() if args.id_col else np.arange(1, len(frame) + 1)
    start = 0
    with Path(args.out).open("w", encoding="utf-8", newline="") as handle:
        for chunk in chunks:  # written as scored: memory stays that of one chunk of reasons
            part = _score_output(chunk, ids[start : start + len(chunk)], args.id_col)
            part.to_csv(handle, index=False, header=start == 0)
            start += len(chunk)
    if model.forest is not None and model.forest.fallback_reason and len(frame) >= COMPILE_MIN_ROWS:
        say(f"scored with LightGBM: {model.forest.fallback_reason}")
    say(f"wrote {args.out}")
    return 0


# --------------------------------------------------------------------------- #
# Dask (risk_models.distributed)


def _scheduler_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--scheduler",
        default=None,
        help="Dask scheduler address (tcp://HOST:8786); default: a LocalCluster in this process",
    )


def _features_dask(args: argparse.Namespace, say: _Progress) -> int:
    from risk_models import distributed

    manifest = distributed.read_manifest(args.records)
    with distributed.connect(args.scheduler, threads_per_worker=distributed.default_workers()) as client:
        say(f"features of {manifest['n_partitions']} partitions on {_where(client)}")
        frame = distributed.features_frame(args.records, args.as_of)
        distributed.to_parquet(frame, args.out)
    say(f"wrote {args.out}")
    return 0


def _score_dask(args: argparse.Namespace, say: _Progress) -> int:
    from risk_models import distributed

    if args.data:
        raise ValueError("score --scheduler reads --features or --records (Parquet), not --data")
    with distributed.connect(args.scheduler, threads_per_worker=distributed.default_workers()) as client:
        if args.records:
            frame = distributed.features_frame(args.records, args.as_of)
        else:
            frame = distributed.read_features(args.features)
        say(f"scoring {frame.npartitions} partitions on {_where(client)}")
        compiled = False if args.no_compile else None
        scores = distributed.scores_frame(frame, args.model, reasons=not args.no_reasons, compiled=compiled)
        distributed.to_parquet(scores, args.out)
    say(f"wrote {args.out}")
    return 0


def _train_dask(args: argparse.Namespace, say: _Progress) -> int:
    from risk_models import distributed
    from risk_models.bundled import loan_features

    if args.data:
        raise ValueError("train --scheduler takes --sandbox or --records (a sandbox book), not --data")
    with distributed.connect(args.scheduler, threads_per_worker=distributed.default_workers()) as client:
        if args.records:
            say(f"loan features of {args.records} on {_where(client)}")
            manifest = distributed.read_manifest(args.records)
            book = distributed.book_from_export(args.records, client)
            source = {"n_enterprises": int(manifest["rows"].get("enterprises", 0)), "seed": manifest.get("seed")}
            source["as_of"] = manifest["as_of"]
        else:
            data = sandbox.read_sandbox(args.sandbox)
            book = loan_features(data, say)
            source = {"n_enterprises": len(data.enterprises), "seed": data.seed, "as_of": data.as_of.isoformat()}
        say(f"training on {len(book):,} loans with lightgbm.dask on {_where(client)}")
        model = distributed.train_sandbox_book(
            book, client, source=source, seed=args.seed, max_rounds=args.max_rounds, progress=say
        )
    model.save(args.out)
    say(f"saved model {model.version} to {args.out} (trained with lightgbm.dask)")
    m = model.card["metrics"]
    print(json.dumps({k: m.get(k) for k in ("auc", "auc_std", "ks", "brier", "n_rows", "bad_rate")}, indent=2))
    return 0


def _where(client: Any) -> str:
    info = client.scheduler_info()
    return f"{info.get('address', 'a LocalCluster')} ({len(info.get('workers', {}))} workers)"


def _cmd_export_parquet(args: argparse.Namespace, say: _Progress) -> int:
    from risk_models import distributed

    data = sandbox.read_sandbox(args.sandbox)
    distributed.export_sandbox(data, args.out, args.partitions)
    say(f"wrote {args.out}: {len(data.enterprises):,} enterprises in {args.partitions} partitions")
    return 0


def _cmd_sandbox_parquet(args: argparse.Namespace, say: _Progress) -> int:
    from risk_models import distributed

    as_of = sandbox._check_parameters(args.enterprises, args.seed, args.as_of)
    manifest = distributed.generate_partitioned(
        args.out,
        args.enterprises,
        seed=args.seed,
        as_of=as_of,
        n_partitions=args.partitions,
        chunk_size=args.chunk_size,
        progress=say,
    )
    rows = manifest["rows"]
    n_records = sum(v for k, v in rows.items() if k not in ("enterprises", "loans"))
    say(f"wrote {args.out}: {rows.get('enterprises', 0):,} enterprises, {n_records:,} records")
    return 0


def _cmd_compile(args: argparse.Namespace, say: _Progress) -> int:
    from risk_models.model import RiskModel

    model = RiskModel.load(args.model)
    if model.forest is None:
        say(f"model {model.version} is a logistic scorecard: nothing to compile")
        return 0
    if model.forest.compile():
        say(f"compiled model {model.version} into {model.forest.cached_object()}")
    else:
        say(f"not compiled ({model.forest.fallback_reason}); scoring uses LightGBM")
    return 0


def _check_coercion(
    features: list[dict[str, Any]], frame: pd.DataFrame, args: argparse.Namespace, say: _Progress
) -> None:
    """Report values scoring reads as missing; fail above ``--max-coercion-rate``."""
    report = coercion.coercion_report(frame, features)
    for line in report.lines():
        say(f"coercion: {line}")
    if args.coercion_report:
        Path(args.coercion_report).write_text(
            json.dumps(report.as_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
    coercion.check_coercion(report, args.max_coercion_rate)


def _score_output(chunk: pd.DataFrame, ids: Any, id_col: str | None) -> pd.DataFrame:
    """One chunk of the output file: id, pd, score, grade, knock-out and the raising reasons."""
    out = pd.DataFrame({id_col or "row": ids})
    out["pd"] = chunk["pd"].round(6).to_numpy()
    for name in chunk.columns.drop("pd"):
        out[name] = chunk[name].to_numpy()
    return out


def _cmd_report(args: argparse.Namespace, say: _Progress) -> int:
    from risk_models.model import RiskModel
    from risk_models.report import format_card

    model = RiskModel.load(args.model)
    print(format_card(model.card))
    return 0


# --------------------------------------------------------------------------- #
# parser


def _rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a share between 0 and 1, got {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a share between 0 and 1, got {value}")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number >= 1, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argparse parser of ``python -m risk_models``."""
    parser = argparse.ArgumentParser(
        prog="python -m risk_models",
        description="LoanHub risk models: sandbox data, training, scoring.",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("sandbox", help="generate synthetic enterprises, records, loans")
    p.add_argument("--enterprises", type=_positive_int, default=5000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--as-of",
        default=sandbox.DEFAULT_AS_OF.isoformat(),
        help="generation date, YYYY-MM-DD (default %(default)s)",
    )
    p.add_argument("--out", required=True, help="output folder")
    p.set_defaults(func=_cmd_sandbox)

    p = sub.add_parser("features", help="feature table of a sandbox folder (or a Parquet export, on Dask) as of a date")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--sandbox", help="folder written by 'sandbox' (in memory; CSV out)")
    src.add_argument("--records", help="partitioned Parquet export (export-parquet, sandbox-parquet): on Dask")
    p.add_argument("--as-of", default=None, help="YYYY-MM-DD (default: the sandbox's)")
    p.add_argument("--out", required=True, help="output CSV (--sandbox) or Parquet folder (--records)")
    _scheduler_argument(p)
    p.set_defaults(func=_cmd_features)

    p = sub.add_parser("train", help="train a model on a labelled CSV or a sandbox")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--data", help="labelled CSV (one row per loan)")
    src.add_argument("--sandbox", help="folder written by 'sandbox'")
    p.add_argument("--target", help="label column (required with --data)")
    p.add_argument("--positive", help="label value meaning 'bad' (if not 0/1)")
    p.add_argument("--time-col", help="date column: out-of-time validation")
    p.add_argument("--id-col", help="identifier column (not a feature)")
    p.add_argument("--cv", type=int, default=5, help="folds without --time-col")
    p.add_argument(
        "--monotone",
        action="append",
        metavar="NAME=+1|-1|0|auto",
        help="monotone risk direction of a numeric column (repeatable); 'auto': suggested from the data",
    )
    p.add_argument("--negative", nargs="+", metavar="LABEL", help="label value(s) meaning 'good'; others left out")
    p.add_argument("--exclude", nargs="+", metavar="COL", help="columns not to use as features")
    p.add_argument(
        "--protected",
        nargs="+",
        metavar="COL",
        help="protected attributes: never features or reasons, listed in the card",
    )
    p.add_argument("--dayfirst", action="store_true", default=None, help="dates are dd/mm/yyyy")
    p.add_argument("--date-format", help="strftime format of the time column, e.g. %%d/%%m/%%Y")
    p.add_argument("--encoding", help="file encoding (default: UTF-8, else GB18030)")
    p.add_argument("--force", action="store_true", help="train despite guard warnings (recorded in the card)")
    p.add_argument(
        "--no-select",
        action="store_true",
        help="train the default LightGBM setting only (no search, no logistic challenger)",
    )
    p.add_argument(
        "--calibration",
        choices=("auto", "platt", "isotonic"),
        default="auto",
        help="PD calibration; auto chooses by cross-validated log-loss (default)",
    )
    src.add_argument("--records", help="partitioned Parquet export with loans (needs --scheduler)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", required=True, help="model folder to write")
    p.add_argument(
        "--max-rounds", type=_positive_int, help="round cap of the distributed fit (default: the schedule's)"
    )
    p.add_argument(
        "--scheduler",
        help="train the booster with lightgbm.dask on this Dask scheduler (tcp://HOST:8786, or 'local')",
    )
    p.set_defaults(func=_cmd_train)

    p = sub.add_parser("score", help="score features (CSV, or Parquet on Dask) with a model")
    p.add_argument("--model", required=True, help="model folder")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--data", help="CSV with the model's feature columns")
    src.add_argument("--features", help="features Parquet folder written by 'features --records' (on Dask)")
    src.add_argument("--records", help="partitioned Parquet export: features and scores on Dask in one pass")
    p.add_argument("--as-of", default=None, help="with --records: YYYY-MM-DD (default: the export's)")
    _scheduler_argument(p)
    p.add_argument("--out", required=True, help="output CSV, or Parquet folder on Dask")
    p.add_argument("--id-col", help="identifier column copied to the output")
    p.add_argument("--no-reasons", action="store_true", help="skip reason codes (faster)")
    p.add_argument("--no-compile", action="store_true", help="score with LightGBM, never the compiled model")
    p.add_argument(
        "--chunk-size", type=_positive_int, default=50_000, help="rows explained and written at a time (memory)"
    )
    p.add_argument("--encoding", help="file encoding (default: UTF-8, else GB18030)")
    p.add_argument(
        "--max-coercion-rate",
        type=_rate,
        default=coercion.DEFAULT_MAX_COERCION_RATE,
        help="largest share of a column's values that may score as missing (default %(default)s)",
    )
    p.add_argument("--coercion-report", metavar="FILE.json", help="write the per-column coercion report")
    p.set_defaults(func=_cmd_score)

    p = sub.add_parser("export-parquet", help="a sandbox folder as a partitioned Parquet export (USCC hash)")
    p.add_argument("--sandbox", required=True, help="folder written by 'sandbox'")
    p.add_argument("--partitions", type=_positive_int, default=16)
    p.add_argument("--out", required=True, help="export folder")
    p.set_defaults(func=_cmd_export_parquet)

    p = sub.add_parser("sandbox-parquet", help="generate a large sandbox chunk by chunk into a Parquet export")
    p.add_argument("--enterprises", type=_positive_int, default=100_000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--as-of", default=sandbox.DEFAULT_AS_OF.isoformat(), help="YYYY-MM-DD (default %(default)s)")
    p.add_argument("--partitions", type=_positive_int, default=16)
    p.add_argument("--chunk-size", type=_positive_int, default=50_000, help="enterprises generated at a time")
    p.add_argument("--out", required=True, help="export folder")
    p.set_defaults(func=_cmd_sandbox_parquet)

    p = sub.add_parser("compile", help="compile a model's trees (lleaves) into its cache folder")
    p.add_argument("--model", required=True, help="model folder")
    p.set_defaults(func=_cmd_compile)

    p = sub.add_parser("report", help="print a model card")
    p.add_argument("--model", required=True, help="model folder")
    p.set_defaults(func=_cmd_report)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (0 ok, 2 bad input)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "train" and args.data and not args.target:
        parser.error("train --data needs --target")
    say = _Progress(args.quiet)
    try:
        return int(args.func(args, say))
    except (GuardError, coercion.CoercionError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_GUARD
    except (RiskModelsError, ValueError, TypeError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
