"""Reading an article page (extraction + classification), in a worker process when a core is free.

On a machine with cores to spare beyond the reactor process and the archive writer
(service/pipeline.py), extraction runs in a process pool so the reactor keeps downloading
while other cores parse; on two cores it runs inline.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from crawler.classify import classify
from crawler.extract import extract
from crawler.sources import Source


@dataclass(frozen=True)
class Reading:
    title: str
    published: str | None   # ISO 8601 with offset
    text: str
    markdown: str
    is_readout: bool
    kind: str | None


@dataclass(frozen=True)
class ReadRequest:
    """What a worker needs (picklable: no Source, no response)."""

    html: str
    url: str
    timezone: str
    language: str
    title_selector: str | None
    body_selector: str | None
    date_selector: str | None

    @classmethod
    def of(cls, source: Source, html: str, url: str) -> ReadRequest:
        return cls(html, url, source.timezone, source.language, source.title, source.body,
                   source.date)


def read_article(req: ReadRequest) -> Reading:
    found = extract(req.html, req.url, ZoneInfo(req.timezone), title_selector=req.title_selector,
                    body_selector=req.body_selector, date_selector=req.date_selector)
    is_readout, kind = classify(found.title, found.text, req.language)
    return Reading(found.title, found.published.isoformat() if found.published else None,
                   found.text, found.markdown, is_readout, kind)


class Reader:
    """Reads articles in `workers` processes (0: in the calling thread)."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None

    async def read(self, req: ReadRequest) -> Reading:
        if not self.workers:
            return read_article(req)
        if self._pool is None:
            # spawn, not fork: the parent runs a reactor and threads
            self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"))
        return await asyncio.wrap_future(self._pool.submit(read_article, req))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None


def default_workers() -> int:
    """One worker per core beyond the reactor's and the archive writer's, at most two."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(0, min(2, (cores or 1) - 2))
