"""Features from raw public-credit records as of a date (vectorized pandas/NumPy).

Rules applied (DESIGN.md §3):

* only records with ``record_date <= as_of`` are used, and later facts on a
  record (a repair, a removal, a case closing, a licence start) count only if
  dated on or before ``as_of``;
* "in the last *k* months" means ``as_of - k months < record_date <= as_of``;
* penalties: 轻微 (minor) never count; 一般 (general) count while
  ``record_date > as_of - 12 months``; 严重 (serious) while
  ``record_date > as_of - 36 months``; a penalty with ``repaired_on <= as_of``
  no longer counts; an unknown severity is treated as 一般;
* negative information (penalties, cases as defendant, dishonest-debtor
  listings, abnormal-operation listings, broken commitments) is not used once
  the act ended more than 60 months before ``as_of`` (征信业管理条例 §16).

See :mod:`risk_models.feature_dictionary` for the meaning of every column.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pandas as pd

from risk_models import catalog
from risk_models.exceptions import MissingColumnsError
from risk_models.feature_dictionary import FEATURE_NAMES, NO_NEGATIVE_MONTHS, WINDOWS

_EPOCH = np.datetime64("1970-01-01", "D")


# --------------------------------------------------------------------------- #
# input coercion


def to_as_of(value: object) -> pd.Timestamp:
    """Normalise an as-of date (date, datetime, ISO string, Timestamp) to a day.

    Parameters
    ----------
    value : object

    Returns
    -------
    pandas.Timestamp
        Midnight of that day, timezone-naive.
    """
    if isinstance(value, (pd.Timestamp, datetime, date, np.datetime64)):
        stamp = pd.Timestamp(value)
    elif isinstance(value, str):
        try:
            stamp = pd.Timestamp(value)
        except ValueError as exc:
            raise ValueError(f"as_of must be a date, got {value!r}") from exc
    else:
        raise TypeError(f"as_of must be a date, got {type(value).__name__}")
    if pd.isna(stamp):
        raise ValueError("as_of must be a date, got NaT")
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("Asia/Shanghai").tz_localize(None)
    return stamp.normalize()


def _day_number(stamp: pd.Timestamp) -> float:
    return float((np.datetime64(stamp.date(), "D") - _EPOCH).astype(np.int64))


def _days(values: pd.Series) -> np.ndarray:
    """Dates → float day numbers (NaN for missing or unparseable)."""
    if not pd.api.types.is_datetime64_any_dtype(values):
        values = pd.to_datetime(values, errors="coerce", format="mixed")
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        values = values.dt.tz_convert("Asia/Shanghai").dt.tz_localize(None)
    raw = values.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    out = (raw - _EPOCH).astype(np.int64).astype(np.float64)
    out[np.isnat(raw)] = np.nan
    return out


def _numbers(values: pd.Series) -> np.ndarray:
    if pd.api.types.is_bool_dtype(values):
        return values.to_numpy(dtype=np.float64)
    if not pd.api.types.is_numeric_dtype(values):
        values = pd.to_numeric(values, errors="coerce")
    return values.to_numpy(dtype=np.float64, na_value=np.nan)


def _variants(options: Iterable[str]) -> list[str]:
    out: list[str] = []
    for option in options:
        out += [option, option.lower(), option.upper(), option.capitalize()]
    return sorted(set(out))


def _truthy(values: pd.Series) -> np.ndarray:
    if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
        return _numbers(values) > 0
    text = values.astype(str).str.strip().str.lower()
    return text.isin(["true", "1", "1.0", "yes", "y", "t", "是"]).to_numpy(bool)


@dataclass
class _Records:
    """Records of one category usable at as-of, aligned to enterprise positions (rows of the
    context: one per enterprise, or per (enterprise, as-of day) pair in a panel)."""

    frame: pd.DataFrame
    pos: np.ndarray
    day: np.ndarray
    context: _Context

    @property
    def today(self) -> np.ndarray:
        """Each record's as-of day number (its row's)."""
        today: np.ndarray = self.context.today[self.pos]
        return today

    def cutoff(self, months: int) -> np.ndarray:
        """Each record's ``as_of - months`` day number; records must be strictly after it."""
        cut: np.ndarray = self.context.cutoff(months)[self.pos]
        return cut

    def num(self, column: str) -> np.ndarray:
        if column not in self.frame:
            return np.full(self.pos.size, np.nan)
        return _numbers(self.frame[column])

    def isin(self, column: str, options: Iterable[str]) -> np.ndarray:
        """Whether the text column equals one of ``options`` (any letter case)."""
        if column not in self.frame:
            return np.zeros(self.pos.size, dtype=bool)
        return self.frame[column].isin(_variants(options)).to_numpy(bool)

    def mapped(self, column: str, mapping: Mapping[str, float]) -> np.ndarray:
        """Text column mapped through ``mapping`` (any letter case), NaN if absent."""
        if column not in self.frame:
            return np.full(self.pos.size, np.nan)
        full = {v: float(x) for k, x in mapping.items() for v in _variants([k])}
        values = self.frame[column].astype(object).map(full)
        return values.to_numpy(dtype=np.float64, na_value=np.nan)

    def date(self, column: str) -> np.ndarray:
        if column not in self.frame:
            return np.full(self.pos.size, np.nan)
        return _days(self.frame[column])

    def flag(self, column: str) -> np.ndarray:
        if column not in self.frame:
            return np.zeros(self.pos.size, dtype=bool)
        return _truthy(self.frame[column])


