"""A crawl killed with SIGKILL mid-run loses nothing committed; the next crawl completes it."""

from __future__ import annotations

import os
import signal
import sqlite3
import threading
import time
from pathlib import Path

import psutil

from service.config import load
from service.crawl_runner import CrawlResult, run_crawl
from service.demo.server import SiteServer
from tests.fixtures.storage.site import ARTICLES, CrashSite, article_path
from tests.helpers import write_config

SOURCE = """
[[sources]]
name = "crash-zh"
city = "Testcity"
language = "zh"
start_urls = ["{url}/news/index.html"]
download_delay = 0
obey_robots = false
"""


def _captures(db: Path) -> int:
    if not db.exists():
        return 0
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        return conn.execute("SELECT COUNT(*) FROM captures").fetchone()[0]
    except sqlite3.OperationalError:   # schema not created yet
        return 0
    finally:
        conn.close()


def _crawl_child() -> psutil.Process | None:
    for child in psutil.Process().children(recursive=True):
        try:
            if "service.crawl_process" in " ".join(child.cmdline()):
                return child
        except psutil.NoSuchProcess:
            continue
    return None


def _wait_for(condition, what: str, limit: float = 120) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.05)


def test_sigkill_mid_crawl_then_rerun_archives_all_200_exactly_once(tmp_path: Path) -> None:
    site = CrashSite(serve_before_holding=120)   # then article pages hang until released
    with SiteServer(site.route) as server:
        config = load(write_config(tmp_path, SOURCE.format(url=server.url)))
        db_path = config.database
        results: list[CrawlResult] = []
        crawl = threading.Thread(target=lambda: results.append(
            run_crawl(config, polite=False, timeout=300)))
        crawl.start()
        # Two batches of 50 are committed; 20 more items sit in the pipeline's buffer.
        _wait_for(lambda: _captures(db_path) >= 100, "two committed batches")
        child = _crawl_child()
        assert child is not None
        os.killpg(child.pid, signal.SIGKILL)
        crawl.join(60)
        site.release.set()
        assert results and not results[0].ok
        killed_with = _captures(db_path)
        assert 100 <= killed_with < ARTICLES

        second = run_crawl(config, polite=False, timeout=300)
        assert second.ok, second.outcomes

    db = sqlite3.connect(db_path)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    urls = [r[0] for r in db.execute("SELECT url FROM readouts")]
    base = server.url
    assert sorted(urls) == sorted(f"{base}{article_path(n)}" for n in range(ARTICLES))
    missing_capture = db.execute(
        "SELECT COUNT(*) FROM readouts r WHERE NOT EXISTS "
        "(SELECT 1 FROM captures c WHERE c.readout_id = r.id AND c.status = 200)").fetchone()[0]
    assert missing_capture == 0
    # Each article was fetched once by the crawl that stored it: nothing committed was redone.
    assert db.execute("SELECT COUNT(*) FROM captures").fetchone()[0] == ARTICLES
    assert db.execute("SELECT COUNT(*) FROM copies").fetchone()[0] == 0
    runs = db.execute("SELECT status FROM crawl_runs ORDER BY id").fetchall()
    assert [r[0] for r in runs] == ["failed", "ok"]
