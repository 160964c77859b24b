"""Downloader middlewares: requests confined to the source's domains, retries with backoff.

Scrapy's OffsiteMiddleware lets `dont_filter` requests through (start URLs and the
redirects they lead to), and its RetryMiddleware retries at once; a portal that is
struggling should get breathing room instead, so retries wait an exponentially growing
delay (or what `Retry-After` asks, within a cap).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from crawler.links import in_domains

BACKOFF_META = "readouts_backoff"


class DomainGuardMiddleware:
    """Refuse every request (redirect targets included) outside the source's domains."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DomainGuardMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        domains: tuple[str, ...] = self.crawler.spider.source.domains  # type: ignore[union-attr]
        if not in_domains(request.url, domains):
            if self.crawler.stats:
                self.crawler.stats.inc_value("readouts/offsite_refused")
            raise IgnoreRequest(f"outside the source's domains: {request.url}")


class BackoffRetryMiddleware(RetryMiddleware):
    """RetryMiddleware whose retries wait RETRY_BACKOFF_BASE * 2**(n-1) s (≤ RETRY_BACKOFF_MAX)."""

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.base = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)
        self.cap = settings.getfloat("RETRY_BACKOFF_MAX", 60.0)

    async def process_request(self, request: Request) -> None:
        delay = request.meta.get(BACKOFF_META, 0.0)
        if delay:
            await asyncio.sleep(delay)

    def _retry(self, request: Request, reason: Any) -> Request | None:
        retry = super()._retry(request, reason)
        if retry is not None:
            attempt = retry.meta.get("retry_times", 1)
            retry.meta[BACKOFF_META] = min(self.cap, self.base * 2 ** (attempt - 1))
        return retry

    def process_response(self, request: Request, response: Response) -> Request | Response:
        result = super().process_response(request, response)
        if isinstance(result, Request) and response.headers.get("Retry-After"):
            asked = retry_after(response.headers["Retry-After"].decode("latin-1"))
            if asked is not None:
                result.meta[BACKOFF_META] = min(self.cap, max(asked, result.meta[BACKOFF_META]))
        return result


def retry_after(value: str) -> float | None:
    """Seconds asked by a Retry-After header (delta-seconds or an HTTP date)."""
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
