"""Writing digest files: atomically, only for weeks that have ended, with an index."""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from datetime import datetime
from pathlib import Path

import sqlite_utils

from digest import build, render
from digest import markdown as md
from digest.settings import DigestSettings
from digest.weeks import Week, last_complete_week, utc, week_of, weeks_from
from storage import reads
from storage.archive import Archive


class WeekNotOver(ValueError):
    pass


def atomic_write(path: Path, content: str) -> None:
    """Temporary file in the same folder, fsync, rename: readers see old or new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(content)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def remove_stale_temp_files(folder: Path, older_than: float = 3600.0) -> list[Path]:
    """Delete temporary files left by a writer that was killed mid-write.

    Only files older than `older_than` seconds go, so a concurrent writer's file is safe.
    """
    if not folder.is_dir():
        return []
    limit = time.time() - older_than
    stale = [p for p in folder.glob(".*.tmp") if p.is_file() and p.stat().st_mtime < limit]
    for path in stale:
        path.unlink(missing_ok=True)
    return stale


def week_path(settings: DigestSettings, week: Week) -> Path:
    return settings.output_dir / f"{week}.md"


def write_week(db: sqlite_utils.Database, week: Week, settings: DigestSettings,
               now: datetime) -> Path:
    if week.end(settings.tz) > now:
        raise WeekNotOver(f"week {week} has not ended yet (it ends {week.end(settings.tz)})")
    digest = build.build(db, week, settings, now)
    content = render.render(digest)
    path = week_path(settings, week)
    atomic_write(path, content)
    Archive(db).record_digest(str(week), str(path), utc(now), len(digest.entries),
                              hashlib.sha256(content.encode()).hexdigest(),
                              [e.article.id for e in digest.late])
    write_index(db, settings)
    return path


def write_index(db: sqlite_utils.Database, settings: DigestSettings) -> Path:
    lines = ["# Readouts digests", "", md.table(
        ["Week", "Readouts", "File"],
        [[week, str(info["readouts"]), f"[{week}.md]({week}.md)"]
         for week, info in sorted(reads.digests(db).items(), reverse=True)]), ""]
    path = settings.output_dir / "index.md"
    atomic_write(path, "\n".join(lines))
    return path


def first_week(db: sqlite_utils.Database, settings: DigestSettings) -> Week | None:
    """`digest.since`, else the week of the first crawl."""
    if settings.since:
        return Week.of(settings.since)
    row = db.execute("SELECT MIN(started) FROM crawl_runs").fetchone()
    return week_of(row[0], settings.tz) if row and row[0] else None


def missing_weeks(db: sqlite_utils.Database, settings: DigestSettings, now: datetime) -> list[Week]:
    first = first_week(db, settings)
    if first is None:
        return []
    last = last_complete_week(now, settings.tz)
    return [w for w in weeks_from(first, last) if not week_path(settings, w).exists()]


def write_missing(db: sqlite_utils.Database, settings: DigestSettings, now: datetime) -> list[Path]:
    """Catch-up: every complete week without a file, oldest first."""
    remove_stale_temp_files(settings.output_dir)
    return [write_week(db, w, settings, now) for w in missing_weeks(db, settings, now)]
