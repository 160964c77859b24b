"""`readouts serve`'s scheduler over simulated weeks: the real APScheduler and Service, the
real crawl child (told the simulated time with --now) against a site on 127.0.0.1, the
real digest writer; only the clock is simulated (time-machine)."""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from digest.weeks import Week
from service.clock import SimulatedClock
from service.config import Config
from service.demo.server import SiteServer
from service.scheduler import Service
from tests.fixtures.service.driver import Driver, at, weekly_config
from tests.fixtures.service.weekly_site import WeeklySite
from tests.helpers import headings, section, split_digest

FIRST = Week(2026, 37)


@pytest.fixture
def clock() -> Iterator[SimulatedClock]:
    c = SimulatedClock(at(FIRST, 0, 0, 30))   # Monday 00:30 of the first week
    yield c
    c.stop()


@pytest.fixture
def site(monkeypatch: pytest.MonkeyPatch) -> Iterator[WeeklySite]:
    s = WeeklySite(FIRST, 12)
    with SiteServer(s.route) as server:
        for key in ("http_proxy", "HTTP_PROXY"):     # crawl children inherit the environment
            monkeypatch.setenv(key, server.url)
        for key in ("no_proxy", "NO_PROXY"):
            monkeypatch.setenv(key, "")
        yield s


def _written(config: Config) -> list[str]:
    return sorted(p.stem for p in config.digest.output_dir.glob("*-W*.md"))


def _assert_digest(config: Config, site: WeeklySite, week: Week) -> None:
    front, body = split_digest((config.digest.output_dir / f"{week}.md").read_text("utf-8"))
    expected = site.readouts_of(week)
    assert front["week"] == str(week)
    assert front["readouts"] == len(expected) == 2
    assert front["late"] == 0
    listed = [h.replace("\\", "") for h in headings(section(body, "New readouts"), 4)]
    assert sorted(listed) == sorted(expected)       # (headings keep Markdown escapes)


def _week(driver: Driver, week: Week) -> None:
    """One simulated week: the Sunday crawl, then Monday's digest of that week."""
    driver.move_to(at(week, 6, 12, 0), "crawl")
    driver.move_to(at(week.shift(1), 0, 7, 0), "digest")


def test_twelve_weeks_give_twelve_digests_of_each_weeks_new_readouts(
        tmp_path: Path, clock: SimulatedClock, site: WeeklySite) -> None:
    config = weekly_config(tmp_path, FIRST)
    driver = Driver(config, clock)
    driver.start()
    try:
        assert _written(config) == []
        for k in range(12):
            _week(driver, FIRST.shift(k))
            # each Monday's digest job writes exactly the week that just ended
            assert _written(config) == [str(FIRST.shift(i)) for i in range(k + 1)]
    finally:
        driver.stop()
    for k in range(12):
        _assert_digest(config, site, FIRST.shift(k))
    db = sqlite3.connect(config.database)
    assert db.execute("SELECT COUNT(*), COUNT(DISTINCT week) FROM digests").fetchone() == (12, 12)
    assert db.execute("SELECT COUNT(*) FROM crawl_runs WHERE status = 'ok'").fetchone()[0] == 13


def test_weeks_missed_while_stopped_are_written_on_restart(
        tmp_path: Path, clock: SimulatedClock, site: WeeklySite) -> None:
    config = weekly_config(tmp_path, FIRST)
    driver = Driver(config, clock)
    driver.start()
    try:
        for k in range(4):
            _week(driver, FIRST.shift(k))
    finally:
        driver.stop()
    assert _written(config) == [str(FIRST.shift(i)) for i in range(4)]

    clock.move_to(at(FIRST.shift(7), 2, 10, 0))   # down for weeks 5-7, back on week 8's Wednesday
    driver = Driver(config, clock)
    driver.start()                                 # catch-up: a crawl, then the missing weeks
    try:
        assert _written(config) == [str(FIRST.shift(i)) for i in range(7)]
        for k in range(4, 7):
            _assert_digest(config, site, FIRST.shift(k))
        for k in range(7, 12):
            _week(driver, FIRST.shift(k))
    finally:
        driver.stop()
    assert _written(config) == [str(FIRST.shift(i)) for i in range(12)]
    for k in range(12):
        _assert_digest(config, site, FIRST.shift(k))


def test_two_services_at_once_write_each_digest_once(
        tmp_path: Path, clock: SimulatedClock, site: WeeklySite,
        caplog: pytest.LogCaptureFixture) -> None:
    config = weekly_config(tmp_path, FIRST)
    clock.move_to(at(FIRST.shift(3), 1, 9, 0))     # three complete weeks, none written
    services = [Service(config, clock), Service(config, clock)]
    caplog.set_level(logging.INFO, logger="readouts")
    threads = [threading.Thread(target=s.catch_up) for s in services]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    written = [r.fields["week"] for r in caplog.records  # type: ignore[attr-defined]
               if getattr(r, "fields", {}).get("event") == "digest_written"]
    assert sorted(written) == [str(FIRST.shift(i)) for i in range(3)]
    # the second waits for the first one's crawl, then finds nothing left to crawl
    crawls = [r for r in caplog.records if getattr(r, "fields", {}).get("event") == "crawl_start"]
    assert len(crawls) == 1
    for k in range(3):
        _assert_digest(config, site, FIRST.shift(k))
