"""The platform's labelled book, the challenger trained on it and the learned approval likelihood.

Everything here reaches ``risk_models`` through ``loanhub.scoring.services`` (the only adapter).

What the book holds (and nothing else): the lead id (the platform's own number: no name,
USCC or contact of the enterprise), the decision day, the decision, the outcome label and the
model features computed from the records the platform itself scores with (objection-removed
records left out), dated on or before the decision day (DESIGN.md §4–5). The features are
the ones of the platform's own score of the enterprise; the bank's scoped views, amounts,
rates and decline notes are not in it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from django.conf import settings
from django.utils import timezone

from loanhub.accounts.models import User
from loanhub.matching import engine
from loanhub.matching.models import Lead, LeadStatus
from loanhub.scoring.exceptions import NoActiveModel
from loanhub.scoring.models import ApprovalModelVersion, ModelVersion
from loanhub.scoring.services import (
    approval_model_register,
    approval_thresholds,
    features_as_of,
    model_compare,
    model_get_active,
    model_train_challenger,
)

from .selectors import APPROVED_STATUSES, DECIDED_STATUSES, decided_leads, decision_day, outcomes

ID_COL, TIME_COL, DECISION_COL, TARGET = "lead_id", "decision_date", "decision", "bad"
META_COLUMNS = (ID_COL, TIME_COL, DECISION_COL, TARGET)
# The command that trains on an exported book (shown on the admin page and in the docs).
TRAIN_COMMAND = (
    f"python -m risk_models train --data book.csv --target {TARGET} --id-col {ID_COL} --time-col {TIME_COL} "
    "--out model_dir"
)


@dataclass
class Book:
    frame: pd.DataFrame  # META_COLUMNS then the model features, one row per decided lead
    counts: Counter = field(default_factory=Counter)  # outcome reason → rows

    @property
    def labelled(self) -> pd.DataFrame:
        return self.frame[self.frame[TARGET].notna()]


def book_build(*, since: date | None = None, until: date | None = None, labelled_only: bool = False) -> Book:
    """One row per decided lead: features as of its decision day, decision, outcome (``selectors``)."""
    leads = list(decided_leads(since=since, until=until))
    labels = outcomes(leads)
    counts = Counter(labels[lead.pk].reason for lead in leads)
    if labelled_only:
        leads = [lead for lead in leads if labels[lead.pk].bad is not None]
    days = [decision_day(lead) for lead in leads]
    features = features_as_of([(lead.enterprise, day) for lead, day in zip(leads, days, strict=True)])
    meta = pd.DataFrame(
        {
            ID_COL: [lead.pk for lead in leads],
            TIME_COL: [day.isoformat() for day in days],
            DECISION_COL: ["approved" if lead.status in APPROVED_STATUSES else "declined" for lead in leads],
            TARGET: pd.array([labels[lead.pk].bad for lead in leads], dtype="Int64"),
        }
    )
    frame = pd.concat([meta, features], axis=1) if len(features.columns) else meta
    return Book(frame=frame, counts=counts)


def _cell(value: Any) -> Any:
    if value is None or value is pd.NA:
        return ""
    if isinstance(value, (float, np.floating)):
        return "" if np.isnan(value) else round(float(value), 6)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return value


def book_rows(book: Book) -> tuple[list[str], Iterator[list[Any]]]:
    """(header, rows) for ``loanhub.security.exports`` (which neutralizes formulas)."""
    frame = book.frame
    return [str(c) for c in frame.columns], ([_cell(v) for v in row] for row in frame.itertuples(index=False))


def book_write_csv(book: Book, path: Path) -> int:
    from loanhub.security.exports import csv_lines

    header, rows = book_rows(book)
    with path.open("w", encoding="utf-8", newline="") as out:
        for line in csv_lines(header, rows):
            out.write(line)
    return len(book.frame)


# ------------------------------------------------------------------ champion / challenger


def _cutoffs() -> dict[str, int]:
    """Grade cut-off → how many live products use it (``min_grade``)."""
    from cms.selectors import product_frame

    grades = [g for g in product_frame()["min_grade"].tolist() if g]
    return dict(Counter(grades))


def split_out_of_time(frame: pd.DataFrame, fraction: float = 0.25) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(earlier rows, the latest ``fraction`` by decision day); one decision day never straddles the cut."""
    if frame.empty:
        return frame, frame
    days = pd.to_datetime(frame[TIME_COL]).to_numpy(dtype="datetime64[D]").astype(np.int64)
    cut = np.quantile(days, 1 - fraction, method="lower")
    later = pd.Series(days >= cut, index=frame.index)
    if later.all():
        later[:] = False
    return frame[~later], frame[later]


