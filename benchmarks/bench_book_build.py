"""How long building the labelled book (``loanhub.learning.services.book_build``) takes on a
seeded database, and what its features cost the old way (one ``build_features`` call per
distinct decision day) against the one-pass panel (``build_features_at``, each row as of its
own day). Checks both give the same features. Prints one JSON object.

    DATABASE_URL=sqlite:////tmp/seeded.sqlite3 nice -n 10 .venv/bin/python benchmarks/bench_book_build.py

Needs a database the demo was seeded into (``manage.py seed_demo``); only reads it.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loanhub.settings.dev")
django.setup()

import pandas as pd  # noqa: E402

from loanhub.learning.selectors import decided_leads, decision_day  # noqa: E402
from loanhub.learning.services import book_build  # noqa: E402
from loanhub.scoring.services import enterprise_frame, features_as_of, record_frames  # noqa: E402
from risk_models.features import build_features  # noqa: E402


def _per_day(pairs: list) -> pd.DataFrame:
    """The features the way the book was built before: one ``build_features`` per decision day."""
    enterprises = {e.uscc: e for e, _day in pairs}
    frames = record_frames(list(enterprises))
    for frame in frames.values():
        frame["record_date"] = pd.to_datetime(frame["record_date"])
    by_day: dict = {}
    for enterprise, day in pairs:
        by_day.setdefault(day, set()).add(enterprise.uscc)
    built = {}
    for day, usccs in by_day.items():
        cut = pd.Timestamp(day)
        records = {c: f[f["uscc"].isin(usccs) & (f["record_date"] <= cut)] for c, f in frames.items()}
        codes = sorted(usccs)
        features = build_features(enterprise_frame([enterprises[u] for u in codes]), records, day)
        for uscc in codes:
            built[(uscc, day)] = features.loc[uscc]
    return pd.DataFrame([built[(e.uscc, day)] for e, day in pairs]).reset_index(drop=True)


def main() -> None:
    leads = list(decided_leads())
    pairs = [(lead.enterprise, decision_day(lead)) for lead in leads]
    t = time.perf_counter()
    old = _per_day(pairs)
    per_day_s = time.perf_counter() - t
    t = time.perf_counter()
    new = features_as_of(pairs)
    one_pass_s = time.perf_counter() - t
    pd.testing.assert_frame_equal(old, new, check_dtype=False)
    t = time.perf_counter()
    book = book_build(labelled_only=True)
    book_s = time.perf_counter() - t
    labelled = book.labelled
    print(
        json.dumps(
            {
                "rows": len(pairs),
                "decision_days": len({day for _e, day in pairs}),
                "enterprises": len({e.pk for e, _day in pairs}),
                "features_per_day_s": round(per_day_s, 2),
                "features_one_pass_s": round(one_pass_s, 2),
                "same_features": True,
                "book_build_labelled_s": round(book_s, 2),
                "labelled_rows": len(labelled),
                "bad": int(labelled["bad"].sum()),
                "outcomes": dict(book.counts),
            }
        )
    )


if __name__ == "__main__":
    main()
