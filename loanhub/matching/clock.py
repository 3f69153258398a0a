"""Response clocks from the platform's settings."""

from __future__ import annotations

from datetime import datetime

from .models import MatchingSettings
from .sla import WorkCalendar, calendar_from, parse_dates


def platform_settings() -> MatchingSettings:
    return MatchingSettings.load()


def work_calendar(settings: MatchingSettings | None = None) -> WorkCalendar:
    settings = settings or platform_settings()
    return calendar_from(parse_dates(settings.holidays), parse_dates(settings.extra_workdays))


def claim_deadline(created: datetime, settings: MatchingSettings | None = None) -> datetime:
    settings = settings or platform_settings()
    return work_calendar(settings).deadline(created, settings.claim_workdays)


def decision_deadline(started: datetime, settings: MatchingSettings | None = None) -> datetime:
    settings = settings or platform_settings()
    return work_calendar(settings).deadline(started, settings.decision_workdays)
