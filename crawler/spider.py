"""The one spider class: list pages → article pages → ArticleItem, for one configured source."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.classify import classify
from crawler.extract import extract, parse_html
from crawler.items import ArticleItem
from crawler.links import article_links, canonical, in_domains, next_page
from crawler.sources import Source

KEPT_HEADERS = ("content-type", "last-modified", "etag", "date", "server", "content-language")


class ReadoutSpider(scrapy.Spider):
    """Crawls one source incrementally.

    `known` maps canonical URLs already archived to their publication date (ISO or None):
    they are not fetched again unless `refetch` is set or they fall in the source's
    revisit window. Pagination stops at a list page whose articles are all known.
    """

    name = "readouts"

    def __init__(self, source: Source, known: dict[str, str | None] | None = None,
                 refetch: bool = False, now: datetime | None = None, **kwargs: Any) -> None:
        super().__init__(name=source.name, **kwargs)
        self.source = source
        self.known = known or {}
        self.refetch = refetch
        self.fixed_now = now
        self.allowed_domains = list(source.domains)
        self.list_pages = 0
        self.pages_seen: list[dict[str, Any]] = []   # per list page: links and next page
        self.errors: list[str] = []
        self._include = [re.compile(p) for p in source.include]
        self._exclude = [re.compile(p) for p in source.exclude]

    async def start(self) -> Any:
        for url in self.source.start_urls:
            yield scrapy.Request(url, callback=self.parse_list, errback=self.on_error,
                                 cb_kwargs={"page": 1}, dont_filter=True)

    def _now(self) -> datetime:
        return (self.fixed_now or datetime.now(UTC)).astimezone(UTC)

    def _wanted(self, url: str) -> bool:
        key = canonical(url)
        if self.refetch or key not in self.known:
            return True
        published = self.known[key]
        if self.source.revisit_days and published:
            age = self._now() - datetime.fromisoformat(published)
            return age <= timedelta(days=self.source.revisit_days)
        return False

    def parse_list(self, response: Response, page: int) -> Iterator[scrapy.Request]:
        self.list_pages += 1
        if not hasattr(response, "text"):
            self.errors.append(f"not HTML: {response.url}")
            return
        if self.crawler.stats:
            self.crawler.stats.inc_value("readouts/list_pages_ok")
        doc = parse_html(self._decode(response))
        links = article_links(doc, response.url, self.source.domains, self.source.follow)
        wanted = [u for u in links if self._wanted(u)]
        for url in wanted:
            yield scrapy.Request(url, callback=self.parse_article, errback=self.on_error)
        all_known = bool(links) and all(canonical(u) in self.known for u in links)
        nxt = next_page(doc, response.url, self.source.next_page)
        self.pages_seen.append({"url": response.url, "links": links, "wanted": wanted,
                                "next": nxt})
        if page >= self.source.max_pages or (all_known and not self.refetch):
            return
        if nxt and in_domains(nxt, self.source.domains) and nxt != response.url:
            yield scrapy.Request(nxt, callback=self.parse_list, errback=self.on_error,
                                 cb_kwargs={"page": page + 1})

    def _decode(self, response: Response) -> str:
        if self.source.encoding:
            return response.body.decode(self.source.encoding, errors="replace")
        return response.text

    def parse_article(self, response: Response) -> Iterator[ArticleItem]:
        if not hasattr(response, "text"):
            self.errors.append(f"not HTML: {response.url}")
            return
        html = self._decode(response)
        src = self.source
        found = extract(html, response.url, src.tz, title_selector=src.title,
                        body_selector=src.body, date_selector=src.date)
        if self._include and not any(p.search(found.title) for p in self._include):
            return
        if any(p.search(found.title) for p in self._exclude):
            return
        is_readout, kind = classify(found.title, found.text, src.language)
        requested = response.request.meta.get("redirect_urls", [response.url])[0]
        yield ArticleItem(
            source=src.name, city=src.city, language=src.language,
            url=requested, final_url=response.url, canonical_url=canonical(response.url),
            status=response.status, fetched_at=self._now().isoformat(timespec="seconds"),
            encoding=src.encoding or response.encoding,
            body=response.body,
            headers={k: response.headers.get(k, b"").decode("latin-1")
                     for k in KEPT_HEADERS if response.headers.get(k)},
            title=found.title,
            published=found.published.isoformat() if found.published else None,
            text=found.text, markdown=found.markdown, is_readout=is_readout, kind=kind,
        )

    def on_error(self, failure: Failure) -> Iterator[ArticleItem]:
        """Record the failure; an HTTP error page is still archived as a capture."""
        request = getattr(failure, "request", None)
        response = getattr(failure.value, "response", None)
        url = request.url if request is not None else "?"
        if response is not None:
            self.errors.append(f"HTTP {response.status}: {url}")
            src = self.source
            yield ArticleItem(
                source=src.name, city=src.city, language=src.language, url=url,
                final_url=response.url, canonical_url=canonical(response.url),
                status=response.status, fetched_at=self._now().isoformat(timespec="seconds"),
                encoding=getattr(response, "encoding", "") or "", body=response.body)
        else:
            self.errors.append(f"{failure.type.__name__}: {url}")
        self.logger.warning("failed %s: %s", url, failure.getErrorMessage())
