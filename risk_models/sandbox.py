"""Sandbox: a deterministic, clearly synthetic stand-in for a public credit platform.

Every enterprise has a latent financial-health factor (with industry, region and
firm-age effects, and a slow drift over time). The factor drives every catalog
category of records and whether a historical loan defaulted within 12 months,
so that a model trained on the records can be validated out of time.

Nothing here describes a real enterprise: names are drawn from syllable lists,
codes are random (but well-formed) 统一社会信用代码, and every frame carries
``synthetic=True`` / ``source="sandbox"``.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from risk_models import catalog
from risk_models.uscc import make_codes

Progress = Callable[[str], None] | None

DEFAULT_AS_OF = date(2025, 12, 31)
SOURCE = "sandbox"
DAY = np.timedelta64(1, "D")

_SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许邓冯韩曹曾彭")
_GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰文斌辉鹏")
_BRAND = list("华信达盛泰宏源恒丰利鑫瑞晟通和美嘉康顺安创新远博锦程汇誉天海升荣凯")
_INDUSTRY_WORDS: dict[str, tuple[str, ...]] = {
    "A": ("农业", "生态农业", "水产"),
    "C": ("机械", "电子", "五金制品", "塑胶", "精密制造", "家具"),
    "E": ("建筑工程", "装饰工程", "建设"),
    "F": ("贸易", "商贸", "供应链", "百货"),
    "G": ("物流", "运输", "货运代理"),
    "H": ("餐饮管理", "酒店管理", "餐饮"),
    "I": ("科技", "信息技术", "软件", "网络科技"),
    "L": ("商务服务", "企业管理咨询", "租赁"),
    "M": ("技术服务", "检测技术", "生物科技"),
    "R": ("文化传播", "体育发展", "传媒"),
}
_LICENCE_TYPES = (
    "食品经营许可证",
    "排污许可证",
    "建筑业企业资质证书",
    "道路运输经营许可证",
    "增值电信业务经营许可证",
    "安全生产许可证",
    "卫生许可证",
)
_PENALTY_ISSUERS = (
    "市场监督管理局",
    "生态环境局",
    "应急管理局",
    "税务局",
    "消防救援支队",
)
_CASE_TYPES = ("买卖合同纠纷", "借款合同纠纷", "劳动争议", "租赁合同纠纷", "执行案件")
_COURTS = ("中级人民法院", "基层人民法院")
_HONOURS = (
    "A级纳税人",
    "专精特新",
    "高新技术企业",
    "守合同重信用企业",
    "创新型中小企业",
)
_COMMITMENTS = ("告知承诺制审批", "行业自律承诺", "信用修复承诺", "主动型信用承诺")


@dataclass
class SandboxData:
    """Generated sandbox data.

    Attributes
    ----------
    enterprises : pandas.DataFrame
        One row per enterprise: ``uscc``, ``name``, ``legal_rep``, ``region``,
        ``region_name``, ``industry``, ``industry_name``, ``registration_date``,
        ``registered_capital`` (万元), ``size_class``, ``status``, ``synthetic``,
        ``source``.
    records : dict of str to pandas.DataFrame
        One frame per catalog category, each with ``uscc``, ``record_date`` and
        the category's columns (:data:`risk_models.catalog.RECORD_COLUMNS`).
    loans : pandas.DataFrame
        Historical loan book: ``loan_id``, ``uscc``, ``origination_date``,
        ``amount`` (万元), ``term_months``, ``defaulted`` (0/1 within 12 months).
    seed, as_of : int, datetime.date
        The generation parameters.
    """

    enterprises: pd.DataFrame
    records: dict[str, pd.DataFrame]
    loans: pd.DataFrame
    seed: int
    as_of: date
    meta: dict[str, object] = field(default_factory=dict)

    def write(self, out_dir: str | Path, progress: Progress = None) -> Path:
        """Write the data as CSV files (see :func:`write_sandbox`)."""
        return write_sandbox(self, out_dir, progress=progress)


# --------------------------------------------------------------------------- #
# parameters


def _check_parameters(n_enterprises: object, seed: object, as_of: object) -> date:
    if isinstance(n_enterprises, bool) or not isinstance(n_enterprises, (int, np.integer)):
        raise TypeError(f"n_enterprises must be an int, got {type(n_enterprises).__name__}")
    if not 1 <= int(n_enterprises) <= 5_000_000:
        raise ValueError(f"n_enterprises must be between 1 and 5,000,000, got {n_enterprises}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    if int(seed) < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")
    if isinstance(as_of, str):
        try:
            return date.fromisoformat(as_of)
        except ValueError as exc:
            raise ValueError(f"as_of must be an ISO date, got {as_of!r}") from exc
    if isinstance(as_of, datetime):
        return as_of.date()
    if isinstance(as_of, date):
        return as_of
    raise TypeError(f"as_of must be a datetime.date, got {type(as_of).__name__}")


# --------------------------------------------------------------------------- #
# small vectorized helpers


def _sigmoid(x: np.ndarray) -> np.ndarray:
    p: np.ndarray = 1.0 / (1.0 + np.exp(-x))
    return p


def _day(value: date) -> np.datetime64:
    return np.datetime64(value, "D")


def _to_dt(days: np.ndarray) -> np.ndarray:
    """Days (datetime64[D], NaT allowed) → datetime64[s] for pandas."""
    return days.astype("datetime64[s]")


def _month_ends(as_of: date, months: int) -> np.ndarray:
    """The last ``months`` complete month ends on or before ``as_of``."""
    stamp = pd.Timestamp(as_of)
    last = stamp + pd.offsets.MonthEnd(0)
    if last > stamp:
        last = last - pd.offsets.MonthEnd(1)
    ends = pd.date_range(end=last, periods=months, freq="ME")
    return ends.to_numpy().astype("datetime64[D]")


def _years_before(days: np.ndarray, as_of: np.datetime64) -> np.ndarray:
    return (days - as_of) / DAY / 365.25


class _Latent:
    """Latent health: level ``h`` (1.5 years before as-of) plus drift ``d``."""

    def __init__(self, level: np.ndarray, drift: np.ndarray, as_of: date) -> None:
        self.level = level
        self.drift = drift
        self.as_of = _day(as_of)

    def at(self, idx: np.ndarray, days: np.ndarray) -> np.ndarray:
        years = _years_before(days, self.as_of)
        level: np.ndarray = self.level[idx] + 0.35 * self.drift[idx] * (years + 1.5)
        return level


def _random_days(rng: np.random.Generator, start: np.datetime64, end: np.datetime64, n: int) -> np.ndarray:
    span = int((end - start) / DAY)
    return start + rng.integers(0, span + 1, size=n) * DAY


def _panel(alive: np.ndarray, registered: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Enterprise index and period index for every (firm, period) that exists."""
    firms = np.flatnonzero(alive)
    idx = np.repeat(firms, ends.size)
    per = np.tile(np.arange(ends.size), firms.size)
    keep = ends[per] >= registered[idx]
    return idx[keep], per[keep]


