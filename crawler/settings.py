"""Scrapy settings for one source: polite by default, bounded in size and time."""

from __future__ import annotations

from typing import Any

from crawler.sources import Source

USER_AGENT = "readouts/0.1 (+https://example.org/readouts; archive of city meeting readouts)"
MAX_RESPONSE_BYTES = 8 * 1024 * 1024   # larger responses are dropped (no portal page is this big)
DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.DomainGuardMiddleware": 50,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.BackoffRetryMiddleware": 550,
}


def scrapy_settings(source: Source, *, polite: bool = True) -> dict[str, Any]:
    contact = f"; contact: {source.contact}" if source.contact else ""
    settings: dict[str, Any] = {
        "USER_AGENT": USER_AGENT[:-1] + contact + ")",
        "ROBOTSTXT_OBEY": source.obey_robots,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
        "DOWNLOAD_DELAY": source.download_delay,
        "AUTOTHROTTLE_ENABLED": True,
        "AUTOTHROTTLE_START_DELAY": max(source.download_delay, 0.5),
        "AUTOTHROTTLE_TARGET_CONCURRENCY": 1.0,
        "RETRY_ENABLED": True,
        "RETRY_TIMES": 2,
        "RETRY_HTTP_CODES": [500, 502, 503, 504, 522, 524, 408, 429],
        "RETRY_BACKOFF_BASE": 1.0,
        "RETRY_BACKOFF_MAX": 60.0,
        "DOWNLOADER_MIDDLEWARES": DOWNLOADER_MIDDLEWARES,
        "DOWNLOAD_TIMEOUT": source.download_timeout,
        "DOWNLOAD_MAXSIZE": MAX_RESPONSE_BYTES,
        "DOWNLOAD_WARNSIZE": MAX_RESPONSE_BYTES // 2,
        "REDIRECT_MAX_TIMES": 5,
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "WARNING",
        "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
    }
    if not polite:
        settings.update({"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False,
                         "CONCURRENT_REQUESTS_PER_DOMAIN": 16})
    return settings
