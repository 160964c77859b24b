"""`readouts status`: what monitoring needs to know, as text or JSON.

It reads the database through plain sqlite3 (storage.reads' queries take any connection),
so it starts without sqlite-utils or the crawl and digest libraries; only a database that
does not exist yet goes through storage's `open_db`, which creates it.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from digest.weeks import Week, last_complete_week, week_of, weeks_from
from service.config import Config
from service.cron import digest_due_at, next_runs
from storage import reads

DIGEST_GRACE = timedelta(hours=1)   # a due digest not written by then is overdue


def _connect(database: Path) -> sqlite3.Connection:
    if database.exists():
        conn = sqlite3.connect(database, timeout=30)
        if conn.execute("PRAGMA user_version").fetchone()[0] > 0:
            return conn
        conn.close()
    from storage.schema import open_db

    return open_db(database).conn


def _overdue_weeks(conn: sqlite3.Connection, config: Config, now: datetime) -> list[str]:
    """Weeks from the first digest week whose digest is due (plus grace) but has no file."""
    tz = config.digest.tz
    if config.digest.since:
        first = Week.of(config.digest.since)
    else:
        row = conn.execute("SELECT MIN(started) FROM crawl_runs").fetchone()
        if not row[0]:
            return []
        first = week_of(row[0], tz)
    return [str(w) for w in weeks_from(first, last_complete_week(now, tz))
            if not (config.digest.output_dir / f"{w}.md").exists()
            and digest_due_at(config, w) + DIGEST_GRACE <= now]


def collect(config: Config, now: datetime) -> dict[str, Any]:
    conn = _connect(config.database)
    try:
        limit = timedelta(hours=config.failing_after_hours)
        sources = []
        for name in sorted({s.name for s in config.sources}):
            last = reads.last_run_before(conn, name, "9999")  # type: ignore[arg-type]
            since = reads.failing_since(conn, name, "9999")  # type: ignore[arg-type]
            too_long = bool(since and now - datetime.fromisoformat(since) > limit)
            sources.append({
                "name": name, "last_crawl": last.started if last else None,
                "last_status": last.status if last else "never crawled",
                "last_error": last.error if last else None,
                "failing_since": since, "failing_too_long": too_long,
                "pages": last.pages if last else 0,
                "new_readouts": last.new_readouts if last else 0,
                "checked_at": last.finished if last else None,
            })
        digests = reads.digests(conn)  # type: ignore[arg-type]
        last_week = max(digests) if digests else None
        overdue = _overdue_weeks(conn, config, now)
        last_crawl = conn.execute("SELECT MAX(started) FROM crawl_runs").fetchone()[0]
        return {
            "config": str(config.path), "database": str(config.database),
            "counts": reads.counts(conn),  # type: ignore[arg-type]
            "sources": sources,
            "last_runs": {"crawl": last_crawl,
                          "digest": digests[last_week]["written_at"] if last_week else None},
            "next_runs": next_runs(config, now),
            "last_digest": ({"week": last_week, "path": digests[last_week]["path"]}
                            if last_week else None),
            "digests_overdue": overdue,
            "healthy": not overdue and not any(s["failing_too_long"] for s in sources),
        }
    finally:
        conn.close()


def render(report: dict[str, Any]) -> str:
    c = report["counts"]
    lines = [f"database: {report['database']}",
             f"archive: {c['readouts']} readouts, {c['articles']} articles, {c['copies']} "
             f"copies, {c['revisions']} revisions, {c['captures']} captures"]
    for s in report["sources"]:
        state = f"failing since {s['failing_since']}" if s["failing_since"] else s["last_status"]
        line = f"source {s['name']}: {state}, last crawl {s['last_crawl'] or 'never'}"
        if s["last_error"]:
            line += f", last error: {s['last_error']}"
        if s["failing_too_long"]:
            line += " (FAILING TOO LONG)"
        lines.append(line)
    d = report["last_digest"]
    lines.append(f"last digest: {d['week'] + ' ' + d['path'] if d else 'none'}")
    if report["digests_overdue"]:
        lines.append(f"digests overdue: {', '.join(report['digests_overdue'])}")
    for job in ("crawl", "digest"):
        lines.append(f"{job}: last run {report['last_runs'][job] or 'never'}, "
                     f"next run {report['next_runs'][job]}")
    lines.append("healthy" if report["healthy"] else "UNHEALTHY")
    return "\n".join(lines)