def _frame(uscc: np.ndarray, idx: np.ndarray, record_date: np.ndarray, **cols: object) -> pd.DataFrame:
    data: dict[str, object] = {"uscc": uscc[idx], "record_date": _to_dt(record_date)}
    data.update(cols)
    return pd.DataFrame(data)


# --------------------------------------------------------------------------- #
# enterprises


def _names(rng: np.random.Generator, city: np.ndarray, industry: np.ndarray) -> list[str]:
    n = city.size
    brand = rng.integers(0, len(_BRAND), size=(n, 2))
    pick = rng.integers(0, 1_000_000, size=n)
    brands = np.asarray(_BRAND)
    words = [_INDUSTRY_WORDS[code] for code in industry]
    return [
        f"{c}{brands[b[0]]}{brands[b[1]]}{w[p % len(w)]}有限公司"
        for c, b, w, p in zip(city, brand, words, pick, strict=True)
    ]


def _people(rng: np.random.Generator, n: int) -> np.ndarray:
    surname = np.asarray(_SURNAMES)[rng.integers(0, len(_SURNAMES), n)]
    first = np.asarray(_GIVEN)[rng.integers(0, len(_GIVEN), n)]
    second = np.asarray(_GIVEN)[rng.integers(0, len(_GIVEN), n)]
    two = rng.random(n) < 0.6
    return np.where(two, np.char.add(np.char.add(surname, first), second), surname + first)


def _unique_org_numbers(rng: np.random.Generator, n: int) -> np.ndarray:
    numbers = rng.integers(0, 31**9, size=n, dtype=np.int64)
    while np.unique(numbers).size < n:
        _, first = np.unique(numbers, return_index=True)
        dup = np.setdiff1d(np.arange(n), first)
        numbers[dup] = rng.integers(0, 31**9, size=dup.size, dtype=np.int64)
    return numbers


