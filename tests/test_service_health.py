"""A crawl that hangs is killed at its limit, the next one still runs, and the failure shows
in `readouts status` (exit 1 once it lasts too long) and in the next digest's Crawl health."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from digest.weeks import Week
from service import status
from service.clock import SimulatedClock
from service.demo.server import Reply, SiteServer
from service.scheduler import Service
from tests.fixtures.service.driver import at, weekly_config
from tests.fixtures.service.weekly_site import WeeklySite
from tests.helpers import run_cli, section, split_digest

FIRST = Week(2026, 37)


@pytest.fixture
def clock() -> Iterator[SimulatedClock]:
    c = SimulatedClock(at(FIRST, 6, 12, 0))   # the first week's Sunday crawl
    yield c
    c.stop()


def test_a_hung_crawl_is_killed_and_reported_failing(
        tmp_path: Path, clock: SimulatedClock, monkeypatch: pytest.MonkeyPatch) -> None:
    site = WeeklySite(FIRST, 2)
    answering = threading.Event()

    def route(host: str, path: str) -> Reply:
        answering.wait()             # until set, the server accepts requests and never answers
        return site.route(host, path)

    config = weekly_config(tmp_path, FIRST, "[service]\ncrawl_timeout = 12\nfailing_after_hours = 24")
    with SiteServer(route) as server:
        for key in ("http_proxy", "HTTP_PROXY"):
            monkeypatch.setenv(key, server.url)
        for key in ("no_proxy", "NO_PROXY"):
            monkeypatch.setenv(key, "")
        service = Service(config, clock)
        try:
            service.crawl_job()
            hung_at = clock.now()

            report = status.collect(config, hung_at + timedelta(hours=1))
            (source,) = report["sources"]
            assert source["last_status"] == "failed"
            assert source["last_error"] == "crawl killed after 12 s"
            assert source["failing_since"] is not None and not source["failing_too_long"]
            assert report["healthy"]
            late = status.collect(config, hung_at + timedelta(hours=25))
            assert late["sources"][0]["failing_too_long"] and not late["healthy"]
            env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
            proc = run_cli("--config", str(config.path), "status", "--json", env=env)
            assert proc.returncode == 1, proc.stderr   # the real clock is months later
            assert json.loads(proc.stdout)["sources"][0]["failing_too_long"]
            assert "FAILING TOO LONG" in run_cli("--config", str(config.path), "status",
                                                 env=env).stdout

            clock.move_to(at(FIRST.shift(1), 0, 7, 0))
            assert [p.name for p in service.digest_job()] == [f"{FIRST}.md"]
            front, body = split_digest((config.digest.output_dir / f"{FIRST}.md").read_text("utf-8"))
            assert front["sources_failed"] == ["cityville-en"]
            health = section(body, "Crawl health").replace("\\", "")   # Markdown escapes
            assert "cityville-en" in health and "failing since" in health
            assert "crawl killed after 12 s" in health

            answering.set()                 # the next crawl runs, and succeeds
            clock.move_to(at(FIRST.shift(1), 6, 12, 0))
            patient = replace(config, crawl_timeout=300)   # (a loaded machine starts Scrapy slowly)
            Service(patient, clock).crawl_job()
            recovered = status.collect(config, clock.now())
            assert recovered["sources"][0]["last_status"] == "ok"
            assert recovered["sources"][0]["failing_since"] is None
        finally:
            answering.set()
