"""Which records count, by the rules of DESIGN.md §3.

- 征信业管理条例 §16: negative information stops being used 5 years after the act ended.
- 信用修复管理办法: minor (轻微) penalties are not shown; a general (一般) penalty is shown
  at least 3 months and at most 1 year, a serious (严重) one at least 1 year and at most
  3 years. A repaired or expired record stays in history but no longer counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext as _


class CreditRecord(Protocol):
    """What the rules read of a record (``models.CreditRecord`` has it). A protocol, not
    an import: the model asks these rules, so they must not import the model back."""

    category: str
    record_date: date
    removed_at: datetime | None

    @property
    def payload(self) -> Any: ...
    @property
    def severity(self) -> str: ...
    @property
    def effective_repaired_on(self) -> date | None: ...


NEGATIVE_INFO_YEARS = 5
PENALTY_MIN_MONTHS = {"一般": 3, "严重": 12}
PENALTY_MAX_MONTHS = {"一般": 12, "严重": 36}


def parse_date(value: object) -> date | None:
    if value in (None, "", "NaT"):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _act_ended(record: CreditRecord) -> date:
    payload = record.payload
    if record.category == "dishonest_debtor":
        return parse_date(payload.get("removed_on")) or date.max
    if record.category == "judicial":
        return parse_date(payload.get("closed_on")) or record.record_date
    return record.record_date


def penalty_shown_until(record: CreditRecord) -> date | None:
    months = PENALTY_MAX_MONTHS.get(record.severity)
    return record.record_date + relativedelta(months=months) if months else None


def record_counts(record: CreditRecord, on: date) -> bool:
    """Whether a record counts in scores and in a bank's view on date ``on``."""
    if record.removed_at is not None or record.record_date > on:
        return False
    if record.category == "penalty":
        repaired = record.effective_repaired_on
        if record.severity not in PENALTY_MAX_MONTHS or (repaired and repaired <= on):
            return False
        shown_until = penalty_shown_until(record)
        return shown_until is not None and on < shown_until
    if record.category in ("judicial", "dishonest_debtor"):
        ended = _act_ended(record)
        return ended == date.max or on < ended + relativedelta(years=NEGATIVE_INFO_YEARS)
    return True


def dishonest_listing_live(record: CreditRecord, on: date) -> bool:
    if record.category != "dishonest_debtor" or record.removed_at is not None:
        return False
    listed = parse_date(record.payload.get("listed_on")) or record.record_date
    removed = parse_date(record.payload.get("removed_on"))
    return listed <= on and (removed is None or removed > on)


@dataclass(frozen=True)
class RepairCheck:
    allowed: bool
    reason: str
    earliest: date | None = None


def repair_eligibility(record: CreditRecord, on: date) -> RepairCheck:
    """Whether credit repair may be applied for on ``on`` (before proof is checked)."""
    if record.category != "penalty":
        return RepairCheck(False, _("只有行政处罚记录可以申请信用修复。"))
    if record.severity == "轻微":
        return RepairCheck(False, _("轻微处罚不予公示，无需修复。"))
    if record.effective_repaired_on:
        return RepairCheck(False, _("该记录已完成信用修复。"))
    if not record_counts(record, on):
        return RepairCheck(False, _("该记录已超过最长公示期，已不再计入，无需修复。"))
    earliest = record.record_date + relativedelta(months=PENALTY_MIN_MONTHS[record.severity])
    if on < earliest:
        return RepairCheck(
            False,
            _("尚未满最短公示期，最早可于 %(date)s 申请。") % {"date": earliest.isoformat()},
            earliest,
        )
    return RepairCheck(True, "", earliest)