def _enterprises(rng: np.random.Generator, n: int, as_of: date) -> tuple[pd.DataFrame, _Latent, dict[str, np.ndarray]]:
    reg_i = rng.choice(len(catalog.REGIONS), size=n, p=catalog.REGION_WEIGHTS)
    ind_w = np.asarray([ind.weight for ind in catalog.INDUSTRIES])
    ind_i = rng.choice(len(catalog.INDUSTRIES), size=n, p=ind_w / ind_w.sum())
    age_years = 0.3 + rng.exponential(6.0, size=n).clip(max=30)
    registered = _day(as_of) - np.round(age_years * 365.25).astype(np.int64) * DAY
    reg_eff = np.asarray([r.effect for r in catalog.REGIONS])[reg_i]
    ind_eff = np.asarray([i.effect for i in catalog.INDUSTRIES])[ind_i]
    level = 0.9 * rng.standard_normal(n) + reg_eff + ind_eff + 0.2 * (np.log(age_years + 0.5) - 1.5)
    latent = _Latent(level, rng.standard_normal(n), as_of)
    headcount = np.maximum(1, np.round(np.exp(rng.normal(2.4, 1.0, n) + 0.2 * level)))
    capital = np.round(np.exp(rng.normal(np.log(150), 1.2, n) + 0.2 * level), 1)
    capital = capital.clip(3, 100_000)
    size_class = np.select(
        [headcount < 20, headcount < 100, headcount < 300],
        ["微型", "小型", "中型"],
        default="大型",
    )
    region_codes = np.asarray([r.code for r in catalog.REGIONS])[reg_i]
    codes = make_codes(region_codes, _unique_org_numbers(rng, n))
    city = np.asarray([r.name for r in catalog.REGIONS])[reg_i]
    industry = np.asarray([i.code for i in catalog.INDUSTRIES])[ind_i]
    frame = pd.DataFrame(
        {
            "uscc": codes,
            "name": _names(rng, city, industry),
            "legal_rep": _people(rng, n),
            "region": region_codes,
            "region_name": city,
            "industry": industry,
            "industry_name": np.asarray([i.name for i in catalog.INDUSTRIES])[ind_i],
            "registration_date": _to_dt(registered),
            "registered_capital": capital,
            "size_class": size_class,
            "status": "存续",
            "synthetic": True,
            "source": SOURCE,
        }
    )
    extra = {
        "registered": registered,
        "headcount": headcount,
        "ind_i": ind_i,
        "capital": capital,
    }
    return frame, latent, extra


# --------------------------------------------------------------------------- #
# record categories


@dataclass
class _Ctx:
    rng: np.random.Generator
    uscc: np.ndarray
    latent: _Latent
    extra: dict[str, np.ndarray]
    as_of: date
    months: int

    @property
    def n(self) -> int:
        return self.uscc.size

    @property
    def end(self) -> np.datetime64:
        return _day(self.as_of)

    def industry_attr(self, name: str) -> np.ndarray:
        values = np.asarray([getattr(i, name) for i in catalog.INDUSTRIES])
        per_firm: np.ndarray = values[self.extra["ind_i"]]
        return per_firm

    def events(self, rate: np.ndarray, years: float) -> tuple[np.ndarray, np.ndarray]:
        """Poisson events per firm over the last ``years``: (firm index, date)."""
        counts = self.rng.poisson(rate)
        idx = np.repeat(np.arange(self.n), counts)
        start = self.end - int(years * 365.25) * DAY
        days = _random_days(self.rng, start, self.end, idx.size)
        days = np.maximum(days, self.extra["registered"][idx])
        return idx, days


def _registration(ctx: _Ctx) -> pd.DataFrame:
    rng, n = ctx.rng, ctx.n
    reg = ctx.extra["registered"]
    paid = np.round(ctx.extra["capital"] * rng.beta(1.0, 2.0, n), 1)
    paid = np.where(rng.random(n) < 0.35, 0.0, paid)
    ch_idx, ch_days = ctx.events(0.06 * np.exp(-0.4 * ctx.latent.level), 5)
    ch_days = np.maximum(ch_days, reg[ch_idx] + 30 * DAY)
    p_abn = _sigmoid(-4.6 - 1.2 * ctx.latent.level)
    ab_idx = np.flatnonzero(rng.random(n) < p_abn)
    ab_days = _random_days(rng, ctx.end - 1095 * DAY, ctx.end, ab_idx.size)
    ab_days = np.maximum(ab_days, reg[ab_idx] + 30 * DAY)
    idx = np.concatenate([np.arange(n), ch_idx, ab_idx])
    days = np.concatenate([reg, ch_days, ab_days])
    keep = days <= ctx.end
    event = np.repeat(np.asarray(catalog.REGISTRATION_EVENTS), [n, ch_idx.size, ab_idx.size])
    status = np.where(event == "abnormal_listed", "经营异常", "存续")
    idx, days, event, status = idx[keep], days[keep], event[keep], status[keep]
    return _frame(
        ctx.uscc,
        idx,
        days,
        event=event,
        status=status,
        registered_capital=ctx.extra["capital"][idx],
        paid_in_capital=paid[idx],
    )


def _licence(ctx: _Ctx) -> pd.DataFrame:
    rate = 0.5 + 0.6 * ctx.industry_attr("polluting")
    idx, days = ctx.events(rate, 6)
    kinds = np.asarray(_LICENCE_TYPES)[ctx.rng.integers(0, len(_LICENCE_TYPES), idx.size)]
    years = ctx.rng.choice([3, 5], size=idx.size)
    valid_to = days + np.round(years * 365.25).astype(np.int64) * DAY
    return _frame(
        ctx.uscc,
        idx,
        days,
        licence_type=kinds,
        issuer=np.where(kinds == "排污许可证", "生态环境局", "市场监督管理局"),
        valid_from=_to_dt(days),
        valid_to=_to_dt(valid_to),
    )


