"""What a credit report says: the enterprise's records in the period, by catalogue
category, after the counting rules (DESIGN.md §3), as plain data for the PDF.

The report is an official Chinese document, so its wording is Chinese whatever the
reader's language (the builder renders under ``translation.override("zh-hans")``);
the sentences here are therefore not marked for translation.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db.models import Max
from django.utils import translation

from loanhub.credit_data.catalog import CATEGORIES
from loanhub.credit_data.models import CreditRecord, ImportBatch, ImportStatus
from loanhub.credit_data.rules import (
    PENALTY_MAX_MONTHS,
    dishonest_listing_live,
    penalty_shown_until,
    record_counts,
)
from loanhub.credit_data.schema import COLUMNS
from loanhub.disputes.models import Objection, ObjectionStatus, RepairRequest, RepairStatus
from loanhub.enterprises.models import Enterprise
from loanhub.scoring.models import ScoreRecord
from loanhub.scoring.selectors import data_coverage, score_latest

# Monthly payment series: summarised (months covered, latest month, arrears) with
# only the months in arrears listed, as official reports do.
MONTHLY: dict[str, tuple[str, str, str]] = {
    # code: (arrears field, headcount field, headcount label)
    "social_insurance": ("arrears", "headcount", "参保人数"),
    "housing_fund": ("arrears", "contributors", "缴存人数"),
    "utilities": ("amount_overdue", "", ""),
}
NONE_STATEMENTS: dict[str, str] = {
    "penalty": "报告期内无行政处罚记录。",
    "judicial": "报告期内无司法判决或被执行记录。",
    "dishonest_debtor": "报告期内未被列入失信被执行人名单。",
    "social_insurance": "报告期内无社保缴纳记录。",
    "housing_fund": "报告期内无公积金缴存记录。",
    "utilities": "报告期内无水电燃气缴费记录。",
}
VALUE_LABELS: dict[str, str] = {
    "establishment": "设立登记",
    "legal_rep_change": "法定代表人变更",
    "abnormal_listed": "列入经营异常名录",
    "plaintiff": "原告",
    "defendant": "被告",
    "open": "审理中",
    "closed": "已结案",
    "enforcing": "执行中",
    "electricity": "电",
    "water": "水",
    "gas": "燃气",
    "True": "是",
    "False": "否",
    "true": "是",
    "false": "否",
}


@dataclass(frozen=True)
class Entry:
    day: date
    text: str
    flags: tuple[str, ...] = ()


@dataclass
class Section:
    code: str
    name: str
    negative: bool
    sensitive: bool
    statement: str  # the section's one-line conclusion (the certificate's sentence)
    entries: list[Entry] = field(default_factory=list)
    count: int = 0  # records of the period shown or summarised
    sources: list[str] = field(default_factory=list)
    as_of: date | None = None


@dataclass(frozen=True)
class ObjectionLine:
    category: str
    record_date: date
    raised_on: date
    due_date: date


@dataclass(frozen=True)
class RepairLine:
    category: str
    record_date: date
    repaired_on: date | None


@dataclass
class ReportContent:
    enterprise: Enterprise
    period_start: date
    period_end: date
    on: date
    sections: list[Section]
    knockout: bool
    objections: list[ObjectionLine]
    repairs: list[RepairLine]
    score: ScoreRecord | None
    include_score: bool

    @property
    def record_count(self) -> int:
        return sum(s.count for s in self.sections)


def report_content(
    *, enterprise: Enterprise, period_start: date, period_end: date, include_score: bool, on: date
) -> ReportContent:
    """The report's content as of ``on`` (the issue date)."""
    with translation.override("zh-hans"):
        sections = {c.code: Section(c.code, str(c.name), c.negative, c.sensitive, "") for c in CATEGORIES}
        shown = _shown_records(enterprise.uscc, period_start, period_end, on)
        knockout = any(dishonest_listing_live(r, on) for r in shown)
        open_objections = _open_objections(enterprise)
        for code, records in _by_category(shown).items():
            _fill(sections[code], records, open_objections)
        for section in sections.values():
            section.statement = section.statement or _none_statement(section)
        _attach_sources(enterprise.uscc, sections)
        names = {c.code: str(c.name) for c in CATEGORIES}
    return ReportContent(
        enterprise=enterprise,
        period_start=period_start,
        period_end=period_end,
        on=on,
        sections=list(sections.values()),
        knockout=knockout,
        objections=[
            ObjectionLine(names[o.record.category], o.record.record_date, o.created_at.date(), o.due_date)
            for o in open_objections.values()
        ],
        repairs=_repairs(enterprise, names, period_start, period_end),
        # Below the data minimum no score is shown (数据不足，暂不评级), as on the profile.
        score=score_latest(enterprise=enterprise)
        if include_score and data_coverage(enterprise=enterprise).rated
        else None,
        include_score=include_score,
    )


def _shown_records(uscc: str, start: date, end: date, on: date) -> list[CreditRecord]:
    """Records of the period that the rules let a report show: not removed by an
    objection, not a minor penalty, not past the publicity period or the 5-year rule;
    a repaired penalty still inside its publicity period is shown, marked. A live
    dishonest-debtor listing is shown whenever it began."""
    records = (
        CreditRecord.objects.filter(uscc=uscc, removed_at__isnull=True, record_date__lte=end)
        .select_related("provider")
        .order_by("category", "-record_date", "pk")
    )
    shown = []
    for record in records:
        in_period = record.record_date >= start or dishonest_listing_live(record, on)
        if in_period and (record_counts(record, on) or _repaired_in_publicity(record, on)):
            shown.append(record)
    return shown


