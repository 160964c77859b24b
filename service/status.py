"""`readouts status`: what monitoring needs to know, as text or JSON."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from service.config import Config


def next_runs(config: Config, now: datetime) -> dict[str, str | None]:
    from apscheduler.triggers.cron import CronTrigger

    out: dict[str, str | None] = {}
    for job, expr in (("crawl", config.schedule.crawl), ("digest", config.schedule.digest)):
        trigger = CronTrigger.from_crontab(expr, timezone=config.digest.timezone)
        fire = trigger.get_next_fire_time(None, now.astimezone(config.digest.tz))
        out[job] = fire.isoformat() if fire else None
    return out


def collect(config: Config, now: datetime) -> dict[str, Any]:
    from digest.weeks import last_complete_week
    from storage import reads
    from storage.schema import open_db

    db = open_db(config.database)
    try:
        sources = []
        healthy = True
        limit = timedelta(hours=config.failing_after_hours)
        names = sorted({s.name for s in config.sources})
        for name in names:
            end = now.isoformat()
            last = reads.last_run_before(db, name, "9999")
            since = reads.failing_since(db, name, "9999")
            failing_too_long = bool(since and now - datetime.fromisoformat(since) > limit)
            healthy &= not failing_too_long
            sources.append({
                "name": name,
                "last_crawl": last.started if last else None,
                "last_status": last.status if last else "never crawled",
                "last_error": last.error if last else None,
                "failing_since": since, "failing_too_long": failing_too_long,
                "pages": last.pages if last else 0,
                "new_readouts": last.new_readouts if last else 0, "checked_at": end,
            })
        digests = reads.digests(db)
        last_digest = max(digests) if digests else None
        due = str(last_complete_week(now, config.digest.tz))
        overdue = bool(config.sources) and (last_digest is None or last_digest < due) \
            and db.execute("SELECT COUNT(*) FROM crawl_runs").fetchone()[0] > 0
        healthy &= not overdue
        return {
            "config": str(config.path), "database": str(config.database),
            "counts": reads.counts(db), "sources": sources,
            "last_digest": ({"week": last_digest, "path": digests[last_digest]["path"]}
                            if last_digest else None),
            "digest_due": due, "digest_overdue": overdue,
            "next_runs": next_runs(config, now), "healthy": healthy,
        }
    finally:
        db.close()


def render(report: dict[str, Any]) -> str:
    lines = [f"database: {report['database']}"]
    c = report["counts"]
    lines.append(f"archive: {c['readouts']} readouts, {c['articles']} articles, {c['copies']} "
                 f"copies, {c['revisions']} revisions, {c['captures']} captures")
    for s in report["sources"]:
        state = s["last_status"]
        if s["failing_since"]:
            state = f"failing since {s['failing_since']}"
        line = f"source {s['name']}: {state}, last crawl {s['last_crawl'] or 'never'}"
        if s["last_error"]:
            line += f", last error: {s['last_error']}"
        lines.append(line)
    d = report["last_digest"]
    lines.append(f"last digest: {d['week'] + ' ' + d['path'] if d else 'none'}"
                 + (" (overdue: " + report["digest_due"] + " missing)" if report["digest_overdue"] else ""))
    for job, when in report["next_runs"].items():
        lines.append(f"next {job}: {when}")
    lines.append("healthy" if report["healthy"] else "UNHEALTHY")
    return "\n".join(lines)
