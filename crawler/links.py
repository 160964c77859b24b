"""Which links of a list page are articles, and which one is the next page."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from lxml.html import HtmlElement
from w3lib.url import canonicalize_url

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


def next_page(doc: HtmlElement, base_url: str, selector: str | None = None) -> str | None:
    """The next list page: a configured CSS selector, rel=next, a "下一页" link, or index_N+1."""
    if selector:
        for a in doc.cssselect(selector):
            if a.get("href"):
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
