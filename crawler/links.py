"""Which links of a list page are articles, when they were listed, and which is the next page."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, tzinfo
from urllib.parse import urljoin, urlsplit

from lxml.html import HtmlElement
from w3lib.url import canonicalize_url

from crawler.dates import date_from_url, parse_date_text

# URL shapes of article pages on Chinese government CMSs and English city portals.
ARTICLE_PATTERNS = re.compile(
    r"/t\d{8}_\d+\.s?html?$"                    # TRS: /202211/t20221102_11234567.html
    r"|/content_\d+\.s?html?$"                  # /content_123.htm
    r"|/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html$"  # Hanweb: /art/2022/11/2/art_1_2.html
    r"|/\d{4}-\d{2}/\d{2}/(content|c)_\d+\.s?html?$"   # /2022-11/02/content_123.htm
    r"|/(19|20)\d{2}[01]\d/[\w-]{6,}\.s?html?$"         # /202211/abcdef1234.html
    r"|/(news|article|articles|detail)/\d+\.s?html?$",
    re.I,
)
_NEXT_TEXT = re.compile(r"^\s*(下一页|下页|后页|next\s*(page)?|›|»|>)\s*$", re.I)
_PAGED_INDEX = re.compile(r"index_(\d+)\.s?html?$")
_ROW_TAGS = ("li", "tr", "dd", "dt", "p")
REGEX_PREFIX = "re:"


def canonical(url: str) -> str:
    """The identity of a URL in the archive: canonicalised, fragment dropped."""
    return canonicalize_url(url)


def in_domains(url: str, domains: tuple[str, ...]) -> bool:
    host = urlsplit(url).hostname or ""
    return any(host == d or host.endswith("." + d) for d in domains)


def article_links(doc: HtmlElement, base_url: str, domains: tuple[str, ...],
                  follow: str | None = None) -> list[str]:
    """Article URLs linked from a list page, in page order, without duplicates."""
    pattern = re.compile(follow) if follow else ARTICLE_PATTERNS
    seen: dict[str, None] = {}
    for a in doc.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        url = urljoin(base_url, href).split("#", 1)[0]
        if urlsplit(url).scheme in ("http", "https") and in_domains(url, domains) \
                and pattern.search(urlsplit(url).path if not follow else url):
            seen.setdefault(url, None)
    return list(seen)


@dataclass(frozen=True)
class Listed:
    """What a list page shows of one article link."""

    title: str                  # the link's title attribute or text
    date: datetime | None       # the date in the link's row, else in its URL


def listed(doc: HtmlElement, base_url: str, links: list[str], tz: tzinfo) -> dict[str, Listed]:
    """For each article link, its title and listed date as the list page shows them."""
    wanted = set(links)
    found: dict[str, Listed] = {}
    for a in doc.iter("a"):
        url = urljoin(base_url, (a.get("href") or "").strip()).split("#", 1)[0]
        if url not in wanted or url in found:
            continue
        row = next(a.iterancestors(*_ROW_TAGS), None)
        text = row.text_content() if row is not None else (a.tail or "")
        title = (a.get("title") or a.text_content() or "").strip()
        found[url] = Listed(title, parse_date_text(text, tz) or date_from_url(url, tz))
    return found


def next_page(doc: HtmlElement, base_url: str, rule: str | None = None) -> str | None:
    """The next list page.

    `rule` is a CSS selector for the next-page link, or, prefixed with "re:", a regex whose
    first group is the page number (the link with the smallest number above the current
    page's wins). Without a rule: rel=next, a "下一页"/"Next" link, or index_N+1.
    """
    if rule and rule.startswith(REGEX_PREFIX):
        return _numbered_next(doc, base_url, re.compile(rule[len(REGEX_PREFIX):]))
    if rule:
        for el in doc.cssselect(rule):
            a = el if el.get("href") else next(el.iter("a"), None)
            if a is not None and a.get("href"):
                return urljoin(base_url, a.get("href").strip())
        return None
    for a in doc.iter("a", "link"):
        if "next" in (a.get("rel") or "").lower() and a.get("href"):
            return urljoin(base_url, a.get("href").strip())
    for a in doc.iter("a"):
        if a.get("href") and _NEXT_TEXT.match(a.text_content() or ""):
            href = a.get("href").strip()
            if not href.startswith(("javascript:", "#")):
                return urljoin(base_url, href)
    path = urlsplit(base_url).path
    m = _PAGED_INDEX.search(path)
    current = int(m.group(1)) if m else 0
    wanted = f"index_{current + 1}."
    for a in doc.iter("a"):
        href = a.get("href") or ""
        if wanted in href:
            return urljoin(base_url, href.strip())
    return None


def _numbered_next(doc: HtmlElement, base_url: str, pattern: re.Pattern[str]) -> str | None:
    here = pattern.search(base_url)
    current = int(here.group(1)) if here and here.group(1) else 0
    best: tuple[int, str] | None = None
    for a in doc.iter("a"):
        url = urljoin(base_url, (a.get("href") or "").strip())
        m = pattern.search(url)
        if m and m.group(1) and int(m.group(1)) > current and (best is None or int(m.group(1)) < best[0]):
            best = (int(m.group(1)), url)
    return best[1] if best else None
