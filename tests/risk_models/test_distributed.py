"""Dask paths (risk_models.distributed) equal the in-memory ones on the same sandbox data.

One LocalCluster (threads, processes=False) for the module; small data so the tests stay fast.
"""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pandas as pd
import pytest

from risk_models import cli, distributed, sandbox
from risk_models.bundled import loan_features, train_sandbox
from risk_models.features import build_features
from risk_models.metrics import auc
from risk_models.model import RiskModel


@pytest.fixture(scope="module")
def dask_client():
    with distributed.connect(distributed.LOCAL, threads_per_worker=2) as client:
        yield client


@pytest.fixture(scope="module")
def export(tmp_path_factory, sandbox_data):
    root = tmp_path_factory.mktemp("export")
    distributed.export_sandbox(sandbox_data, root, n_partitions=5)
    return root


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory, sandbox_model):
    folder = tmp_path_factory.mktemp("model") / "m"
    sandbox_model.save(folder)
    return folder


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_index(kind="stable")


def test_partition_of_is_the_md5_bucket_of_the_upper_case_code():
    codes = ["91440300MA5DEXAMPL", "91440101ma5dexampl", "9144190061789012XY"]
    expected = [int(hashlib.md5(c.upper().encode()).hexdigest()[:8], 16) % 7 for c in codes]  # noqa: S324 -- a bucket
    got = distributed.partition_of(codes, 7)
    assert got.tolist() == expected
    assert distributed.partition_of([codes[1]], 7)[0] == distributed.partition_of([codes[1].upper()], 7)[0]
    with pytest.raises(ValueError, match="n_partitions"):
        distributed.partition_of(codes, 0)


def test_export_puts_every_enterprise_and_record_in_its_hash_partition_once(export, sandbox_data):
    manifest = distributed.read_manifest(export)
    assert manifest["n_partitions"] == 5
    assert manifest["rows"]["enterprises"] == len(sandbox_data.enterprises)
    seen = []
    for part in range(5):
        enterprises, records, loans = distributed.read_partition(export, part)
        assert (distributed.partition_of(enterprises["uscc"], 5) == part).all()
        for frame in (*records.values(), loans):
            assert set(frame["uscc"]) <= set(enterprises["uscc"])
        seen.append(enterprises)
    assert sorted(pd.concat(seen)["uscc"]) == sorted(sandbox_data.enterprises["uscc"])
    n_records = sum(len(r) for part in range(5) for r in distributed.read_partition(export, part)[1].values())
    assert n_records == sum(len(f) for f in sandbox_data.records.values())


def test_dask_features_equal_in_memory_features(dask_client, export, current_features):
    frame = distributed.features_frame(export)
    assert frame.npartitions == 5
    got = frame.compute()
    pd.testing.assert_frame_equal(_sorted(got), _sorted(current_features))


def test_dask_features_at_another_date_equal_in_memory(dask_client, export, sandbox_data):
    day = "2024-06-30"
    got = distributed.features_frame(export, day).compute()
    expected = build_features(sandbox_data.enterprises, sandbox_data.records, day)
    pd.testing.assert_frame_equal(_sorted(got), _sorted(expected))


def test_dask_scores_grades_and_reasons_equal_in_memory(dask_client, export, model_dir, current_features):
    got = distributed.scores_frame(distributed.features_frame(export), model_dir).compute()
    model = RiskModel.load(model_dir)
    expected = pd.concat(list(model.score_chunks(current_features, chunk_size=len(current_features))))
    got, expected = _sorted(got), _sorted(expected)
    assert got.index.equals(expected.index)
    assert got["score"].tolist() == expected["score"].tolist()
    assert got["grade"].tolist() == expected["grade"].tolist()
    assert got["knockout"].tolist() == expected["knockout"].tolist()
    np.testing.assert_allclose(got["pd"], expected["pd"], rtol=0, atol=1e-12)
    reasons = [c for c in expected.columns if c.startswith("reason_")]
    assert reasons
    pd.testing.assert_frame_equal(got[reasons], expected[reasons])
    assert set(got["grade"]) == set("ABCDE")


def test_platform_layout_scores_equal_in_memory(export, model_dir, sandbox_data, current_features):
    """score_bundle (what the platform's rescore sends per partition) gives RiskModel.score's lists."""
    enterprises, records, _ = distributed.read_partition(export, 2)
    features, scored = distributed.score_bundle(enterprises, records, sandbox_data.as_of, str(model_dir))
    model = RiskModel.load(model_dir)
    expected = model.score(current_features.loc[features.index])
    assert scored["score"].tolist() == expected["score"].tolist()
    assert scored["grade"].tolist() == expected["grade"].tolist()
    assert [[r["code"] for r in rs] for rs in scored["reasons"]] == [
        [r["code"] for r in rs] for rs in expected["reasons"]
    ]
    pd.testing.assert_frame_equal(features, current_features.loc[features.index])


