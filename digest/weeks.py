"""ISO weeks in the digest's timezone, and their bounds as UTC ISO strings for queries."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass(frozen=True, order=True)
class Week:
    year: int
    number: int

    @classmethod
    def parse(cls, label: str) -> Week:
        m = WEEK_RE.match(label)
        if not m:
            raise ValueError(f"not an ISO week: {label!r} (expected YYYY-Www, e.g. 2026-W48)")
        week = cls(int(m.group(1)), int(m.group(2)))
        try:
            week.monday()
        except ValueError:
            raise ValueError(f"not an ISO week: {label!r}") from None
        return week

    @classmethod
    def of(cls, day: date) -> Week:
        iso = day.isocalendar()
        return cls(iso.year, iso.week)

    def __str__(self) -> str:
        return f"{self.year}-W{self.number:02d}"

    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.number, 1)

    def sunday(self) -> date:
        return self.monday() + timedelta(days=6)

    def start(self, tz: ZoneInfo) -> datetime:
        return datetime.combine(self.monday(), time(), tzinfo=tz)

    def end(self, tz: ZoneInfo) -> datetime:
        """The first instant after the week."""
        return self.start(tz) + timedelta(days=7)

    def utc_bounds(self, tz: ZoneInfo) -> tuple[str, str]:
        return utc(self.start(tz)), utc(self.end(tz))

    def shift(self, weeks: int) -> Week:
        return Week.of(self.monday() + timedelta(weeks=weeks))


def utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def week_of(iso: str, tz: ZoneInfo) -> Week:
    return Week.of(datetime.fromisoformat(iso).astimezone(tz).date())


def last_complete_week(now: datetime, tz: ZoneInfo) -> Week:
    return Week.of(now.astimezone(tz).date()).shift(-1)


def weeks_from(first: Week, last: Week) -> list[Week]:
    out, week = [], first
    while week <= last:
        out.append(week)
        week = week.shift(1)
    return out
