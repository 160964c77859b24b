"""`readouts serve` as a real process, on the real clock: one instance per database, a clean
stop on SIGTERM, and nothing lost or duplicated after a kill -9 during a crawl."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import psutil
import pytest

from digest.weeks import Week
from service.config import load
from service.cron import digest_due_at
from service.demo.server import SiteServer
from tests.fixtures.service.weekly_site import SOURCE, TZ, WeeklySite
from tests.helpers import run_cli, write_config

BOUND = 180.0   # seconds: a bound on waiting for the service, not a timing assertion
THIS_WEEK = Week.of(datetime.now(TZ).date())


def _wait(condition: Callable[[], object], what: str) -> None:
    deadline = time.monotonic() + BOUND
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.2)


@pytest.fixture
def site_env(request: pytest.FixtureRequest) -> Iterator[tuple[WeeklySite, SiteServer, dict[str, str]]]:
    site = WeeklySite(THIS_WEEK.shift(-2), 3, delay=getattr(request, "param", 0.0))
    with SiteServer(site.route) as server:
        env = {**os.environ, "http_proxy": server.url, "HTTP_PROXY": server.url, "no_proxy": "",
               "NO_PROXY": ""}
        env.pop("READOUTS_CONFIG", None)
        yield site, server, env


def _config(folder: Path) -> Path:
    return write_config(folder, SOURCE, f'since = "{THIS_WEEK.shift(-2).monday()}"')


def _serve(config: Path, log: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    with log.open("wb") as err:
        return subprocess.Popen([sys.executable, "-m", "service.cli", "--config", str(config),
                                 "--log-format", "json", "serve"],
                                stdout=subprocess.DEVNULL, stderr=err, env=env)


def _events(log: Path, name: str) -> list[dict]:  # type: ignore[type-arg]
    out = []
    complete = log.read_text(encoding="utf-8").split("\n")[:-1]   # not a line being written
    for line in complete:
        entry = json.loads(line)   # every line is one JSON event
        if entry.get("event") == name:
            out.append(entry)
    return out


def _due_weeks(config: Path) -> list[str]:
    cfg, now = load(config), datetime.now(UTC)
    weeks = [THIS_WEEK.shift(-2), THIS_WEEK.shift(-1)]
    return [str(w) for w in weeks if digest_due_at(cfg, w) <= now]


def _article_requests(server: SiteServer) -> int:
    return sum(n for key, n in list(server.requests.items()) if "/content_" in key)


def _crawl_children(config: Path) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        cmd = proc.info["cmdline"] or []
        if "service.crawl_process" in cmd and str(config) in cmd:
            found.append(proc)
    return found


def _db(config: Path) -> sqlite3.Connection:
    return sqlite3.connect(config.parent / "data" / "readouts.db")


def test_a_second_serve_on_the_same_database_exits_and_each_digest_is_written_once(
        tmp_path: Path, site_env: tuple[WeeklySite, SiteServer, dict[str, str]]) -> None:
    _, _, env = site_env
    config = _config(tmp_path)
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    procs = [_serve(config, logs[0], env), _serve(config, logs[1], env)]
    try:
        _wait(lambda: any(p.poll() is not None for p in procs), "one serve to give way")
        loser = next(i for i, p in enumerate(procs) if p.poll() is not None)
        winner = 1 - loser
        assert procs[loser].returncode == 3
        message = logs[loser].read_text(encoding="utf-8")
        assert "readouts serve is already running on" in message and "Traceback" not in message
        due = _due_weeks(config)
        _wait(lambda: len(_events(logs[winner], "digest_written")) == len(due), "the catch-up")
        procs[winner].send_signal(signal.SIGTERM)
        assert procs[winner].wait(BOUND) == 0
    finally:
        for p in procs:
            p.kill()
    assert sorted(e["week"] for e in _events(logs[winner], "digest_written")) == due
    db = _db(config)
    assert [r[0] for r in db.execute("SELECT week FROM digests ORDER BY week")] == due
    assert db.execute("SELECT COUNT(*) FROM crawl_runs").fetchone()[0] == 1


@pytest.mark.parametrize("site_env", [1.0], indirect=True)   # slow article pages
def test_kill_9_during_a_crawl_then_restart_loses_and_duplicates_nothing(
        tmp_path: Path, site_env: tuple[WeeklySite, SiteServer, dict[str, str]]) -> None:
    site, server, env = site_env
    config = _config(tmp_path)
    serve = _serve(config, tmp_path / "first.log", env)
    try:
        _wait(lambda: _article_requests(server) >= 2, "the start-up crawl to fetch articles")
        manual = run_cli("--config", str(config), "crawl", env=env)
        assert manual.returncode == 3, manual.stderr
        assert "a crawl is already running" in manual.stderr
        serve.kill()
        serve.wait()
    finally:
        serve.kill()
    _wait(lambda: not _crawl_children(config), "the crawl child to die with its parent")
    db = _db(config)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("SELECT status FROM crawl_runs").fetchall() == [("running",)]

    log = tmp_path / "second.log"
    serve = _serve(config, log, env)
    try:
        _wait(lambda: _events(log, "crawl_end"), "the catch-up crawl after the restart")
        _wait(lambda: len(_events(log, "digest_written")) == len(_due_weeks(config)),
              "the catch-up digests")
        status = run_cli("--config", str(config), "status", "--json", env=env)
        serve.send_signal(signal.SIGTERM)
        assert serve.wait(BOUND) == 0
    finally:
        serve.kill()
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    runs = db.execute("SELECT status, error FROM crawl_runs ORDER BY id").fetchall()
    assert runs == [("failed", "crawl interrupted: the process running it died"), ("ok", None)]
    urls = [r[0] for r in db.execute("SELECT url FROM readouts WHERE is_readout = 1")]
    assert sorted(urls) == sorted(site.readout_urls(datetime.now(UTC)))
    # the schedule is intact: each job scheduled once, and status agrees on the next runs
    scheduled = {e["job"]: e["next_run"] for e in _events(log, "scheduled")}
    assert sorted(scheduled) == ["crawl", "digest"] and len(_events(log, "scheduled")) == 2
    report = json.loads(status.stdout)
    for job, when in report["next_runs"].items():
        assert datetime.fromisoformat(when) == datetime.fromisoformat(scheduled[job])
    assert report["sources"][0]["last_status"] == "ok"


@pytest.mark.parametrize("site_env", [1.0], indirect=True)
def test_sigterm_stops_the_running_crawl_and_exits_0(
        tmp_path: Path, site_env: tuple[WeeklySite, SiteServer, dict[str, str]]) -> None:
    _, server, env = site_env
    config = _config(tmp_path)
    log = tmp_path / "serve.log"
    serve = _serve(config, log, env)
    try:
        _wait(lambda: _article_requests(server) >= 2, "the start-up crawl to fetch articles")
        serve.send_signal(signal.SIGTERM)
        assert serve.wait(BOUND) == 0
    finally:
        serve.kill()
    assert not _crawl_children(config)
    db = _db(config)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("SELECT COUNT(*) FROM crawl_runs WHERE status = 'running'").fetchone()[0] == 0
    assert _events(log, "stopping") and _events(log, "stopped")
    assert [e["stopped"] for e in _events(log, "crawl_end")] == [True]