def test_cli_features_then_score_on_a_cluster_write_parquet_equal_to_memory(
    tmp_path, export, model_dir, current_features
):
    features_out, scores_out = tmp_path / "F.parquet", tmp_path / "S.parquet"
    assert cli.main(["--quiet", "features", "--records", str(export), "--out", str(features_out)]) == 0
    written = pd.read_parquet(features_out)
    numeric = [c for c in current_features.columns if c not in ("industry", "region")]
    pd.testing.assert_frame_equal(_sorted(written[numeric]), _sorted(current_features[numeric]), check_names=False)
    assert _sorted(written)["region"].tolist() == _sorted(current_features)["region"].tolist()
    argv = ["--quiet", "score", "--model", str(model_dir), "--features", str(features_out), "--out", str(scores_out)]
    assert cli.main([*argv, "--scheduler", "local"]) == 0
    scores = _sorted(pd.read_parquet(scores_out))
    model = RiskModel.load(model_dir)
    expected = _sorted(model.score(current_features, reasons=False))
    assert scores["grade"].tolist() == expected["grade"].tolist()
    assert scores["score"].tolist() == expected["score"].tolist()


def test_cli_score_without_any_input_is_a_usage_error(tmp_path, model_dir, capsys):
    with pytest.raises(SystemExit):
        cli.main(["score", "--model", str(model_dir), "--out", str(tmp_path / "x")])
    code = cli.main(["score", "--model", str(model_dir), "--records", str(tmp_path), "--out", str(tmp_path / "y")])
    assert code == cli.EXIT_USAGE
    assert "not a partitioned Parquet export" in capsys.readouterr().err


def test_generate_partitioned_is_the_sandbox_chunk_by_chunk_with_unique_codes(tmp_path):
    manifest = distributed.generate_partitioned(tmp_path, 900, seed=4, n_partitions=3, chunk_size=400)
    assert manifest["rows"]["enterprises"] + manifest["duplicate_codes_dropped"] == 900
    chunks = [sandbox.generate(n, distributed.chunk_seed(4, i)) for i, n in enumerate((400, 400, 100))]
    frames = [distributed.read_partition(tmp_path, p) for p in range(3)]
    enterprises = pd.concat([f[0] for f in frames], ignore_index=True)
    assert enterprises["uscc"].is_unique
    expected = pd.concat([c.enterprises for c in chunks], ignore_index=True)
    assert sorted(enterprises["uscc"]) == sorted(expected["uscc"].drop_duplicates())
    penalties = pd.concat([f[1]["penalty"] for f in frames if "penalty" in f[1]], ignore_index=True)
    assert len(penalties) == sum(len(c.records["penalty"]) for c in chunks)
    loans = pd.concat([f[2] for f in frames], ignore_index=True)
    assert loans["loan_id"].is_unique and loans["loan_id"].str.startswith("SBX-C").all()


def test_lightgbm_dask_training_writes_a_loadable_model_close_to_the_in_memory_one(
    dask_client, tmp_path, sandbox_data, sandbox_model
):
    """Not identical: LightGBM's Dask training bins features from each worker's rows and
    cannot stop early (the booster is cut at the best validation round of a full run), so the
    trees differ; the out-of-time AUC must stay within 0.03 of the in-memory model's."""
    book = loan_features(sandbox_data)
    model = distributed.train_sandbox_book(book, dask_client, source={"n_enterprises": 4000}, max_rounds=300)
    folder = model.save(tmp_path / "dask_model")
    assert (folder / "model.txt").is_file()
    card = json.loads((folder / "model_card.json").read_text(encoding="utf-8"))
    assert card["training"]["distributed"]["engine"] == "lightgbm.dask.DaskLGBMClassifier"
    assert card["training"]["distributed"]["workers"] == 1
    loaded = RiskModel.load(folder)
    assert loaded.feature_names == sandbox_model.feature_names
    assert abs(card["metrics"]["auc"] - sandbox_model.metrics["auc"]) < 0.03
    oot = book[book["origination_date"] >= pd.Timestamp(card["metrics"]["oot_from"])]
    assert auc(oot["defaulted"].to_numpy(), loaded.predict_pd(oot)) == pytest.approx(card["metrics"]["auc"], abs=1e-9)
    # the in-memory trainer is unchanged by the new hook
    assert train_sandbox(sandbox_data, seed=0).card["metrics"]["auc"] == sandbox_model.metrics["auc"]