class _Context:
    """Rows (enterprises, or (enterprise, as-of day) pairs), their as-of days and vectorized
    per-row reducers. ``today`` and ``cutoff`` are per row."""

    def __init__(self, index: pd.Index, as_of: Sequence[pd.Timestamp]) -> None:
        self.index = index
        self.n = len(index)
        stamps = pd.DatetimeIndex(list(as_of))
        self._days, which = np.unique(stamps.to_numpy(dtype="datetime64[D]"), return_inverse=True)
        self._which = np.asarray(which, dtype=np.int64).reshape(-1)
        self._cutoffs: dict[int, np.ndarray] = {}
        self.today = self.cutoff(0)

    def cutoff(self, months: int) -> np.ndarray:
        """Each row's day number of ``as_of - months``; records must be strictly after it."""
        if months not in self._cutoffs:
            days = [_day_number(pd.Timestamp(d) - pd.DateOffset(months=months)) for d in self._days]
            self._cutoffs[months] = np.asarray(days, dtype=np.float64)[self._which]
        return self._cutoffs[months]

    def _positions(self, codes: pd.Index) -> tuple[np.ndarray, np.ndarray]:
        """(record positions, row positions) of every record of a row's enterprise, in record order."""
        if self.index.is_unique:
            pos = self.index.get_indexer(codes)
            found = np.flatnonzero(pos >= 0)
            return found, pos[found]
        rows = pd.DataFrame({"uscc": self.index.to_numpy(), "_row": np.arange(self.n)})
        pairs = pd.DataFrame({"uscc": codes.to_numpy(), "_rec": np.arange(len(codes))}).merge(rows, on="uscc")
        rec, row = pairs["_rec"].to_numpy(np.int64), pairs["_row"].to_numpy(np.int64)
        order = np.lexsort((row, rec))
        return rec[order], row[order]

    def records(self, records: Mapping[str, pd.DataFrame], code: str) -> _Records:
        frame = records.get(code)
        if frame is None or len(frame) == 0:
            return _Records(pd.DataFrame(), np.zeros(0, np.int64), np.zeros(0), self)
        missing = [c for c in ("uscc", "record_date") if c not in frame.columns]
        if missing:
            raise MissingColumnsError(missing, f"records[{code!r}]")
        rec, pos = self._positions(pd.Index(frame["uscc"].astype(str)))
        day = _days(frame["record_date"])[rec]
        keep = day <= self.today[pos]
        rec, pos, day = rec[keep], pos[keep], day[keep]
        if rec.size != len(frame) or not np.array_equal(rec, np.arange(len(frame))):
            frame = frame.iloc[rec]
        return _Records(frame.reset_index(drop=True), pos, day, self)

    def count(self, pos: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
        sel = pos if mask is None else pos[mask]
        return np.bincount(sel, minlength=self.n).astype(np.float64)

    def total(self, pos: np.ndarray, values: np.ndarray, mask: np.ndarray) -> np.ndarray:
        ok = mask & ~np.isnan(values)
        return np.bincount(pos[ok], weights=values[ok], minlength=self.n)

    def mean(self, pos: np.ndarray, values: np.ndarray, mask: np.ndarray) -> np.ndarray:
        ok = mask & ~np.isnan(values)
        n = np.bincount(pos[ok], minlength=self.n)
        s = np.bincount(pos[ok], weights=values[ok], minlength=self.n)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(n > 0, s / np.maximum(n, 1), np.nan)

    def latest(self, pos: np.ndarray, day: np.ndarray, values: np.ndarray, nth: int = 0) -> np.ndarray:
        """Value of the latest (``nth=0``) or ``nth``-latest record per enterprise."""
        out = np.full(self.n, np.nan)
        ok = ~np.isnan(values)
        pos, day, values = pos[ok], day[ok], values[ok]
        order = np.lexsort((-day, pos))
        pos_s = pos[order]
        first = np.r_[True, pos_s[1:] != pos_s[:-1]] if pos_s.size else pos_s.astype(bool)
        rank = np.arange(pos_s.size) - np.maximum.accumulate(np.where(first, np.arange(pos_s.size), 0))
        pick = rank == nth
        out[pos_s[pick]] = values[order][pick]
        return out

    def most_recent_day(self, pos: np.ndarray, day: np.ndarray) -> np.ndarray:
        out = np.full(self.n, -np.inf)
        np.maximum.at(out, pos, day)
        out[np.isinf(out)] = np.nan
        return out

    def months_since(self, day: np.ndarray) -> np.ndarray:
        months: np.ndarray = (self.today - day) / 30.4375
        return months


# --------------------------------------------------------------------------- #
# category features


def _firm(ctx: _Context, ent: pd.DataFrame, rec: _Records) -> dict[str, np.ndarray]:
    reg_day = _days(ent["registration_date"]) if "registration_date" in ent else None
    est = rec.isin("event", ["establishment"])
    est_day = ctx.latest(rec.pos, rec.day, np.where(est, rec.day, np.nan))
    if reg_day is None:
        reg_day = est_day
    else:
        reg_day = np.where(np.isnan(reg_day), est_day, reg_day)
    age = np.floor(ctx.months_since(reg_day))
    age[age < 0] = np.nan
    capital = ctx.latest(rec.pos, rec.day, rec.num("registered_capital"))
    if "registered_capital" in ent:
        capital = np.where(np.isnan(capital), _numbers(ent["registered_capital"]), capital)
    paid = ctx.latest(rec.pos, rec.day, rec.num("paid_in_capital"))
    with np.errstate(invalid="ignore", divide="ignore"):
        paid_ratio = np.where(capital > 0, np.clip(paid / capital, 0, 1), np.nan)
    changes = rec.isin("event", ["legal_rep_change"]) & (rec.day > rec.cutoff(36))
    abnormal_day = np.where(rec.isin("status", ["经营异常"]), rec.day, np.nan)
    status_day = ctx.latest(rec.pos, rec.day, rec.day)
    last_abn = ctx.latest(rec.pos, rec.day, abnormal_day)
    abnormal = (last_abn == status_day) & (last_abn > ctx.cutoff(60))
    return {
        "firm_age_months": age,
        "registered_capital": capital,
        "paid_in_ratio": paid_ratio,
        "legal_rep_changes_36m": ctx.count(rec.pos, changes),
        "abnormal_operation": abnormal.astype(np.float64),
        "_negative_abnormal": np.where(abnormal, last_abn, np.nan),
    }


def _categories(ent: pd.DataFrame) -> dict[str, np.ndarray]:
    out = {}
    for name in ("industry", "region"):
        if name in ent:
            values = ent[name].astype(object).where(ent[name].notna(), None)
            out[name] = values.map(lambda v: None if v is None else str(v)).to_numpy()
        else:
            out[name] = np.full(len(ent), None, dtype=object)
    return out


def _licence(ctx: _Context, rec: _Records) -> dict[str, np.ndarray]:
    start = rec.date("valid_from")
    start = np.where(np.isnan(start), rec.day, start)
    end = rec.date("valid_to")
    valid = (start <= rec.today) & ~(end <= rec.today)
    return {"licences_valid": ctx.count(rec.pos, valid)}


_SEVERITY_KIND = {
    "轻微": 0.0,
    "minor": 0.0,
    "一般": 1.0,
    "general": 1.0,
    "严重": 2.0,
    "serious": 2.0,
}


def penalty_counts_mask(
    rec: _Records,
    record_day: np.ndarray,
    kind: np.ndarray,
    repaired_day: np.ndarray,
    corrected_day: np.ndarray,
) -> np.ndarray:
    """Which penalties still count at as-of (credit-repair and 5-year rules).

    ``kind`` is 0 minor, 1 general, 2 serious (NaN, i.e. unknown, is general);
    the arrays are aligned to ``rec`` (each record's own as-of day).
    """
    serious = kind == 2
    cutoff = np.where(serious, rec.cutoff(36), rec.cutoff(12))
    shown = (kind != 0) & (record_day > cutoff)
    repaired = repaired_day <= rec.today
    counts: np.ndarray = shown & ~repaired & _still_usable(rec, corrected_day)
    return counts


def _penalty(ctx: _Context, rec: _Records) -> dict[str, np.ndarray]:
    kind = rec.mapped("severity", _SEVERITY_KIND)
    counts = penalty_counts_mask(rec, rec.day, kind, rec.date("repaired_on"), rec.date("corrected_on"))
    serious = kind == 2
    out = {f"penalty_count_{w}m": ctx.count(rec.pos, counts & (rec.day > rec.cutoff(w))) for w in WINDOWS}
    out["penalty_general_12m"] = ctx.count(rec.pos, counts & ~serious & (rec.day > rec.cutoff(12)))
    out["penalty_serious_36m"] = ctx.count(rec.pos, counts & serious)
    out["penalty_fine_36m"] = ctx.total(rec.pos, rec.num("fine_amount"), counts)
    out["_negative_penalty"] = ctx.most_recent_day(rec.pos[counts], rec.day[counts])
    out["_negative12_penalty"] = out["penalty_count_12m"]
    return out


def _tax_rating(ctx: _Context, rec: _Records) -> dict[str, np.ndarray]:
    rank = rec.mapped("grade", catalog.TAX_GRADE_RANK)
    latest = [ctx.latest(rec.pos, rec.day, rank, nth=k) for k in range(3)]
    stack = np.vstack(latest)
    with np.errstate(invalid="ignore"):
        worst = np.fmax.reduce(stack, axis=0)
    a_years = (stack == 1).sum(axis=0).astype(np.float64)
    a_years[np.isnan(latest[0])] = np.nan
    return {
        "tax_grade_latest": latest[0],
        "tax_grade_worst_3y": worst,
        "tax_grade_a_years_3y": a_years,
        "tax_grade_change": latest[0] - latest[1],
    }


def _tax_payment(ctx: _Context, rec: _Records) -> dict[str, np.ndarray]:
    paid = rec.num("tax_paid")
    last = rec.day > rec.cutoff(12)
    prior = (rec.day > rec.cutoff(24)) & ~last
    now = ctx.total(rec.pos, paid, last)
    before = ctx.total(rec.pos, paid, prior)
    has_now = ctx.count(rec.pos, last & ~np.isnan(paid)) > 0
    has_before = ctx.count(rec.pos, prior & ~np.isnan(paid)) > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        growth = np.where(has_before & (before > 0), now / before - 1, np.nan)
    return {
        "tax_paid_12m": np.where(has_now, now, np.nan),
        "tax_paid_growth_12m": np.clip(growth, -1, 5),
        "tax_zero_quarters_12m": np.where(has_now, ctx.count(rec.pos, last & (paid == 0)), np.nan),
    }


def _trend(ctx: _Context, rec: _Records, values: np.ndarray, lag: int) -> np.ndarray:
    """Mean of the last 3 months over the mean of the 3 months ``lag`` months back."""
    recent = rec.day > rec.cutoff(3)
    past = (rec.day > rec.cutoff(lag + 3)) & (rec.day <= rec.cutoff(lag))
    a = ctx.mean(rec.pos, values, recent)
    b = ctx.mean(rec.pos, values, past)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.clip(np.where(b > 0, a / b - 1, np.nan), -1, 5)


def _arrear_months(ctx: _Context, rec: _Records, column: str, w: int) -> np.ndarray:
    late = (rec.num(column) > 0) & (rec.day > rec.cutoff(w))
    seen = ctx.count(rec.pos, rec.day > rec.cutoff(w)) > 0
    return np.where(seen, ctx.count(rec.pos, late), np.nan)


def _social_insurance(ctx: _Context, rec: _Records) -> dict[str, np.ndarray]:
    hc = rec.num("headcount")
    out = {
        "si_headcount_latest": ctx.latest(rec.pos, rec.day, hc),
        "si_headcount_trend_6m": _trend(ctx, rec, hc, 6),
        "si_headcount_trend_12m": _trend(ctx, rec, hc, 12),
    }
    for w in (6, 12, 24):
        out[f"si_arrears_months_{w}m"] = _arrear_months(ctx, rec, "arrears", w)
    return out


def _housing_fund(ctx: _Context, rec: _Records) -> dict[str, np.ndarray]:
    return {
        "hf_contributors_latest": ctx.latest(rec.pos, rec.day, rec.num("contributors")),
        "hf_arrears_months_12m": _arrear_months(ctx, rec, "arrears", 12),
    }


def _utilities(ctx: _Context, rec: _Records) -> dict[str, np.ndarray]:
    elec = rec.isin("utility", ["electricity", "电", "电力"])
    use = np.where(elec, rec.num("consumption"), np.nan)
    overdue = rec.num("amount_overdue")
    late12 = (overdue > 0) & (rec.day > rec.cutoff(12))
    late24 = (overdue > 0) & (rec.day > rec.cutoff(24))
    seen = ctx.count(rec.pos) > 0
    return {
        "elec_trend_6m": _trend(ctx, rec, use, 6),
        "elec_trend_12m": _trend(ctx, rec, use, 12),
        "utility_overdue_months_12m": np.where(seen, ctx.count(rec.pos, late12), np.nan),
        "utility_overdue_months_24m": np.where(seen, ctx.count(rec.pos, late24), np.nan),
        "utility_overdue_amount_12m": np.where(seen, ctx.total(rec.pos, overdue, late12), np.nan),
    }


def _still_usable(rec: _Records, ended_day: np.ndarray) -> np.ndarray:
    """Negative information is usable until 60 months after the act ended (aligned to ``rec``)."""
    ended = np.where(ended_day <= rec.today, ended_day, rec.today)
    return ended > rec.cutoff(60)


def _judicial(ctx: _Context, rec: _Records) -> dict[str, np.ndarray]:
    defendant = rec.isin("role", ["defendant", "被告", "被执行人"])
    closed = rec.date("closed_on")
    usable = defendant & _still_usable(rec, closed)
    out = {f"judicial_defendant_{w}m": ctx.count(rec.pos, usable & (rec.day > rec.cutoff(w))) for w in WINDOWS}
    recent = usable & (rec.day > rec.cutoff(36))
    out["judicial_defendant_amount_36m"] = ctx.total(rec.pos, rec.num("amount"), recent)
    is_open = ~(closed <= rec.today)
    out["judicial_open_defendant"] = ctx.count(rec.pos, usable & is_open)
    plaintiff = rec.isin("role", ["plaintiff", "原告"]) & (rec.day > rec.cutoff(36))
    out["judicial_plaintiff_36m"] = ctx.count(rec.pos, plaintiff)
    out["_negative_judicial"] = ctx.most_recent_day(rec.pos[usable], rec.day[usable])
    out["_negative12_judicial"] = out["judicial_defendant_12m"]
    return out


def _dishonest(ctx: _Context, rec: _Records) -> dict[str, np.ndarray]:
    listed = rec.date("listed_on")
    listed = np.where(np.isnan(listed), rec.day, listed)
    removed = rec.date("removed_on")
    live = (listed <= rec.today) & ~(removed <= rec.today)
    usable = (listed <= rec.today) & _still_usable(rec, removed)
    return {
        "dishonest_listed": (ctx.count(rec.pos, live) > 0).astype(np.float64),
        "dishonest_listings_60m": ctx.count(rec.pos, usable),
        "_negative_dishonest": ctx.most_recent_day(rec.pos[usable], listed[usable]),
        "_negative12_dishonest": ctx.count(rec.pos, usable & (listed > rec.cutoff(12))),
    }


def _latest_rank(ctx: _Context, rec: _Records, column: str, ranks: Mapping[str, int]) -> np.ndarray:
    return ctx.latest(rec.pos, rec.day, rec.mapped(column, ranks))


def _honour(ctx: _Context, rec: _Records) -> dict[str, np.ndarray]:
    recent = rec.day > rec.cutoff(36)
    special = rec.isin("honour_type", ["专精特新", "高新技术企业"]) & recent
    return {
        "honours_36m": ctx.count(rec.pos, recent),
        "honour_specialised": (ctx.count(rec.pos, special) > 0).astype(np.float64),
    }


def _commitment(ctx: _Context, rec: _Records) -> dict[str, np.ndarray]:
    recent = rec.day > rec.cutoff(36)
    broken = ~rec.flag("fulfilled") & recent
    if "fulfilled" in rec.frame:
        broken &= rec.frame["fulfilled"].notna().to_numpy()
    return {
        "commitments_36m": ctx.count(rec.pos, recent),
        "commitments_broken_36m": ctx.count(rec.pos, broken),
        "_negative_commitment": ctx.most_recent_day(rec.pos[broken], rec.day[broken]),
        "_negative12_commitment": ctx.count(rec.pos, broken & (rec.day > rec.cutoff(12))),
    }


def _carbon(ctx: _Context, rec: _Records) -> dict[str, np.ndarray]:
    return {
        "carbon_intensity_latest": ctx.latest(rec.pos, rec.day, rec.num("emission_intensity")),
        "carbon_rating_latest": _latest_rank(ctx, rec, "carbon_rating", catalog.CARBON_RATING_RANK),
    }


def _summary(ctx: _Context, cols: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    days = np.vstack([v for k, v in cols.items() if k.startswith("_negative_")])
    with np.errstate(invalid="ignore"):
        last = np.fmax.reduce(days, axis=0)
    months = np.floor(ctx.months_since(last))
    months = np.where(np.isnan(months), NO_NEGATIVE_MONTHS, np.minimum(months, 60))
    counts = [v for k, v in cols.items() if k.startswith("_negative12_")]
    recent_abnormal = cols["_negative_abnormal"] > ctx.cutoff(12)
    return {
        "months_since_negative": months,
        "negative_events_12m": np.sum(counts, axis=0) + recent_abnormal,
    }


# --------------------------------------------------------------------------- #
# public API


def _prepare_enterprises(enterprises: pd.DataFrame, *, unique: bool = True) -> pd.DataFrame:
    if not isinstance(enterprises, pd.DataFrame):
        raise TypeError(f"enterprises must be a pandas DataFrame, got {type(enterprises).__name__}")
    if "uscc" not in enterprises.columns:
        raise MissingColumnsError(["uscc"], "enterprises")
    codes = enterprises["uscc"].astype(str)
    if unique and codes.duplicated().any():
        dup = codes[codes.duplicated()].iloc[0]
        raise ValueError(f"enterprises has duplicate uscc values, e.g. {dup!r}")
    return enterprises.assign(uscc=codes).reset_index(drop=True)


def _check_records(records: object) -> Mapping[str, pd.DataFrame]:
    if records is None:
        return {}
    if not isinstance(records, Mapping):
        raise TypeError(f"records must be a dict of catalog code -> DataFrame, got {type(records).__name__}")
    unknown = sorted(set(records) - set(catalog.CATEGORIES))
    if unknown:
        raise ValueError(f"unknown record categories {unknown}; expected some of {catalog.CATEGORIES}")
    for code, frame in records.items():
        if frame is not None and not isinstance(frame, pd.DataFrame):
            raise TypeError(f"records[{code!r}] must be a DataFrame")
    return records


def build_features(
    enterprises: pd.DataFrame,
    records: Mapping[str, pd.DataFrame] | None,
    as_of: date | datetime | str | pd.Timestamp,
) -> pd.DataFrame:
    """Build the feature table of every enterprise as of a date.

    Parameters
    ----------
    enterprises : pandas.DataFrame
        One row per enterprise; needs ``uscc``; uses ``registration_date``,
        ``registered_capital``, ``industry`` and ``region`` when present.
    records : dict of str to pandas.DataFrame
        Record frames keyed by catalog code (any subset, frames may be empty).
        Each needs ``uscc`` and ``record_date``; missing category columns are
        treated as unknown values. Object dtypes (e.g. from a database) are
        parsed; timezone-aware dates are read in Asia/Shanghai.
    as_of : date, datetime, str or pandas.Timestamp
        The day the features describe; later records are ignored.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``uscc`` (order of ``enterprises``), columns
        :data:`risk_models.feature_dictionary.FEATURE_NAMES`; numeric columns are
        float64, ``industry`` and ``region`` are strings (``None`` if unknown).
    """
    ent = _prepare_enterprises(enterprises)
    return _build(ent, _check_records(records), [to_as_of(as_of)] * len(ent))


def build_features_at(
    enterprises: pd.DataFrame,
    records: Mapping[str, pd.DataFrame] | None,
    as_of: Sequence[date | datetime | str | pd.Timestamp],
) -> pd.DataFrame:
    """Build the features of every row of ``enterprises`` as of that row's own day, in one pass.

    The same as calling :func:`build_features` once per distinct day and picking each row
    (every rule above applies with the row's own ``as_of``: a record dated after it, or a
    repair, removal or closing dated after it, is not known yet), without the per-day cost.

    Parameters
    ----------
    enterprises : pandas.DataFrame
        One row per (enterprise, day) wanted; an enterprise may appear on several rows.
    records : dict of str to pandas.DataFrame
        As for :func:`build_features`.
    as_of : sequence of dates
        One day per row of ``enterprises``.

    Returns
    -------
    pandas.DataFrame
        One row per row of ``enterprises`` in its order, indexed by ``uscc`` (which may repeat),
        columns :data:`risk_models.feature_dictionary.FEATURE_NAMES`.
    """
    ent = _prepare_enterprises(enterprises, unique=False)
    if len(as_of) != len(ent):
        raise ValueError(f"as_of has {len(as_of)} days for {len(ent)} enterprise rows")
    return _build(ent, _check_records(records), [to_as_of(day) for day in as_of])


def _build(ent: pd.DataFrame, recs: Mapping[str, pd.DataFrame], as_of: Sequence[pd.Timestamp]) -> pd.DataFrame:
    ctx = _Context(pd.Index(ent["uscc"], name="uscc"), as_of)
    cols: dict[str, np.ndarray] = {}
    cols.update(_firm(ctx, ent, ctx.records(recs, "registration")))
    cols.update(_categories(ent))
    for code, fn in _CATEGORY_FEATURES.items():
        cols.update(fn(ctx, ctx.records(recs, code)))
    cols.update(_summary(ctx, cols))
    table = pd.DataFrame({name: cols[name] for name in FEATURE_NAMES}, index=ctx.index)
    for name in ("industry", "region"):
        table[name] = table[name].astype(object)
    return table


def _customs(ctx: _Context, rec: _Records) -> dict[str, np.ndarray]:
    return {"customs_grade": _latest_rank(ctx, rec, "grade", catalog.CUSTOMS_GRADE_RANK)}


def _environment(ctx: _Context, rec: _Records) -> dict[str, np.ndarray]:
    return {"env_colour_latest": _latest_rank(ctx, rec, "colour", catalog.ENV_COLOUR_RANK)}


_CATEGORY_FEATURES = {
    "licence": _licence,
    "penalty": _penalty,
    "tax_rating": _tax_rating,
    "tax_payment": _tax_payment,
    "social_insurance": _social_insurance,
    "housing_fund": _housing_fund,
    "utilities": _utilities,
    "judicial": _judicial,
    "dishonest_debtor": _dishonest,
    "customs": _customs,
    "environment": _environment,
    "honour": _honour,
    "commitment": _commitment,
    "carbon": _carbon,
}
