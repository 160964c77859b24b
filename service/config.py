"""Loading `readouts.toml`: every problem is one ConfigError naming the file and key."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from crawler.sources import Source, SourceError, parse_sources
from digest.settings import DigestSettings

DEFAULT_PATH = "readouts.toml"
_SECTIONS = {"storage", "digest", "schedule", "sources", "service"}
_STORAGE_KEYS = {"database"}
_DIGEST_KEYS = {"output_dir", "timezone", "references", "since", "watch_terms"}
_SCHEDULE_KEYS = {"crawl", "digest"}
_SERVICE_KEYS = {"crawl_timeout", "failing_after_hours", "log_format"}


class ConfigError(ValueError):
    """A config problem, phrased as one line for the user."""


@dataclass(frozen=True)
class Schedule:
    crawl: str = "0 */6 * * *"
    digest: str = "0 7 * * mon"


@dataclass(frozen=True)
class Config:
    path: Path
    database: Path
    digest: DigestSettings
    schedule: Schedule
    sources: list[Source]
    crawl_timeout: int = 3600           # seconds a crawl child may run before it is killed
    failing_after_hours: float = 24.0   # status exits non-zero past this
    log_format: str = "text"            # text | json, unless --log-format says otherwise

    def source(self, name: str) -> Source:
        for s in self.sources:
            if s.name == name:
                return s
        raise ConfigError(f"{self.path}: no source named {name!r} "
                          f"(configured: {', '.join(s.name for s in self.sources) or 'none'})")


def default_path() -> Path:
    return Path(os.environ.get("READOUTS_CONFIG", DEFAULT_PATH))


def _check_keys(where: str, table: Any, allowed: set[str], path: Path) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [{where}] must be a table")
    for key in table:
        if key not in allowed:
            raise ConfigError(f"{path}: unknown key {where}.{key} "
                              f"(expected one of: {', '.join(sorted(allowed))})")
    return table


def _string(path: Path, key: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{path}: {key} must be a non-empty string")
    return value


def _cron(path: Path, key: str, value: Any, tz: str) -> str:
    from apscheduler.triggers.cron import CronTrigger

    expr = _string(path, key, value)
    try:
        CronTrigger.from_crontab(expr, timezone=tz)
    except ValueError as exc:
        raise ConfigError(f"{path}: {key} is not a valid cron expression ({exc})") from None
    return expr


def load(path: Path | str | None = None) -> Config:
    path = Path(path) if path else default_path()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found (pass --config PATH or set "
                          f"READOUTS_CONFIG; see readouts.example.toml)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    return from_dict(raw, path)


def from_dict(raw: dict[str, Any], path: Path) -> Config:
    base = path.parent
    for key in raw:
        if key not in _SECTIONS:
            raise ConfigError(f"{path}: unknown section or key {key!r} "
                              f"(expected: {', '.join(sorted(_SECTIONS))})")
    storage = _check_keys("storage", raw.get("storage", {}), _STORAGE_KEYS, path)
    digest = _check_keys("digest", raw.get("digest", {}), _DIGEST_KEYS, path)
    schedule = _check_keys("schedule", raw.get("schedule", {}), _SCHEDULE_KEYS, path)
    service = _check_keys("service", raw.get("service", {}), _SERVICE_KEYS, path)

    database = base / _string(path, "storage.database", storage.get("database", "data/readouts.db"))
    tz = _string(path, "digest.timezone", digest.get("timezone", "Asia/Shanghai"))
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{path}: digest.timezone {tz!r} is not a known time zone") from None
    refs = digest.get("references", [])
    if not isinstance(refs, list) or not all(isinstance(r, str) for r in refs):
        raise ConfigError(f"{path}: digest.references must be a list of folder paths")
    terms = digest.get("watch_terms", [])
    if not isinstance(terms, list) or not all(isinstance(t, str) and t.strip() for t in terms):
        raise ConfigError(f"{path}: digest.watch_terms must be a list of non-empty strings")
    since = digest.get("since")
    if since is not None:
        if isinstance(since, str):
            try:
                since = date.fromisoformat(since)
            except ValueError:
                raise ConfigError(f"{path}: digest.since must be a date like 2026-11-23") from None
        elif not isinstance(since, date):
            raise ConfigError(f"{path}: digest.since must be a date like 2026-11-23")
    raw_sources = raw.get("sources", [])
    if not isinstance(raw_sources, list):
        raise ConfigError(f"{path}: sources must be an array of tables ([[sources]])")
    try:
        sources = parse_sources(raw_sources)
    except SourceError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    timeout = service.get("crawl_timeout", 3600)
    if not isinstance(timeout, int) or isinstance(timeout, bool) or timeout <= 0:
        raise ConfigError(f"{path}: service.crawl_timeout must be a positive number of seconds")
    failing = service.get("failing_after_hours", 24)
    if not isinstance(failing, int | float) or isinstance(failing, bool) or failing <= 0:
        raise ConfigError(f"{path}: service.failing_after_hours must be a positive number")
    log_format = service.get("log_format", "text")
    if log_format not in ("text", "json"):
        raise ConfigError(f"{path}: service.log_format must be \"text\" or \"json\"")
    settings = DigestSettings(
        output_dir=base / _string(path, "digest.output_dir", digest.get("output_dir", "digests")),
        timezone=tz, references=tuple(base / r for r in refs), since=since,
        watch_terms=tuple(terms), sources=tuple(s.name for s in sources))
    return Config(
        path=path, database=database, digest=settings,
        schedule=Schedule(crawl=_cron(path, "schedule.crawl", schedule.get("crawl", "0 */6 * * *"), tz),
                          digest=_cron(path, "schedule.digest", schedule.get("digest", "0 7 * * mon"), tz)),
        sources=sources, crawl_timeout=timeout, failing_after_hours=float(failing),
        log_format=log_format)
