"""Publication dates of Chinese and English portal pages: meta tags, page text, then the URL."""

from __future__ import annotations

import re
from datetime import datetime, tzinfo

from lxml.html import HtmlElement

META_NAMES = (
    "pubdate", "publishdate", "firstpublishedtime", "article:published_time", "publish_time",
    "publishtime", "dc.date", "dc.date.issued", "dcterms.created", "date", "og:published_time",
)

_ZH_NUM = r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
_TIME = r"(?:\s*(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?)?"
_LABELLED = re.compile(r"(?:发布时间|发布日期|时间|日期|更新时间|Updated|Published|Date|Release date)"
                       r"\s*[:：]?\s*" + _ZH_NUM + _TIME, re.I)
_NUMERIC = re.compile(_ZH_NUM + _TIME)
_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}
_EN = re.compile(r"\b(?:(?:Updated|Published|Date)\s*:?\s*)?"
                 r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+(\d{1,2}),?\s+(\d{4})"
                 + _TIME, re.I)
_EN_DMY = re.compile(r"\b(\d{1,2})\s+(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?,?"
                     r"\s+(\d{4})" + _TIME, re.I)
_URL = re.compile(r"(?:/t|_|/)(20\d{2})[-/]?(\d{2})[-/]?(\d{2})(?=[_/.]|$)")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?(Z|[+-]\d{2}:?\d{2})?")


def _build(tz: tzinfo, y: str, mo: str, d: str, h: str | None = None, mi: str | None = None,
           s: str | None = None) -> datetime | None:
    try:
        return datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0), tzinfo=tz)
    except ValueError:
        return None


def parse_date_text(text: str, tz: tzinfo) -> datetime | None:
    """The first date in a piece of page text, labelled dates first."""
    for pattern in (_LABELLED, _NUMERIC):
        for m in pattern.finditer(text):
            found = _build(tz, *m.groups())
            if found:
                return found
    for m in _EN.finditer(text):
        mon, day, year, h, mi, s = m.groups()
        found = _build(tz, year, str(_MONTHS[mon[:3].lower()]), day, h, mi, s)
        if found:
            return found
    for m in _EN_DMY.finditer(text):
        day, mon, year, h, mi, s = m.groups()
        found = _build(tz, year, str(_MONTHS[mon[:3].lower()]), day, h, mi, s)
        if found:
            return found
    return None


def _parse_meta(value: str, tz: tzinfo) -> datetime | None:
    m = _ISO.search(value)
    if m:
        y, mo, d, h, mi, s, zone = m.groups()
        if zone:
            try:
                stamp = datetime.fromisoformat(m.group(0).replace("Z", "+00:00").replace(" ", "T"))
                return stamp.astimezone(tz)
            except ValueError:
                pass
        return _build(tz, y, mo, d, h, mi, s)
    return parse_date_text(value, tz)


def date_from_meta(doc: HtmlElement, tz: tzinfo) -> datetime | None:
    for meta in doc.iter("meta"):
        key = (meta.get("name") or meta.get("property") or meta.get("itemprop") or "").lower()
        if key in META_NAMES and meta.get("content"):
            found = _parse_meta(meta.get("content", ""), tz)
            if found:
                return found
    for node in doc.iter("time"):
        found = _parse_meta(node.get("datetime") or node.text_content(), tz)
        if found:
            return found
    return None


def date_from_url(url: str, tz: tzinfo) -> datetime | None:
    m = _URL.search(url)
    return _build(tz, *m.groups()) if m else None
