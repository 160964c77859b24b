"""The Scrapy item pipeline that writes fetched pages to the archive in batches.

Storing (segmenting text for search, MinHash signatures, SQLite writes) costs several
times what downloading and extracting a page does, so batches are stored by one writer
process while the reactor process goes on crawling: two cores at work, and one writer
keeps SQLite's writes serial.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor
from datetime import UTC, datetime
from typing import Any

from scrapy.crawler import Crawler

from crawler.items import ArticleItem
from storage.archive import Archive, StoreResult
from storage.schema import open_db

BATCH = 50
MAX_PENDING = 4          # batches queued for the writer before the crawl waits for it
_writer: ProcessPoolExecutor | None = None
_archives: dict[str, Archive] = {}   # in the writer process: one connection per database


def writer() -> ProcessPoolExecutor:
    """The crawl process's one writer process (spawned: the parent runs a reactor)."""
    global _writer
    if _writer is None:
        _writer = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
    return _writer


def close_writer() -> None:
    global _writer
    if _writer is not None:
        _writer.shutdown()
        _writer = None


def _store(db_path: str, items: list[ArticleItem], run_id: int) -> StoreResult:
    """Runs in the writer process."""
    if db_path not in _archives:
        _archives[db_path] = Archive(open_db(db_path))
    return _archives[db_path].store(items, run_id)


class ArchivePipeline:
    """One per crawler (source): opens a crawl run, stores items, closes the run with its outcome."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.db_path: str = crawler.settings.get("READOUTS_DATABASE")
        self.now: str | None = crawler.settings.get("READOUTS_NOW")
        self.buffer: list[ArticleItem] = []
        self.pending: list[Future[StoreResult]] = []
        self.stored = {"pages": 0, "new_articles": 0, "new_readouts": 0, "failed": 0}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        return cls(crawler)

    def _stamp(self) -> str:
        moment = datetime.fromisoformat(self.now) if self.now else datetime.now(UTC)
        return moment.astimezone(UTC).isoformat(timespec="seconds")

    def open_spider(self) -> None:
        spider = self.crawler.spider
        source = spider.source  # type: ignore[union-attr]
        self.archive = Archive(open_db(self.db_path))
        self.run_id = self.archive.start_run(source.name, source.city, source.language,
                                             self._stamp())

    def process_item(self, item: Any) -> Any:
        self.buffer.append(item)
        if len(self.buffer) >= BATCH:
            self.flush()
        return item

    def flush(self) -> None:
        if self.buffer:
            self.pending.append(writer().submit(_store, self.db_path, self.buffer, self.run_id))
            self.buffer = []
        while len(self.pending) > MAX_PENDING:
            self._collect(self.pending.pop(0))

    def _collect(self, future: Future[StoreResult]) -> None:
        result = future.result()
        self.stored["pages"] += result.captures
        self.stored["new_articles"] += result.new_articles
        self.stored["new_readouts"] += result.new_readouts
        self.stored["failed"] += result.failed

    def close_spider(self) -> None:
        self.flush()
        for future in self.pending:
            self._collect(future)
        self.pending = []
        spider = self.crawler.spider
        errors: list[str] = spider.errors  # type: ignore[union-attr]
        list_pages: int = spider.list_pages  # type: ignore[union-attr]
        reason = self.crawler.stats.get_value("finish_reason") if self.crawler.stats else None
        list_ok = self.crawler.stats.get_value("readouts/list_pages_ok", 0) if self.crawler.stats else 0
        ok = list_ok > 0 and reason in (None, "finished")
        error = None if ok else (errors[0] if errors else f"no list page could be read ({reason})")
        outcome = {
            "source": spider.name, "status": "ok" if ok else "failed",  # type: ignore[union-attr]
            "pages": list_pages + self.stored["pages"], "new_articles": self.stored["new_articles"],
            "new_readouts": self.stored["new_readouts"], "errors": len(errors),
            "skipped": len(spider.skipped),  # type: ignore[union-attr]
            "error": error if not ok else (errors[-1] if errors else None),
        }
        self.archive.finish_run(self.run_id, self._stamp(), outcome["status"], outcome["pages"],
                                outcome["new_articles"], outcome["new_readouts"],
                                outcome["errors"], outcome["error"])
        self.crawler.stats.set_value("readouts/outcome", outcome)  # type: ignore[union-attr]
        self.archive.db.close()


class CheckPipeline:
    """For `readouts sources check`: keeps what was read in the crawl stats, stores nothing."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CheckPipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        stats = self.crawler.stats
        if stats is not None and item.status == 200:
            seen = stats.get_value("readouts/checked", [])
            seen.append({"url": item.final_url, "title": item.title, "published": item.published,
                         "is_readout": item.is_readout, "kind": item.kind,
                         "text": item.text[:400]})
            stats.set_value("readouts/checked", seen)
        return item
