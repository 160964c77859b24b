"""The `[[sources]]` part of the config: validated into `Source` objects at load time."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

NAME_RE = re.compile(r"^[a-z0-9-]+$")
LANGUAGES = ("en", "zh")


class SourceError(ValueError):
    """A source entry of the config is invalid; the message names the source and key."""


@dataclass(frozen=True)
class Source:
    name: str
    city: str
    language: str
    start_urls: tuple[str, ...]
    follow: str | None = None
    next_page: str | None = None
    title: str | None = None
    body: str | None = None
    date: str | None = None
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    max_pages: int = 50
    obey_robots: bool = True
    download_delay: float = 1.0
    encoding: str | None = None
    timezone: str = "Asia/Shanghai"
    allowed_domains: tuple[str, ...] = ()
    revisit_days: int = 0
    max_age_days: int = 0          # 0: no cutoff; else skip and stop at articles listed older
    download_timeout: float = 30.0
    contact: str | None = None

    @property
    def domains(self) -> tuple[str, ...]:
        """Hosts this source may request: the start URLs' hosts plus `allowed_domains`."""
        hosts = {urlsplit(u).hostname or "" for u in self.start_urls}
        return tuple(sorted(hosts | set(self.allowed_domains)))

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


_TYPES: dict[str, type | tuple[type, ...]] = {
    "name": str, "city": str, "language": str, "start_urls": list, "follow": str,
    "next_page": str, "title": str, "body": str, "date": str, "include": list,
    "exclude": list, "max_pages": int, "obey_robots": bool, "download_delay": (int, float),
    "encoding": str, "timezone": str, "allowed_domains": list, "revisit_days": int,
    "max_age_days": int, "download_timeout": (int, float), "contact": str,
}
_REQUIRED = ("name", "city", "language", "start_urls")
_REGEX_KEYS = ("follow", "include", "exclude")
_SELECTOR_KEYS = ("title", "body", "date", "next_page")
_LIST_KEYS = ("start_urls", "include", "exclude", "allowed_domains")


def parse_source(raw: dict[str, Any], index: int = 0) -> Source:
    """Validate one `[[sources]]` table; raise SourceError naming the source and key."""
    label = f"sources[{index}]" + (f" ({raw['name']!r})" if isinstance(raw.get("name"), str) else "")
    known = {f.name for f in fields(Source)}
    for key in raw:
        if key not in known:
            raise SourceError(f"{label}: unknown key {key!r}")
    for key in _REQUIRED:
        if key not in raw:
            raise SourceError(f"{label}: missing required key {key!r}")
    for key, value in raw.items():
        expected = _TYPES[key]
        if isinstance(value, bool) and expected is not bool:
            raise SourceError(f"{label}: {key!r} must be {_type_name(expected)}, got a boolean")
        if not isinstance(value, expected):
            raise SourceError(f"{label}: {key!r} must be {_type_name(expected)}, "
                              f"got {type(value).__name__}")
    if not NAME_RE.match(raw["name"]):
        raise SourceError(f"{label}: 'name' must match [a-z0-9-]+")
    if raw["language"] not in LANGUAGES:
        raise SourceError(f"{label}: 'language' must be one of {', '.join(LANGUAGES)}")
    urls = raw["start_urls"]
    if not urls or not all(isinstance(u, str) and urlsplit(u).scheme in ("http", "https")
                           and urlsplit(u).hostname for u in urls):
        raise SourceError(f"{label}: 'start_urls' must be a non-empty list of http(s) URLs")
    for key in _LIST_KEYS:
        if not all(isinstance(v, str) and v for v in raw.get(key, [])):
            raise SourceError(f"{label}: {key!r} must be a list of non-empty strings")
    for key in _REGEX_KEYS:
        for pattern in _as_list(raw.get(key)):
            _check_regex(label, key, pattern)
    for key in _SELECTOR_KEYS:
        if key in raw:
            _check_selector(label, key, raw[key])
    for key in ("max_pages", "revisit_days", "max_age_days", "download_delay"):
        if key in raw and raw[key] < 0:
            raise SourceError(f"{label}: {key!r} must not be negative")
    if raw.get("max_pages") == 0:
        raise SourceError(f"{label}: 'max_pages' must be at least 1")
    if "download_timeout" in raw and raw["download_timeout"] <= 0:
        raise SourceError(f"{label}: 'download_timeout' must be positive")
    if "timezone" in raw:
        try:
            ZoneInfo(raw["timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            raise SourceError(f"{label}: unknown 'timezone' {raw['timezone']!r}") from None
    if "encoding" in raw:
        try:
            "".encode(raw["encoding"])
        except LookupError:
            raise SourceError(f"{label}: unknown 'encoding' {raw['encoding']!r}") from None
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in raw.items()}
    return Source(**values)


def parse_sources(raws: list[Any]) -> list[Source]:
    sources = []
    for i, raw in enumerate(raws):
        if not isinstance(raw, dict):
            raise SourceError(f"sources[{i}]: must be a table")
        sources.append(parse_source(raw, i))
    names = [s.name for s in sources]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise SourceError(f"sources: duplicate name {dupes[0]!r}")
    return sources


def _check_regex(label: str, key: str, pattern: str) -> None:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise SourceError(f"{label}: {key!r} is not a valid regex: {exc}") from None


def _check_selector(label: str, key: str, value: str) -> None:
    """CSS selectors; `next_page` may instead be "re:" and a regex with the page number as group 1."""
    if key == "next_page" and value.startswith("re:"):
        _check_regex(label, key, value[3:])
        if re.compile(value[3:]).groups < 1:
            raise SourceError(f"{label}: 'next_page' regex needs a group capturing the page number")
        return
    from cssselect import GenericTranslator, SelectorError

    try:
        GenericTranslator().css_to_xpath(value)
    except SelectorError as exc:
        raise SourceError(f"{label}: {key!r} is not a valid CSS selector: {exc}") from None


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _type_name(expected: type | tuple[type, ...]) -> str:
    names = {str: "a string", list: "a list", int: "an integer", bool: "true or false"}
    if isinstance(expected, tuple):
        return "a number"
    return names.get(expected, expected.__name__)