def challenger_train(
    *, user: User | None = None, force: bool = False, out_dir: Path | None = None, prefix: str = "challenger"
) -> ModelVersion:
    """Train a challenger on the labelled book before the out-of-time window, register it
    (never active) and store its comparison with the active model on that window.
    ``prefix`` starts its version name (the sandbox demo's says it is one)."""
    champion, _model = model_get_active()
    book = book_build(labelled_only=True).frame
    earlier, window = split_out_of_time(book)
    if earlier.empty or window.empty:
        raise ValueError("the labelled book needs decisions on more than one day to hold out a window")
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    version = f"{prefix}-{stamp}"
    folder = out_dir or Path(settings.LOANHUB_MODEL_DIR) / version
    challenger = model_train_challenger(
        earlier.assign(**{TARGET: earlier[TARGET].astype(int)}), target=TARGET, time_col=TIME_COL, id_col=ID_COL,
        exclude=[DECISION_COL], out_dir=folder, version=version, force=force,
    )  # fmt: skip
    features = window.drop(columns=list(META_COLUMNS))
    span = (str(window[TIME_COL].min()), str(window[TIME_COL].max()))
    return model_compare(
        challenger=challenger, champion=champion, features=features, bad=window[TARGET].astype(int).tolist(),
        cutoffs=_cutoffs(), window=span,
    )  # fmt: skip


def challenger_list() -> list[ModelVersion]:
    return list(ModelVersion.objects.filter(is_challenger=True).order_by("-created_at")[:10])


def has_active_model() -> bool:
    try:
        model_get_active()
    except NoActiveModel:
        return False
    return True


# ------------------------------------------------------------------ approval likelihood


def _floats(values: Iterable[Any]) -> np.ndarray:
    return np.array([np.nan if v is None else float(v) for v in values], dtype=float)


def approval_inputs_for(leads: Sequence[Lead]) -> dict[str, np.ndarray]:
    """``engine.approval_inputs`` for leads as they were pushed (one row each)."""
    products = [lead.product for lead in leads]
    return engine.approval_inputs(
        pd_=_floats(lead.pd for lead in leads),
        grade=np.array([engine.GRADE_RANK.get(lead.grade or "", 4) for lead in leads], dtype=float),
        amount=_floats(lead.need.amount for lead in leads),
        term=_floats(lead.need.term_months for lead in leads),
        amount_min=_floats(p.amount_min for p in products), amount_max=_floats(p.amount_max for p in products),
        term_min=_floats(p.term_min_months for p in products), term_max=_floats(p.term_max_months for p in products),
        max_pd=_floats(p.max_pd for p in products),
        min_grade=np.array([engine.GRADE_RANK.get(p.min_grade or "", 4) for p in products], dtype=float),
        wanted=np.array([float(p.product_type in (lead.need.product_types or ())) for lead, p in zip(leads, products,
                                                                                                     strict=True)]),
        region_listed=np.array([float(engine.names_region(frozenset(p.eligible_regions or ()), lead.enterprise.region))
                                for lead, p in zip(leads, products, strict=True)]),
        secured=np.array([float(p.collateral != engine.UNSECURED) for p in products]),
        rate_min=_floats(p.rate_min for p in products), rate_max=_floats(p.rate_max for p in products),
        product_type=np.array([p.product_type for p in products], dtype=object),
    )  # fmt: skip


def approval_decisions() -> list[Lead]:
    return list(decided_leads())


def approval_status() -> dict[str, Any]:
    """What the admin page says: decisions so far, the threshold, the model in use."""
    min_decisions, min_approvals = approval_thresholds()
    leads = Lead.objects.filter(decided_at__isnull=False, status__in=DECIDED_STATUSES)
    return {
        "decisions": leads.count(),
        "approvals": leads.filter(status__in=APPROVED_STATUSES).count(),
        "min_decisions": min_decisions,
        "min_approvals": min_approvals,
        "active": ApprovalModelVersion.objects.filter(is_active=True).first(),
    }


def approval_train(*, user: User | None = None, force: bool = False) -> ApprovalModelVersion:
    """Learn the approval likelihood from the banks' decisions and put it in use; refresh open leads."""
    from loanhub.matching.judgements import lead_judgements_refresh

    leads = approval_decisions()
    inputs = approval_inputs_for(leads)
    approved = [int(lead.status in APPROVED_STATUSES) for lead in leads]
    order = [decision_day(lead).toordinal() for lead in leads]
    version = approval_model_register(
        inputs=inputs, approved=approved, order=order, formula=engine.formula_likelihood(inputs).tolist(),
        out_dir=Path(settings.LOANHUB_MODEL_DIR) / "approval", user=user, force=force,
    )  # fmt: skip
    open_leads = Lead.objects.filter(status__in=(LeadStatus.NEW, LeadStatus.CLAIMED, LeadStatus.IN_REVIEW))
    lead_judgements_refresh(list(open_leads.select_related("need", "enterprise", "institution")))
    return version