def _penalty(ctx: _Ctx) -> pd.DataFrame:
    rng = ctx.rng
    rate = 0.04 * np.exp(-1.0 * ctx.latent.level)
    idx, days = ctx.events(rate, 6)
    h = ctx.latent.at(idx, days)
    u = rng.random(idx.size)
    p_serious = _sigmoid(-2.6 - 0.8 * h)
    p_general = 0.45 * np.ones(idx.size)
    severity = np.where(u < p_serious, "严重", np.where(u < p_serious + p_general, "一般", "轻微"))
    scale = np.select([severity == "严重", severity == "一般"], [80_000, 10_000], 800)
    fine = np.round(scale * np.exp(rng.normal(0, 0.8, idx.size)), -1)
    corrected = days + rng.integers(10, 120, idx.size) * DAY
    corrected = np.where(rng.random(idx.size) < 0.8, corrected, np.datetime64("NaT", "D"))
    min_m = np.where(severity == "严重", 12, 3)
    repair_m = min_m + rng.integers(0, 24, idx.size)
    repaired = days + np.round(repair_m * 30.44).astype(np.int64) * DAY
    can_repair = (severity != "轻微") & ~np.isnat(corrected)
    repaired = np.where(can_repair & (rng.random(idx.size) < 0.3), repaired, np.datetime64("NaT", "D"))
    repaired = repaired.astype("datetime64[D]")
    repaired[repaired > ctx.end] = np.datetime64("NaT", "D")
    corrected[corrected > ctx.end] = np.datetime64("NaT", "D")
    issuers = np.asarray(_PENALTY_ISSUERS)[rng.integers(0, len(_PENALTY_ISSUERS), idx.size)]
    return _frame(
        ctx.uscc,
        idx,
        days,
        issuer=issuers,
        severity=severity,
        fine_amount=fine,
        corrected_on=_to_dt(corrected),
        repaired_on=_to_dt(repaired),
    )


def _rank_grades(z: np.ndarray, groups: np.ndarray, shares: list[float], labels: list[str]) -> np.ndarray:
    """Assign labels by within-group rank of ``z`` (lowest ``z`` → first label)."""
    out = np.empty(z.size, dtype=object)
    edges = np.cumsum(shares)[:-1]
    for g in np.unique(groups):
        sel = np.flatnonzero(groups == g)
        ranks = (np.argsort(np.argsort(z[sel])) + 0.5) / sel.size
        out[sel] = np.asarray(labels)[np.searchsorted(edges, ranks)]
    return out.astype(str)


