"""The one spider class: list pages → article pages → ArticleItem, for one configured source."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.extract import parse_html
from crawler.items import ArticleItem
from crawler.links import article_links, canonical, in_domains, listed, next_page
from crawler.reading import Reader, ReadRequest
from crawler.sources import Source

KEPT_HEADERS = ("content-type", "last-modified", "etag", "date", "server", "content-language")
_TRUNCATED = ("...", "…")


@dataclass
class _HeldPage:
    """A next-page request held until the undated articles of its list page are read."""

    request: scrapy.Request
    left: int
    fresh: bool = False   # some article was published after the cutoff
    urls: set[str] = field(default_factory=set)


class ReadoutSpider(scrapy.Spider):
    """Crawls one source incrementally.

    `known` maps canonical URLs already archived to their publication date (ISO or None):
    they are not fetched again unless `refetch` is set or they fall in the source's
    revisit window. Pagination stops at a list page whose articles are all known, or all
    older than `max_age_days` (by the dates the list shows, else by the articles' own).
    With `complete` (the last crawl of the source died or failed, so articles may be missing
    behind known ones) it pages on past known list pages, still skipping known articles.
    """

    name = "readouts"

    def __init__(self, source: Source, known: dict[str, str | None] | None = None,
                 refetch: bool = False, now: datetime | None = None,
                 reader: Reader | None = None, complete: bool = False, **kwargs: Any) -> None:
        super().__init__(name=source.name, **kwargs)
        self.source = source
        self.known = known or {}
        self.refetch = refetch
        self.complete = complete
        self.fixed_now = now
        self.reader = reader or Reader(0)
        self.allowed_domains = list(source.domains)
        self.list_pages = 0
        self.pages_seen: list[dict[str, Any]] = []   # per list page: links, next page, why it stopped
        self.errors: list[str] = []
        self.skipped: list[str] = []                 # refused by robots.txt, domain or size rules
        self._include = [re.compile(p) for p in source.include]
        self._exclude = [re.compile(p) for p in source.exclude]
        self._held: dict[str, _HeldPage] = {}        # list page URL -> its held next page

    async def start(self) -> Any:
        for url in self.source.start_urls:
            yield scrapy.Request(url, callback=self.parse_list, errback=self.on_error,
                                 cb_kwargs={"page": 1}, dont_filter=True)

    def _now(self) -> datetime:
        return (self.fixed_now or datetime.now(UTC)).astimezone(UTC)

    def _cutoff(self) -> date | None:
        """The first day (in the source's timezone) still new enough; lists often show days only."""
        days = self.source.max_age_days
        return (self._now() - timedelta(days=days)).astimezone(self.source.tz).date() if days else None

    def _too_old(self, published: datetime) -> bool:
        cutoff = self._cutoff()
        return cutoff is not None and published.astimezone(self.source.tz).date() < cutoff

    def _wanted(self, url: str) -> bool:
        key = canonical(url)
        if self.refetch or key not in self.known:
            return True
        published = self.known[key]
        if self.source.revisit_days and published:
            age = self._now() - datetime.fromisoformat(published)
            return age <= timedelta(days=self.source.revisit_days)
        return False

    def _title_ok(self, title: str) -> bool:
        if self._include and not any(p.search(title) for p in self._include):
            return False
        return not any(p.search(title) for p in self._exclude)

    def parse_list(self, response: Response, page: int) -> Iterator[scrapy.Request]:
        self.list_pages += 1
        if not hasattr(response, "text"):
            self.errors.append(f"not HTML: {response.url}")
            return
        if self.crawler.stats:
            self.crawler.stats.inc_value("readouts/list_pages_ok")
        src = self.source
        doc = parse_html(self._decode(response))
        links = article_links(doc, response.url, src.domains, src.follow)
        shown = listed(doc, response.url, links, src.tz)
        cutoff = self._cutoff()
        candidates, old = [], []
        for url in links:
            title = shown[url].title
            if title and not title.endswith(_TRUNCATED) and not self._title_ok(title):
                continue
            day = shown[url].date
            (old if day and self._too_old(day) else candidates).append(url)
        wanted = [u for u in candidates if self._wanted(u)]
        nxt = next_page(doc, response.url, src.next_page)
        if nxt and (not in_domains(nxt, src.domains) or nxt == response.url):
            nxt = None
        stop = None
        if page >= src.max_pages:
            stop = "max_pages"
        elif links and not candidates and len(old) == len(links):
            stop = "older than max_age_days"
        elif candidates and not (self.refetch or self.complete) \
                and all(canonical(u) in self.known for u in candidates):
            stop = "every article known"
        elif not nxt:
            stop = "no next page"
        self.pages_seen.append({"url": response.url, "links": links, "wanted": wanted,
                                "next": nxt, "stopped": stop})
        undated = [u for u in wanted if shown[u].date is None] if cutoff else []
        held = None
        if stop is None and nxt:
            request = scrapy.Request(nxt, callback=self.parse_list, errback=self.on_error,
                                     cb_kwargs={"page": page + 1})
            if undated:
                held = self._held[response.url] = _HeldPage(request, len(undated), urls=set(undated))
            else:
                yield request
        for url in wanted:
            meta = {"list_page": response.url} if held and url in held.urls else {}
            yield scrapy.Request(url, callback=self.parse_article, errback=self.on_error, meta=meta)

    def _article_done(self, request: scrapy.Request, published: str | None) -> None:
        """Count a held page's article; release its next page unless all were too old."""
        held = self._held.get(request.meta.get("list_page", ""))
        if held is None:
            return
        if published is None or not self._too_old(datetime.fromisoformat(published)):
            held.fresh = True
        held.left -= 1
        if held.left == 0:
            del self._held[request.meta["list_page"]]
            if held.fresh:
                self.crawler.engine.crawl(held.request)  # type: ignore[union-attr]

    def _decode(self, response: Response) -> str:
        if self.source.encoding:
            return response.body.decode(self.source.encoding, errors="replace")
        return response.text

    async def parse_article(self, response: Response) -> AsyncIterator[ArticleItem]:
        if not hasattr(response, "text"):
            self.errors.append(f"not HTML: {response.url}")
            self._article_done(response.request, None)
            return
        src = self.source
        found = await self.reader.read(ReadRequest.of(src, self._decode(response), response.url))
        self._article_done(response.request, found.published)
        if not self._title_ok(found.title):
            return
        requested = response.request.meta.get("redirect_urls", [response.url])[0]
        yield ArticleItem(
            source=src.name, city=src.city, language=src.language,
            url=requested, final_url=response.url, canonical_url=canonical(response.url),
            status=response.status, fetched_at=self._now().isoformat(timespec="seconds"),
            encoding=src.encoding or response.encoding,
            body=response.body,
            headers={k: response.headers.get(k, b"").decode("latin-1")
                     for k in KEPT_HEADERS if response.headers.get(k)},
            title=found.title, published=found.published, text=found.text,
            markdown=found.markdown, is_readout=found.is_readout, kind=found.kind,
        )

    def on_error(self, failure: Failure) -> Iterator[ArticleItem]:
        """Record the failure; an HTTP error page is still archived as a capture."""
        request = getattr(failure, "request", None)
        response = getattr(failure.value, "response", None)
        url = request.url if request is not None else "?"
        if request is not None:
            self._article_done(request, None)
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            self.skipped.append(f"{failure.getErrorMessage()}: {url}")
            return
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