def _repaired_in_publicity(record: CreditRecord, on: date) -> bool:
    if record.category != "penalty" or record.severity not in PENALTY_MAX_MONTHS:
        return False
    until = penalty_shown_until(record)
    return record.effective_repaired_on is not None and until is not None and on < until


def _by_category(records: list[CreditRecord]) -> dict[str, list[CreditRecord]]:
    grouped: dict[str, list[CreditRecord]] = defaultdict(list)
    for record in records:
        grouped[record.category].append(record)
    return grouped


def _open_objections(enterprise: Enterprise) -> dict[int, Objection]:
    qs = Objection.objects.filter(enterprise=enterprise, status=ObjectionStatus.OPEN).select_related("record")
    return {o.record_id: o for o in qs}


def _fill(section: Section, records: list[CreditRecord], objections: dict[int, Objection]) -> None:
    section.count = len(records)
    if section.sensitive:
        section.statement = f"报告期内共 {len(records)} 条{section.name}记录；金额属于敏感信息，本报告不列示明细。"
        return
    if section.code in MONTHLY:
        _fill_monthly(section, records, objections)
        return
    section.entries = [Entry(r.record_date, _describe(r), _flags(r, objections)) for r in records]
    repaired = sum(1 for e in section.entries if any(f.startswith("已信用修复") for f in e.flags))
    tail = f"（其中 {repaired} 条已完成信用修复）" if repaired else ""
    section.statement = f"报告期内共 {len(records)} 条{section.name}记录{tail}。"


def _fill_monthly(section: Section, records: list[CreditRecord], objections: dict[int, Objection]) -> None:
    arrears_field, head_field, head_label = MONTHLY[section.code]
    latest = max(records, key=lambda r: r.record_date)
    months = sorted({r.record_date.strftime("%Y-%m") for r in records})
    owing = [r for r in records if _amount(r.payload.get(arrears_field)) > 0]
    parts = [f"报告期内 {len(months)} 个月有缴费记录（{months[0]} 至 {months[-1]}，共 {len(records)} 条）"]
    if head_field and latest.payload.get(head_field) not in (None, ""):
        parts.append(f"最近一月{head_label} {latest.payload[head_field]} 人")
    parts.append(f"{len(owing)} 个月存在欠费或逾期，明细如下" if owing else "无欠费或逾期记录")
    section.statement = "，".join(parts) + "。"
    section.entries = [Entry(r.record_date, _describe(r), _flags(r, objections)) for r in owing]


def _flags(record: CreditRecord, objections: dict[int, Objection]) -> tuple[str, ...]:
    flags = []
    objection = objections.get(record.pk)
    if objection is not None or record.under_objection:
        due = f"，答复期限 {objection.due_date:%Y-%m-%d}" if objection else ""
        flags.append(f"异议处理中{due}")
    repaired = record.effective_repaired_on
    if record.category == "penalty" and repaired is not None:
        flags.append(f"已信用修复（{repaired:%Y-%m-%d}），不再作为失信记录使用")
    return tuple(flags)


def _describe(record: CreditRecord) -> str:
    items = []
    for column in COLUMNS.get(record.category, ()):
        value = record.payload.get(column.name)
        if value in (None, "") or column.name == "repaired_on":
            continue
        items.append(f"{column.label}：{_value(value, money=column.kind == 'decimal')}")
    return "；".join(items) or "—"


def _value(value: object, *, money: bool) -> str:
    """A payload value as printed: enum codes in words, amounts with thousands
    separators (years and headcounts as they are)."""
    text = str(value)
    if text in VALUE_LABELS:
        return VALUE_LABELS[text]
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return text
    if not money or not amount.is_finite():
        return text
    return f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"


def _amount(value: object) -> Decimal:
    try:
        return Decimal(str(value)) if value not in (None, "") else Decimal(0)
    except InvalidOperation:
        return Decimal(0)


def _none_statement(section: Section) -> str:
    return NONE_STATEMENTS.get(section.code, f"报告期内无{section.name}记录。")


def _attach_sources(uscc: str, sections: dict[str, Section]) -> None:
    """Each category's data sources and the date its data was last updated: from the
    enterprise's own records, else from the platform's last exchange of that category."""
    own = CreditRecord.objects.filter(uscc=uscc).values("category", "provider__name").annotate(last=Max("updated_at"))
    for row in own:
        section = sections.get(row["category"])
        if section is None:
            continue
        if row["provider__name"] not in section.sources:
            section.sources.append(row["provider__name"])
        day = row["last"].date()
        section.as_of = max(section.as_of, day) if section.as_of else day
    batches = (
        ImportBatch.objects.filter(status=ImportStatus.DONE, finished_at__isnull=False)
        .values("category", "provider__name")
        .annotate(last=Max("finished_at"))
    )
    for row in batches:
        section = sections.get(row["category"])
        if section is None or section.as_of is not None:
            continue
        section.sources = section.sources or [row["provider__name"]]
        section.as_of = row["last"].date()


def _repairs(enterprise: Enterprise, names: dict[str, str], start: date, end: date) -> list[RepairLine]:
    qs = RepairRequest.objects.filter(
        enterprise=enterprise, status=RepairStatus.APPROVED, record__record_date__range=(start, end)
    ).select_related("record")
    return [RepairLine(names[r.record.category], r.record.record_date, r.record.effective_repaired_on) for r in qs]