def _annual(
    ctx: _Ctx, years_back: int, alive: np.ndarray, publish_month: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(firm index, year, publication date) for annual evaluations."""
    years = np.arange(ctx.as_of.year - years_back, ctx.as_of.year)
    firms = np.flatnonzero(alive)
    idx = np.repeat(firms, years.size)
    year = np.tile(years, firms.size)
    year_end = np.asarray([_day(date(int(y), 12, 31)) for y in years])
    pub = np.asarray([_day(date(int(y) + 1, publish_month, 20)) for y in years])
    pos = np.searchsorted(years, year)
    keep = (ctx.extra["registered"][idx] <= year_end[pos]) & (pub[pos] <= ctx.end)
    return idx[keep], year[keep], pub[pos][keep], year_end[pos][keep]


def _tax_rating(ctx: _Ctx) -> pd.DataFrame:
    idx, year, pub, year_end = _annual(ctx, 4, np.ones(ctx.n, bool), 4)
    h = ctx.latent.at(idx, year_end - 182 * DAY)
    z = 0.85 * h + 0.45 * ctx.rng.standard_normal(idx.size)
    grade = _rank_grades(z, year, [0.025, 0.045, 0.10, 0.57, 0.26], list("DCMBA"))
    new = ctx.extra["registered"][idx] > year_end - 365 * DAY
    grade = np.where(new & (grade != "D") & (grade != "C"), "M", grade)
    return _frame(ctx.uscc, idx, pub, year=year, grade=grade)


def _quarter_ends(ctx: _Ctx) -> np.ndarray:
    months = _month_ends(ctx.as_of, ctx.months)
    quarter = pd.DatetimeIndex(months).month % 3 == 0
    return months[quarter]


def _tax_payment(ctx: _Ctx) -> pd.DataFrame:
    ends = _quarter_ends(ctx)
    idx, per = _panel(np.ones(ctx.n, bool), ctx.extra["registered"], ends)
    h = ctx.latent.at(idx, ends[per])
    base = 4_000 * ctx.extra["headcount"][idx] ** 0.9
    paid = base * np.exp(0.45 * (h - ctx.latent.level[idx]) + ctx.rng.normal(0, 0.3, idx.size))
    zero = ctx.rng.random(idx.size) < _sigmoid(-2.6 - 1.2 * h)
    stamp = pd.DatetimeIndex(ends)
    labels = np.asarray([f"{d.year}Q{(d.month - 1) // 3 + 1}" for d in stamp])
    return _frame(
        ctx.uscc,
        idx,
        ends[per],
        period=labels[per],
        tax_paid=np.where(zero, 0.0, np.round(paid, 2)),
    )


def _monthly_headcount(ctx: _Ctx, idx: np.ndarray, days: np.ndarray) -> np.ndarray:
    h = ctx.latent.at(idx, days)
    log_hc = np.log(ctx.extra["headcount"][idx]) + 0.3 * (h - ctx.latent.level[idx])
    noise = ctx.rng.normal(0, 0.04, idx.size)
    headcount: np.ndarray = np.maximum(0, np.round(np.exp(log_hc + noise))).astype(np.int64)
    return headcount


def _social_insurance(ctx: _Ctx) -> pd.DataFrame:
    ends = _month_ends(ctx.as_of, ctx.months)
    alive = ctx.rng.random(ctx.n) < 0.92
    idx, per = _panel(alive, ctx.extra["registered"], ends)
    days = ends[per]
    hc = _monthly_headcount(ctx, idx, days)
    paid = np.round(hc * 1_150 * np.exp(ctx.rng.normal(0, 0.05, idx.size)), 2)
    h = ctx.latent.at(idx, days)
    late = ctx.rng.random(idx.size) < _sigmoid(-3.7 - 1.4 * h)
    arrears = np.where(late, np.round(paid * ctx.rng.uniform(0.2, 1.0, idx.size), 2), 0.0)
    return _frame(
        ctx.uscc,
        idx,
        days,
        month=_to_dt(days),
        headcount=hc,
        amount_paid=paid,
        arrears=arrears,
    )


def _housing_fund(ctx: _Ctx) -> pd.DataFrame:
    ends = _month_ends(ctx.as_of, ctx.months)
    alive = ctx.rng.random(ctx.n) < _sigmoid(-0.4 + 0.6 * ctx.latent.level)
    idx, per = _panel(alive, ctx.extra["registered"], ends)
    days = ends[per]
    ratio = ctx.rng.uniform(0.3, 1.0, ctx.n)[idx]
    contributors = np.round(_monthly_headcount(ctx, idx, days) * ratio).astype(np.int64)
    amount = np.round(contributors * 820.0, 2)
    h = ctx.latent.at(idx, days)
    late = ctx.rng.random(idx.size) < _sigmoid(-4.0 - 1.2 * h)
    arrears = np.where(late, amount, 0.0)
    return _frame(
        ctx.uscc,
        idx,
        days,
        month=_to_dt(days),
        contributors=contributors,
        amount=amount,
        arrears=arrears,
    )


def _utilities(ctx: _Ctx) -> pd.DataFrame:
    ends = _month_ends(ctx.as_of, ctx.months)
    heavy = np.isin(ctx.extra["ind_i"], [0, 1, 5])
    frames = []
    for utility, alive, scale, price in (
        ("electricity", ctx.rng.random(ctx.n) < 0.95, 900.0, 0.75),
        ("water", heavy & (ctx.rng.random(ctx.n) < 0.9), 40.0, 4.2),
    ):
        idx, per = _panel(alive, ctx.extra["registered"], ends)
        days = ends[per]
        h = ctx.latent.at(idx, days)
        season = 1 + 0.15 * np.cos((pd.DatetimeIndex(ends).month.to_numpy() - 7) / 6 * np.pi)
        base = scale * ctx.extra["headcount"][idx] * (1 + 2 * ctx.industry_attr("polluting")[idx])
        use = base * season[per] * np.exp(0.35 * (h - ctx.latent.level[idx]) + ctx.rng.normal(0, 0.08, idx.size))
        billed = np.round(use * price, 2)
        late = ctx.rng.random(idx.size) < _sigmoid(-4.0 - 1.3 * h)
        frames.append(
            _frame(
                ctx.uscc,
                idx,
                days,
                month=_to_dt(days),
                utility=utility,
                consumption=np.round(use, 1),
                amount_billed=billed,
                amount_overdue=np.where(late, billed, 0.0),
            )
        )
    return pd.concat(frames, ignore_index=True)


def _judicial(ctx: _Ctx) -> pd.DataFrame:
    rng = ctx.rng
    d_idx, d_days = ctx.events(0.045 * np.exp(-1.1 * ctx.latent.level), 6)
    p_idx, p_days = ctx.events(np.full(ctx.n, 0.02), 6)
    idx = np.concatenate([d_idx, p_idx])
    days = np.concatenate([d_days, p_days])
    role = np.repeat(["defendant", "plaintiff"], [d_idx.size, p_idx.size])
    kind = np.asarray(_CASE_TYPES)[rng.integers(0, len(_CASE_TYPES), idx.size)]
    amount = np.round(np.exp(rng.normal(np.log(150_000), 1.0, idx.size)), -2)
    closed = days + rng.integers(60, 720, idx.size) * DAY
    closed = closed.astype("datetime64[D]")
    closed[closed > ctx.end] = np.datetime64("NaT", "D")
    status = np.where(~np.isnat(closed), "closed", np.where(kind == "执行案件", "enforcing", "open"))
    return _frame(
        ctx.uscc,
        idx,
        days,
        case_type=kind,
        role=role,
        amount=amount,
        status=status,
        closed_on=_to_dt(closed),
    )


def _dishonest(ctx: _Ctx) -> pd.DataFrame:
    rng = ctx.rng
    p = _sigmoid(-5.6 - 1.6 * ctx.latent.level)
    idx = np.flatnonzero(rng.random(ctx.n) < p)
    days = _random_days(rng, ctx.end - 4 * 365 * DAY, ctx.end, idx.size)
    days = np.maximum(days, ctx.extra["registered"][idx] + 180 * DAY)
    keep = days <= ctx.end
    idx, days = idx[keep], days[keep]
    removed = days + rng.integers(90, 540, idx.size) * DAY
    removed = np.where(rng.random(idx.size) < 0.45, removed, np.datetime64("NaT", "D")).astype("datetime64[D]")
    removed[removed > ctx.end] = np.datetime64("NaT", "D")
    court = np.asarray(_COURTS)[rng.integers(0, len(_COURTS), idx.size)]
    return _frame(
        ctx.uscc,
        idx,
        days,
        listed_on=_to_dt(days),
        removed_on=_to_dt(removed),
        issuer=court,
    )


def _customs(ctx: _Ctx) -> pd.DataFrame:
    rng = ctx.rng
    idx = np.flatnonzero(rng.random(ctx.n) < ctx.industry_attr("trading"))
    days = _random_days(rng, ctx.end - 3 * 365 * DAY, ctx.end, idx.size)
    days = np.maximum(days, ctx.extra["registered"][idx])
    keep = days <= ctx.end
    idx, days = idx[keep], days[keep]
    z = ctx.latent.at(idx, days) + 0.5 * rng.standard_normal(idx.size)
    grade = _rank_grades(z, np.zeros(idx.size), [0.04, 0.84, 0.12], ["失信", "一般", "高级认证"])
    return _frame(ctx.uscc, idx, days, grade=grade)


def _environment(ctx: _Ctx) -> pd.DataFrame:
    alive = ctx.rng.random(ctx.n) < ctx.industry_attr("polluting")
    idx, year, pub, year_end = _annual(ctx, 3, alive, 3)
    z = 0.8 * ctx.latent.at(idx, year_end - 182 * DAY) + 0.5 * ctx.rng.standard_normal(idx.size)
    colour = _rank_grades(z, year, [0.03, 0.07, 0.15, 0.45, 0.30], list("黑红黄蓝绿"))
    return _frame(ctx.uscc, idx, pub, year=year, colour=colour)


def _honour(ctx: _Ctx) -> pd.DataFrame:
    boost = np.isin(ctx.extra["ind_i"], [1, 6, 8]) * 0.6
    idx, days = ctx.events(0.08 * np.exp(0.9 * ctx.latent.level + boost), 4)
    kind = np.asarray(_HONOURS)[ctx.rng.integers(0, len(_HONOURS), idx.size)]
    issuer = np.where(kind == "A级纳税人", "税务局", "工业和信息化局")
    return _frame(ctx.uscc, idx, days, honour_type=kind, issuer=issuer)


def _commitment(ctx: _Ctx) -> pd.DataFrame:
    idx, days = ctx.events(np.full(ctx.n, 0.25), 4)
    kind = np.asarray(_COMMITMENTS)[ctx.rng.integers(0, len(_COMMITMENTS), idx.size)]
    h = ctx.latent.at(idx, days)
    broken = ctx.rng.random(idx.size) < _sigmoid(-3.2 - 1.3 * h)
    return _frame(ctx.uscc, idx, days, commitment=kind, fulfilled=~broken)


def _carbon(ctx: _Ctx) -> pd.DataFrame:
    alive = ctx.rng.random(ctx.n) < 0.8 * ctx.industry_attr("polluting")
    idx, year, pub, year_end = _annual(ctx, 3, alive, 3)
    h = ctx.latent.at(idx, year_end - 182 * DAY)
    emissions = ctx.extra["headcount"][idx] * 6.0 * np.exp(ctx.rng.normal(0, 0.4, idx.size))
    intensity = np.round(0.8 * np.exp(-0.15 * h + ctx.rng.normal(0, 0.3, idx.size)), 3)
    rating = _rank_grades(-intensity, year, [0.1, 0.3, 0.4, 0.2], ["红", "黄", "浅绿", "深绿"])
    return _frame(
        ctx.uscc,
        idx,
        pub,
        year=year,
        emissions=np.round(emissions, 1),
        emission_intensity=intensity,
        carbon_rating=rating,
    )


_BUILDERS: dict[str, Callable[[_Ctx], pd.DataFrame]] = {
    "registration": _registration,
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


# --------------------------------------------------------------------------- #
# loan book


def _default_intercept(score: np.ndarray, target: float) -> float:
    lo, hi = -15.0, 5.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if _sigmoid(mid + score).mean() < target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def _loans(ctx: _Ctx, default_rate: float) -> pd.DataFrame:
    rng = ctx.rng
    start = ctx.end - 730 * DAY
    orig = _random_days(rng, start, ctx.end - 366 * DAY, ctx.n)
    eligible = ctx.extra["registered"] <= orig - 180 * DAY
    borrower = eligible & (rng.random(ctx.n) < 0.8)
    idx = np.flatnonzero(borrower)
    orig = orig[idx]
    health = ctx.latent.at(idx, orig + 182 * DAY)
    risk = -1.9 * health + rng.normal(0, 0.4, idx.size)
    p = _sigmoid(_default_intercept(risk, default_rate) + risk)
    defaulted = (rng.random(idx.size) < p).astype(np.int64)
    amount = np.round(np.exp(rng.normal(np.log(80), 0.8, idx.size)), 1)
    order = np.lexsort((ctx.uscc[idx], orig))
    idx, orig, amount, defaulted = (
        idx[order],
        orig[order],
        amount[order],
        defaulted[order],
    )
    return pd.DataFrame(
        {
            "loan_id": [f"SBX-L{i:07d}" for i in range(1, idx.size + 1)],
            "uscc": ctx.uscc[idx],
            "origination_date": _to_dt(orig),
            "amount": amount,
            "term_months": rng.choice([6, 12, 12, 24, 36], size=idx.size),
            "defaulted": defaulted,
            "synthetic": True,
        }
    )


# --------------------------------------------------------------------------- #
# public API


def generate(
    n_enterprises: int,
    seed: int = 0,
    as_of: date = DEFAULT_AS_OF,
    *,
    months: int = 36,
    default_rate: float = 0.05,
    progress: Progress = None,
) -> SandboxData:
    """Generate sandbox enterprises, their public-credit records and a loan book.

    Parameters
    ----------
    n_enterprises : int
        Number of enterprises (1 … 5,000,000).
    seed : int, default 0
        Random seed; the same ``(n_enterprises, seed, as_of, months)`` always
        gives identical frames.
    as_of : datetime.date, default 2025-12-31
        The generation date: no record is dated after it. Monthly series cover
        the ``months`` complete months up to it; events (penalties, cases,
        listings, licences) go back up to 6 years so that the 5-year rule can
        bite; loans originate 24 to 12 months before it so that their
        12-month outcome is known.
    months : int, default 36
        Length of the monthly series.
    default_rate : float, default 0.05
        Expected 12-month default rate of the loan book (0 < rate < 0.5).
    progress : callable, optional
        Called with a short message before each step.

    Returns
    -------
    SandboxData
    """
    as_of_date = _check_parameters(n_enterprises, seed, as_of)
    if isinstance(months, bool) or not isinstance(months, int) or not 12 <= months <= 120:
        raise ValueError(f"months must be an int between 12 and 120, got {months!r}")
    if not 0.0 < float(default_rate) < 0.5:
        raise ValueError(f"default_rate must lie in (0, 0.5), got {default_rate!r}")
    rng = np.random.default_rng(int(seed))
    _say(progress, f"sandbox: {n_enterprises:,} enterprises")
    enterprises, latent, extra = _enterprises(rng, int(n_enterprises), as_of_date)
    ctx = _Ctx(rng, enterprises["uscc"].to_numpy(dtype=str), latent, extra, as_of_date, months)
    records: dict[str, pd.DataFrame] = {}
    for code in catalog.CATEGORIES:
        _say(progress, f"sandbox: records {code}")
        frame = _BUILDERS[code](ctx)
        records[code] = frame.sort_values(["uscc", "record_date"], kind="stable").reset_index(drop=True)
    abnormal = records["registration"].loc[lambda f: f["status"] == "经营异常", "uscc"]
    enterprises.loc[enterprises["uscc"].isin(abnormal), "status"] = "经营异常"
    _say(progress, "sandbox: loan book")
    loans = _loans(ctx, float(default_rate))
    meta = {
        "synthetic": True,
        "source": SOURCE,
        "seed": int(seed),
        "as_of": as_of_date.isoformat(),
        "n_enterprises": int(n_enterprises),
        "months": months,
    }
    return SandboxData(enterprises, records, loans, int(seed), as_of_date, meta)


def records_for_code(
    uscc: str,
    *,
    seed: int = 0,
    as_of: date = DEFAULT_AS_OF,
    registered: date | None = None,
    capital_wan: float | None = None,
    months: int = 36,
) -> dict[str, pd.DataFrame]:
    """Synthetic records for one enterprise code outside a generated population.

    The demo's newcomers (any code registered in the sandbox) get a record file of
    their own: one sandbox enterprise generated with a seed derived from ``seed`` and
    the code, so the same code always gets the same records. Every frame says
    ``synthetic=True`` / ``source="sandbox"`` like the rest of the sandbox.

    Parameters
    ----------
    uscc : str
        The enterprise's 统一社会信用代码; written into every record.
    seed : int, default 0
        The sandbox seed; with ``uscc`` it fixes the records.
    as_of : datetime.date, default 2025-12-31
        No record is dated after it.
    registered : datetime.date, optional
        The enterprise's registration date: the establishment record is dated on it
        and nothing earlier is kept.
    capital_wan : float, optional
        Registered capital (万元) written into the registration records.
    months : int, default 36
        Length of the monthly series.

    Returns
    -------
    dict of str to pandas.DataFrame
        One frame per catalog category (possibly empty).
    """
    if not isinstance(uscc, str) or len(uscc) != 18:
        raise ValueError(f"uscc must be an 18-character code, got {uscc!r}")
    digest = hashlib.sha256(f"loanhub-sandbox-records:{int(seed)}:{uscc.upper()}".encode()).digest()
    with warnings.catch_warnings():
        # One enterprise may have no historical loan: calibrating the (unused) loan book
        # then averages an empty slice. The records do not depend on it.
        warnings.simplefilter("ignore", RuntimeWarning)
        data = generate(1, seed=int.from_bytes(digest[:8], "big"), as_of=as_of, months=months)
    start = pd.Timestamp(registered) if registered is not None else None
    out: dict[str, pd.DataFrame] = {}
    for code, frame in data.records.items():
        frame = frame.copy()
        frame["uscc"] = uscc.upper()
        if code == "registration":
            if start is not None:
                frame.loc[frame["event"] == "establishment", "record_date"] = start
            if capital_wan is not None:
                frame["registered_capital"] = float(capital_wan)
                frame["paid_in_capital"] = frame["paid_in_capital"].clip(upper=float(capital_wan))
        if start is not None:
            frame = frame[frame["record_date"] >= start]
        out[code] = frame.reset_index(drop=True)
    return out


def _say(progress: Progress, message: str) -> None:
    if progress is not None:
        progress(message)


# --------------------------------------------------------------------------- #
# files

MANIFEST = "manifest.json"


def write_sandbox(data: SandboxData, out_dir: str | Path, progress: Progress = None) -> Path:
    """Write sandbox data to ``out_dir`` as CSV (UTF-8).

    Layout: ``enterprises.csv``, ``loans.csv``, ``records/<category>.csv`` (one
    file per catalog category, columns ``uscc, record_date, …``) and
    ``manifest.json`` (generation parameters, row counts, ``synthetic: true``).

    Parameters
    ----------
    data : SandboxData
    out_dir : str or pathlib.Path
        Created if needed; existing files of the same names are overwritten.
    progress : callable, optional

    Returns
    -------
    pathlib.Path
        The output folder.
    """
    out = Path(out_dir)
    (out / "records").mkdir(parents=True, exist_ok=True)
    _say(progress, f"writing {out / 'enterprises.csv'}")
    data.enterprises.to_csv(out / "enterprises.csv", index=False)
    data.loans.to_csv(out / "loans.csv", index=False)
    counts = {}
    for code, frame in data.records.items():
        _say(progress, f"writing records/{code}.csv ({len(frame):,} rows)")
        frame.to_csv(out / "records" / f"{code}.csv", index=False)
        counts[code] = len(frame)
    manifest = dict(data.meta)
    manifest.update(
        {
            "enterprises": len(data.enterprises),
            "loans": len(data.loans),
            "records": counts,
        }
    )
    (out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return out


def read_sandbox(path: str | Path) -> SandboxData:
    """Read a folder written by :func:`write_sandbox`.

    Parameters
    ----------
    path : str or pathlib.Path

    Returns
    -------
    SandboxData
    """
    folder = Path(path)
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        raise FileNotFoundError(f"{folder} is not a sandbox folder: no {MANIFEST}")
    meta = json.loads(manifest_path.read_text(encoding="utf-8"))
    enterprises = pd.read_csv(
        folder / "enterprises.csv",
        dtype={"uscc": str, "region": str},
        parse_dates=["registration_date"],
    )
    loans = pd.read_csv(folder / "loans.csv", dtype={"uscc": str}, parse_dates=["origination_date"])
    records = {}
    for code in catalog.CATEGORIES:
        file = folder / "records" / f"{code}.csv"
        if file.is_file():
            cols = ("record_date", *catalog.RECORD_COLUMNS[code])
            dates = [c for c in cols if c in catalog.DATE_COLUMNS]
            records[code] = pd.read_csv(file, dtype={"uscc": str}, parse_dates=dates)
    as_of = date.fromisoformat(str(meta["as_of"]))
    return SandboxData(enterprises, records, loans, int(meta["seed"]), as_of, meta)
