"""What the digest stage needs from the config."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class DigestSettings:
    output_dir: Path
    timezone: str = "Asia/Shanghai"
    references: tuple[Path, ...] = ()
    since: date | None = None
    watch_terms: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()   # configured source names, for the crawl-health section
    baseline_weeks: int = 8

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)
