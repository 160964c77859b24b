"""One crawl, in its own OS process (the Twisted reactor cannot be restarted in a process).

Run as `python -m service.crawl_process --config PATH [--source NAME]… [--refetch]`. Prints
one JSON line per source with its outcome; exits 0 when every source was crawled.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from datetime import datetime

from crawler.settings import scrapy_settings
from crawler.sources import Source
from service.config import Config, ConfigError, load
from storage.archive import Archive
from storage.schema import open_db


def _spider_class(source: Source):  # type: ignore[no-untyped-def]
    from crawler.spider import ReadoutSpider

    return type(f"ReadoutSpider_{source.name.replace('-', '_')}", (ReadoutSpider,), {})


def crawl(config: Config, names: list[str], refetch: bool, now: str | None,
          polite: bool = True, check: int = 0) -> list[dict]:  # type: ignore[type-arg]
    """Crawl the sources; with `check`, read that many articles of each and store nothing."""
    from scrapy.crawler import CrawlerProcess

    from crawler.reading import Reader, default_workers
    from service.pipeline import close_writer

    sources = [config.source(n) for n in names] if names else config.sources
    if check:
        known: dict[str, dict[str, str | None]] = {s.name: {} for s in sources}
        complete = {s.name: False for s in sources}
    else:
        archive = Archive(open_db(config.database))
        known = {s.name: archive.known_urls(s.name) for s in sources}
        # After a crawl that died or failed, page through every list page (not only up to
        # the first known one): the articles it lost may sit behind known ones.
        complete = {s.name: archive.last_run_incomplete(s.name) for s in sources}
        archive.db.close()
    process = CrawlerProcess(settings={"LOG_LEVEL": "WARNING", "LOG_INSTALL_ROOT_HANDLER": False})
    for name in ("scrapy", "twisted", "py.warnings"):  # Scrapy's dictConfig set them to DEBUG
        logging.getLogger(name).setLevel(logging.WARNING)
    crawlers = []
    reader = Reader(default_workers())   # shared by all sources: extraction on spare cores
    for source in sources:
        settings = scrapy_settings(source, polite=polite)
        settings.update({
            "ITEM_PIPELINES": {"service.pipeline.ArchivePipeline": 300},
            "READOUTS_DATABASE": str(config.database),
            "READOUTS_NOW": now,
        })
        if check:
            settings.update({"ITEM_PIPELINES": {"service.pipeline.CheckPipeline": 300},
                             "CLOSESPIDER_ITEMCOUNT": check, "CONCURRENT_REQUESTS_PER_DOMAIN": 1})
        crawler = process.create_crawler(_spider_class(source))
        crawler.settings.setdict(settings, priority="spider")
        crawlers.append((source, crawler))
        process.crawl(crawler, source=source, known=known[source.name], refetch=refetch,
                      complete=complete[source.name],
                      now=datetime.fromisoformat(now) if now else None, reader=reader)
    try:
        process.start()
    finally:
        reader.close()
        close_writer()
    outcomes = []
    for source, crawler in crawlers:
        if check:
            spider = crawler.spider
            outcomes.append({"source": source.name, "status": "checked",
                             "list_pages": spider.pages_seen if spider else [],  # type: ignore[attr-defined]
                             "articles": crawler.stats.get_value("readouts/checked", [])})
            continue
        outcome = crawler.stats.get_value("readouts/outcome") if crawler.stats else None
        outcomes.append(outcome or {"source": source.name, "status": "failed", "pages": 0,
                                    "new_articles": 0, "new_readouts": 0, "errors": 1,
                                    "error": "the crawl did not start"})
    return outcomes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m service.crawl_process")
    parser.add_argument("--config", required=True)
    parser.add_argument("--source", action="append", default=[])
    parser.add_argument("--refetch", action="store_true")
    parser.add_argument("--now", help="ISO time to record the crawl at (simulated clocks)")
    parser.add_argument("--no-polite", action="store_true", help="benchmarks only")
    parser.add_argument("--check", type=int, default=0, metavar="N",
                        help="dry run: read N articles, store nothing")
    args = parser.parse_args(argv)
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.WARNING)  # Scrapy resets its loggers to DEBUG; filter at the handler
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.WARNING, handlers=[handler])
    try:
        config = load(args.config)
        outcomes = crawl(config, args.source, args.refetch,
                         args.now or None, polite=not args.no_polite, check=args.check)
    except ConfigError as exc:
        print(f"readouts: {exc}", file=sys.stderr)
        return 2
    for outcome in outcomes:
        print(json.dumps(outcome, ensure_ascii=False, sort_keys=True), flush=True)
    return 0 if all(o["status"] in ("ok", "checked") for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())

