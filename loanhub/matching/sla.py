"""Working-day response clocks for leads (pure functions, no Django models).

A deadline of N working days is the end (23:59:59.999999 local time) of the N-th
working day after the day the clock starts. Working days are Monday to Friday,
minus public holidays, plus the weekend days officially made working days (调休).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class WorkCalendar:
    holidays: frozenset[date] = field(default_factory=frozenset)
    extra_workdays: frozenset[date] = field(default_factory=frozenset)
    tz: ZoneInfo = SHANGHAI

    def is_workday(self, day: date) -> bool:
        if day in self.extra_workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def add_workdays(self, start: date, days: int) -> date:
        """The ``days``-th working day after ``start`` (``start`` itself not counted)."""
        if days < 0:
            raise ValueError("days must be >= 0")
        day = start
        counted = 0
        while counted < days:
            day += timedelta(days=1)
            if self.is_workday(day):
                counted += 1
        return day

    def deadline(self, started: datetime, days: int) -> datetime:
        local = started.astimezone(self.tz)
        end_day = self.add_workdays(local.date(), days)
        return datetime.combine(end_day, time.max, tzinfo=self.tz)

    def workdays_between(self, start: datetime, end: datetime) -> int:
        """Working days from ``start``'s day (exclusive) to ``end``'s day (inclusive)."""
        a, b = start.astimezone(self.tz).date(), end.astimezone(self.tz).date()
        return sum(1 for i in range(1, (b - a).days + 1) if self.is_workday(a + timedelta(days=i)))


def parse_dates(text: str) -> frozenset[date]:
    """Dates from a text with one ISO date per line or separated by commas/spaces."""
    days = set()
    for token in text.replace(",", " ").split():
        days.add(date.fromisoformat(token.strip()))
    return frozenset(days)


def calendar_from(holidays: Iterable[date] = (), extra_workdays: Iterable[date] = ()) -> WorkCalendar:
    return WorkCalendar(frozenset(holidays), frozenset(extra_workdays))
